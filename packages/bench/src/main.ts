/**
 * `pnpm bench`: runs every selected workload against every selected target, one fresh session per
 * (workload, target), with the targets of one workload measured back to back so that a Mooring
 * backend and its baseline see the same machine conditions. Prints the tables and saves the JSON
 * to `results/bench-<timestamp>.json` and `results/latest.json`.
 */
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { collectGarbage } from "./harness.js";
import { type BenchOptions, USAGE, UsageError, concurrencyFor, parseCommandLine, selectTargets } from "./options.js";
import {
  type BenchReport,
  type ResultRow,
  captureConditions,
  checkGoals,
  compareDepths,
  compareFairness,
  compareWithReferences,
  fileTimestamp,
  finishConditions,
  formatCount,
  formatMicros,
  printReport,
  saveReport,
} from "./report.js";
import { bullmqTarget } from "./targets/bullmq.js";
import { graphileWorkerTarget } from "./targets/graphile-worker.js";
import { memoryTarget } from "./targets/memory.js";
import { postgresTarget } from "./targets/postgres.js";
import { rawSqliteTarget } from "./targets/raw-sqlite.js";
import { redisTarget } from "./targets/redis.js";
import { sqliteTarget } from "./targets/sqlite.js";
import type { TargetDefinition, TargetSession } from "./targets/target.js";
import { FULL_SIZES, QUICK_SIZES, WORKLOADS, type WorkloadDefinition, type WorkloadSettings } from "./workloads.js";

/** Every target, in report order; a raw baseline or peer follows the Mooring backend it stands beside. */
const TARGETS: readonly TargetDefinition[] = [
  memoryTarget,
  sqliteTarget,
  rawSqliteTarget,
  postgresTarget,
  graphileWorkerTarget,
  redisTarget,
  bullmqTarget,
];

/** How long the availability check of a server target may take before the target counts as unavailable. */
const AVAILABILITY_TIMEOUT_MS = 10_000;

const RESULTS_DIR = fileURLToPath(new URL("../results/", import.meta.url));

async function main(argv: readonly string[]): Promise<number> {
  let options: BenchOptions;
  let targets: TargetDefinition[];
  try {
    options = parseCommandLine(argv);
    targets = selectTargets(TARGETS, options.backends);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }

  const sizes = options.quick ? QUICK_SIZES : FULL_SIZES;
  const workloads = WORKLOADS.filter((workload) => options.workloads.includes(workload.id));
  const conditions = captureConditions(
    options.quick ? "quick" : "full",
    options.skipMillion,
    Object.fromEntries(workloads.map((workload) => [workload.id, sizes[workload.id]])),
    options.concurrencyFlag,
  );
  const log = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };
  log(`mooring bench: ${targets.map((t) => t.name).join(", ")} × ${workloads.length} workloads (${conditions.profile})`);

  const unavailable = new Map<string, string>();
  for (const target of targets) {
    const reason = await checkAvailability(target);
    if (reason !== null) {
      unavailable.set(target.name, reason);
      log(`  ${target.name}: unavailable: ${reason}`);
    }
  }

  const rows: ResultRow[] = [];
  for (const workload of workloads) {
    for (const target of targets) {
      const settings: WorkloadSettings = { ...sizes[workload.id], concurrency: concurrencyFor(options.concurrency, workload.id, target) };
      const reason = unavailable.get(target.name);
      const skipped = reason === undefined ? (target.skips?.(workload.id) ?? null) : `unavailable: ${reason}`;
      if (skipped !== null) {
        // Announced above (unavailable) or by design (a peer's other workloads): not logged per row.
        rows.push(skippedRow(workload, target, settings, skipped));
        continue;
      }
      const row = await runOne(workload, target, settings);
      rows.push(row);
      log(describeRow(row));
    }
  }

  const comparisons = compareWithReferences(rows, targets);
  const depth = compareDepths(rows);
  const report: BenchReport = {
    schema: 1,
    conditions: finishConditions(conditions),
    targets: targets.map((target) => ({
      name: target.name,
      backend: target.backend,
      defaultConcurrency: target.defaultConcurrency,
      reference: target.reference ?? null,
      settings: target.describe(),
      unavailable: unavailable.get(target.name) ?? null,
    })),
    results: rows,
    comparisons,
    depth,
    fairness: compareFairness(rows),
    goals: checkGoals(targets, rows, comparisons, depth),
  };

  printReport(report, (text) => process.stdout.write(`${text}\n`));
  const paths = [join(RESULTS_DIR, `bench-${fileTimestamp(conditions.startedAt)}.json`), join(RESULTS_DIR, "latest.json")];
  // pnpm runs the script inside packages/bench; INIT_CWD is where the user typed the command.
  if (options.out !== null) paths.push(resolve(process.env.INIT_CWD ?? process.cwd(), options.out));
  await saveReport(report, paths);
  log(`saved ${paths.join(", ")}`);
  return rows.some((row) => row.error !== null) ? 1 : 0;
}

/**
 * Whether `target` can be used, asked once before the run: null when it can (or has no check),
 * else the reason. A check that throws or hangs counts as the reason.
 */
async function checkAvailability(target: TargetDefinition): Promise<string | null> {
  if (target.unavailable === undefined) return null;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${AVAILABILITY_TIMEOUT_MS / 1000} s`), AVAILABILITY_TIMEOUT_MS);
  });
  try {
    return await Promise.race([target.unavailable(), timeout]);
  } catch (error) {
    return describeError(error);
  } finally {
    clearTimeout(timer);
  }
}

function baseRow(workload: WorkloadDefinition, target: TargetDefinition, settings: WorkloadSettings) {
  return { workload: workload.id, title: workload.title(settings), unit: workload.unit, target: target.name, settings };
}

function skippedRow(workload: WorkloadDefinition, target: TargetDefinition, settings: WorkloadSettings, reason: string): ResultRow {
  return { ...baseRow(workload, target, settings), measurement: null, skipped: reason, error: null };
}

/** Why an open session cannot run `workload`: a facet it lacks, or a plan it does not support. */
function sessionCannotRun(workload: WorkloadDefinition, target: TargetDefinition, session: TargetSession, settings: WorkloadSettings): string | null {
  const present = workload.facet === "drain" ? session.drain !== undefined || session.queue !== undefined : session[workload.facet] !== undefined;
  if (!present) return `${target.name} has no ${workload.facet} operations`;
  return workload.unsupported?.(session, settings) ?? null;
}

/**
 * One workload on one fresh session of one target. A failure is recorded in the row and the run
 * goes on, so one broken target does not hide the figures of the others.
 */
async function runOne(workload: WorkloadDefinition, target: TargetDefinition, settings: WorkloadSettings): Promise<ResultRow> {
  const base = baseRow(workload, target, settings);
  let session: TargetSession;
  try {
    session = await target.open();
  } catch (error) {
    return { ...base, measurement: null, skipped: null, error: `open failed: ${describeError(error)}` };
  }
  try {
    const cannot = sessionCannotRun(workload, target, session, settings);
    if (cannot !== null) return { ...base, measurement: null, skipped: cannot, error: null };
    const measurement = await workload.run(session, settings);
    return { ...base, measurement, skipped: null, error: null };
  } catch (error) {
    return { ...base, measurement: null, skipped: null, error: describeError(error) };
  } finally {
    await session.close();
    collectGarbage();
  }
}

function describeRow(row: ResultRow): string {
  const label = `  ${row.title} · ${row.target} (c=${row.settings.concurrency})`;
  if (row.skipped) return `${label}: skipped (${row.skipped})`;
  if (row.error) return `${label}: ERROR ${row.error}`;
  const m = row.measurement;
  const rate = m?.itemsPerSec != null ? `${formatCount(m.itemsPerSec)} ${row.unit}/s` : "";
  if (m?.drain) {
    const cycle = m.cycleLatency ? `, cycle p50 ${formatMicros(m.cycleLatency.p50)} µs` : "";
    return `${label}: ${rate} (first→last completion)${cycle}, fill ${formatCount(m.prefill?.tasksPerSec ?? null)} jobs/s`;
  }
  return `${label}: ${rate}${rate ? ", " : ""}p50 ${formatMicros(m?.latency?.p50)} µs, p99 ${formatMicros(m?.latency?.p99)} µs`;
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
