/**
 * The results of a run: the JSON document saved under `results/`, the comparisons derived from the
 * rows (Mooring target over its raw baseline or peer, deep over shallow queue latency, goals), and
 * the tables printed to the terminal.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { availableParallelism, cpus, loadavg, totalmem } from "node:os";
import { dirname } from "node:path";
import Table from "cli-table3";
import { ratio } from "./harness.js";
import type { TargetDefinition, TargetGoals, TargetReference } from "./targets/target.js";
import type { WorkloadId, WorkloadMeasurement, WorkloadSettings, WorkloadSize } from "./workloads.js";

/** The machine and the run's settings: figures mean nothing without them. */
export interface Conditions {
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly cores: number;
  readonly cpuModel: string;
  readonly totalMemoryGiB: number;
  readonly node: string;
  readonly v8: string;
  readonly platform: string;
  readonly arch: string;
  /** 1, 5 and 15-minute load averages; a high value means other work shared the CPUs. */
  readonly loadAverageAtStart: readonly number[];
  readonly loadAverageAtEnd: readonly number[] | null;
  readonly profile: "full" | "quick";
  readonly skipMillion: boolean;
  /** The sizes of every workload selected (each row also carries its own). */
  readonly sizes: Readonly<Partial<Record<WorkloadId, WorkloadSize>>>;
  /** The `--concurrency` flag as given, or null when every target ran at its own default. */
  readonly concurrencyFlag: string | null;
  /** Whether collections ran between phases (`--expose-gc`). */
  readonly gcBetweenPhases: boolean;
}

export interface TargetInfo {
  readonly name: string;
  readonly backend: string;
  readonly defaultConcurrency: number;
  readonly reference: TargetReference | null;
  readonly settings: Readonly<Record<string, string>>;
  /** Why the target could not be used in this run (its server did not answer), or null. */
  readonly unavailable: string | null;
}

export interface ResultRow {
  readonly workload: WorkloadId;
  readonly title: string;
  readonly unit: string;
  readonly target: string;
  readonly settings: WorkloadSettings;
  readonly measurement: WorkloadMeasurement | null;
  /** Why the target did not run the workload (it lacks the facet, is not paired on it, or is unavailable). */
  readonly skipped: string | null;
  /** The error that ended the workload, if any. */
  readonly error: string | null;
}

/** A Mooring target's throughput over its baseline's or peer's, on one workload. */
export interface Comparison {
  readonly workload: WorkloadId;
  readonly target: string;
  readonly reference: string;
  /** The reference's workload: `workload` itself, or the one `TargetReference.pairs` names. */
  readonly referenceWorkload: WorkloadId;
  readonly kind: TargetReference["kind"];
  /** target items/s ÷ reference items/s: above 1, the Mooring target is faster. */
  readonly ratio: number;
  /** The same over items per CPU-second, which other processes on the machine disturb less. */
  readonly cpuRatio: number | null;
}

/** Claim latency with a deep queue against a shallow one, for one target. */
export interface DepthComparison {
  readonly target: string;
  readonly shallowDepth: number;
  readonly deepDepth: number;
  readonly shallowP50Ms: number;
  readonly deepP50Ms: number;
  /** deep p50 ÷ shallow p50 of the claim alone: 1 is flat. */
  readonly p50Ratio: number;
  readonly shallowP99Ms: number;
  readonly deepP99Ms: number;
  /** deep p50 ÷ shallow p50 of claim + complete. */
  readonly cycleP50Ratio: number | null;
}

/** One key count of the E20 rows against the keyless rows of the same run, for one target. */
export interface FairnessComparison {
  readonly target: string;
  readonly keys: number;
  readonly keylessClaimP50Ms: number | null;
  readonly claimP50Ms: number | null;
  /** Claim p50 with keys ÷ without: 1 means the fair order costs the claim nothing. */
  readonly claimP50Ratio: number | null;
  readonly keylessDrainPerSec: number | null;
  readonly drainPerSec: number | null;
  /** Keyless drain rate ÷ keyed drain rate: 2 means the keyed drain takes twice as long. */
  readonly drainCostRatio: number | null;
}

export interface GoalCheck {
  readonly target: string;
  readonly goal: string;
  readonly measured: string;
  /** null when the run did not measure what the goal needs. */
  readonly met: boolean | null;
}

export interface BenchReport {
  readonly schema: 1;
  readonly conditions: Conditions;
  readonly targets: readonly TargetInfo[];
  readonly results: readonly ResultRow[];
  readonly comparisons: readonly Comparison[];
  readonly depth: readonly DepthComparison[];
  /** The cost of E20's fair claim; absent from reports written before the E20 rows existed. */
  readonly fairness?: readonly FairnessComparison[];
  readonly goals: readonly GoalCheck[];
}

/** The conditions at the start of a run; `finishConditions` adds the end. */
export function captureConditions(
  profile: Conditions["profile"],
  skipMillion: boolean,
  sizes: Conditions["sizes"],
  concurrencyFlag: string | null,
): Conditions {
  return {
    startedAt: new Date().toISOString(),
    finishedAt: null,
    cores: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? "unknown",
    totalMemoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    v8: process.versions.v8,
    platform: process.platform,
    arch: process.arch,
    loadAverageAtStart: loadavg().map(round2),
    loadAverageAtEnd: null,
    profile,
    skipMillion,
    sizes,
    concurrencyFlag,
    gcBetweenPhases: typeof (globalThis as { gc?: unknown }).gc === "function",
  };
}

export function finishConditions(conditions: Conditions): Conditions {
  return { ...conditions, finishedAt: new Date().toISOString(), loadAverageAtEnd: loadavg().map(round2) };
}

/** Every Mooring-target-over-reference ratio the rows allow. */
export function compareWithReferences(rows: readonly ResultRow[], targets: readonly TargetDefinition[]): Comparison[] {
  const comparisons: Comparison[] = [];
  for (const referenceTarget of targets) {
    const reference = referenceTarget.reference;
    if (!reference) continue;
    for (const row of rows) {
      if (row.target !== reference.target) continue;
      const referenceWorkload = reference.pairs?.[row.workload] ?? row.workload;
      const referenceRow = rows.find((candidate) => candidate.workload === referenceWorkload && candidate.target === referenceTarget.name);
      const value = ratio(row.measurement?.itemsPerSec, referenceRow?.measurement?.itemsPerSec);
      if (value === null) continue;
      comparisons.push({
        workload: row.workload,
        target: row.target,
        reference: referenceTarget.name,
        referenceWorkload,
        kind: reference.kind,
        ratio: value,
        cpuRatio: ratio(row.measurement?.itemsPerCpuSec, referenceRow?.measurement?.itemsPerCpuSec),
      });
    }
  }
  return comparisons;
}

/** Deep-queue over shallow-queue claim latency, for every target that ran both. */
export function compareDepths(rows: readonly ResultRow[]): DepthComparison[] {
  const comparisons: DepthComparison[] = [];
  for (const shallow of rows) {
    if (shallow.workload !== "claim-latency-shallow") continue;
    const deep = rows.find((row) => row.workload === "claim-latency-deep" && row.target === shallow.target);
    const shallowLatency = shallow.measurement?.latency;
    const deepLatency = deep?.measurement?.latency;
    if (!deep || !shallowLatency || !deepLatency) continue;
    const p50Ratio = ratio(deepLatency.p50, shallowLatency.p50);
    if (p50Ratio === null) continue;
    comparisons.push({
      target: shallow.target,
      shallowDepth: shallow.settings.depth,
      deepDepth: deep.settings.depth,
      shallowP50Ms: shallowLatency.p50,
      deepP50Ms: deepLatency.p50,
      p50Ratio,
      shallowP99Ms: shallowLatency.p99,
      deepP99Ms: deepLatency.p99,
      cycleP50Ratio: ratio(deep.measurement?.cycleLatency?.p50, shallow.measurement?.cycleLatency?.p50),
    });
  }
  return comparisons;
}

/** The key counts of the E20 rows (`fair-latency-k<n>`, `fair-drain-k<n>`), 0 being the keyless row. */
const FAIR_KEY_COUNTS = [1, 100, 10_000] as const;

/** Each target's keyed E20 rows against its keyless ones of the same run. */
export function compareFairness(rows: readonly ResultRow[]): FairnessComparison[] {
  const comparisons: FairnessComparison[] = [];
  const find = (target: string, workload: string) => rows.find((row) => row.target === target && row.workload === workload)?.measurement;
  for (const target of new Set(rows.map((row) => row.target))) {
    const keylessClaimP50Ms = find(target, "fair-latency-k0")?.latency?.p50 ?? null;
    const keylessDrainPerSec = find(target, "fair-drain-k0")?.itemsPerSec ?? null;
    for (const keys of FAIR_KEY_COUNTS) {
      const claimP50Ms = find(target, `fair-latency-k${keys}`)?.latency?.p50 ?? null;
      const drainPerSec = find(target, `fair-drain-k${keys}`)?.itemsPerSec ?? null;
      if (claimP50Ms === null && drainPerSec === null) continue;
      comparisons.push({
        target,
        keys,
        keylessClaimP50Ms,
        claimP50Ms,
        claimP50Ratio: ratio(claimP50Ms, keylessClaimP50Ms),
        keylessDrainPerSec,
        drainPerSec,
        drainCostRatio: ratio(keylessDrainPerSec, drainPerSec),
      });
    }
  }
  return comparisons;
}

/** Checks each target's goals against the rows; a goal the run could not measure is reported as such. */
export function checkGoals(
  targets: readonly TargetDefinition[],
  rows: readonly ResultRow[],
  comparisons: readonly Comparison[],
  depth: readonly DepthComparison[],
): GoalCheck[] {
  const checks: GoalCheck[] = [];
  for (const target of targets) {
    const goals: TargetGoals | undefined = target.goals;
    if (!goals) continue;
    if (goals.minClaimCompletePerSec !== undefined) {
      const measurement = rows.find((row) => row.target === target.name && row.workload === "claim-complete-1")?.measurement;
      const rate = measurement?.itemsPerSec ?? null;
      checks.push({
        target: target.name,
        goal: `claim+complete (limit 1) ≥ ${formatCount(goals.minClaimCompletePerSec)} tasks/s`,
        measured:
          rate === null || !measurement
            ? "not measured"
            : `${formatCount(rate)} tasks/s; ${formatCount(measurement.itemsPerCpuSec)} per CPU-s (CPU ${formatCpuShare(measurement.cpuMs, measurement.elapsedMs)}%)`,
        met: rate === null ? null : rate >= goals.minClaimCompletePerSec,
      });
    }
    if (goals.minRatioToBaseline !== undefined) {
      const minimum = goals.minRatioToBaseline;
      for (const workload of ["claim-complete-1", "claim-complete-50"] as const) {
        const found = comparisons.filter((c) => c.target === target.name && c.workload === workload && c.kind === "baseline");
        checks.push({
          target: target.name,
          goal: `${workload} ≥ ${minimum}× baseline`,
          measured:
            found.length === 0
              ? "not measured"
              : found
                  .map((c) => `${formatRatio(c.ratio)} ${c.reference}${c.cpuRatio === null ? "" : ` (per CPU-s ${formatRatio(c.cpuRatio)})`}`)
                  .join(", "),
          met: found.length === 0 ? null : found.every((c) => c.ratio >= minimum),
        });
      }
    }
    if (goals.minRatioToPeer !== undefined) {
      const minimum = goals.minRatioToPeer;
      const found = comparisons.filter((c) => c.target === target.name && c.kind === "peer");
      const workloads = [...new Set(found.map((c) => c.workload))];
      if (workloads.length === 0) checks.push({ target: target.name, goal: `drains ≥ ${minimum}× each peer`, measured: "not measured", met: null });
      for (const workload of workloads) {
        for (const c of found.filter((candidate) => candidate.workload === workload)) {
          checks.push({
            target: target.name,
            goal: `${workload} ≥ ${minimum}× ${c.reference}${c.referenceWorkload === workload ? "" : ` ${c.referenceWorkload}`}`,
            measured: `${formatRatio(c.ratio)}${c.cpuRatio === null ? "" : ` (per CPU-s ${formatRatio(c.cpuRatio)})`}`,
            met: c.ratio >= minimum,
          });
        }
      }
    }
    if (goals.maxDeepQueueLatencyRatio !== undefined) {
      const found = depth.find((d) => d.target === target.name);
      checks.push({
        target: target.name,
        goal: `claim p50 deep ÷ shallow ≤ ${goals.maxDeepQueueLatencyRatio}`,
        measured: found
          ? `${formatRatio(found.p50Ratio)} (${formatCount(found.deepDepth)} vs ${formatCount(found.shallowDepth)} ready)`
          : "not measured",
        met: found ? found.p50Ratio <= goals.maxDeepQueueLatencyRatio : null,
      });
    }
  }
  return checks;
}

/** Prints the conditions, the results, the comparisons and the goals. */
export function printReport(report: BenchReport, write: (text: string) => void): void {
  const { conditions } = report;
  const conditionsTable = new Table({ head: ["Condition", "Value"], style: { head: [], border: [] } });
  conditionsTable.push(
    ["machine", `${conditions.cores} cores (${conditions.cpuModel}), ${conditions.totalMemoryGiB} GiB, ${conditions.platform}/${conditions.arch}`],
    ["node", `${conditions.node} (V8 ${conditions.v8})`],
    ["profile", `${conditions.profile}${conditions.skipMillion ? ", deep-queue claim latency skipped (--skip-million)" : ""}`],
    ["sizes", describeSizes(conditions.sizes)],
    [
      "concurrency",
      `${conditions.concurrencyFlag === null ? "each target's default" : `--concurrency ${conditions.concurrencyFlag}`} (` +
        report.targets.map((target) => `${target.name} ${target.defaultConcurrency}`).join(", ") +
        " by default); per row below",
    ],
    ["load average", `${conditions.loadAverageAtStart.join(" ")} at start, ${conditions.loadAverageAtEnd?.join(" ") ?? "?"} at end`],
    ["gc between phases", conditions.gcBetweenPhases ? "yes" : "no (run node with --expose-gc)"],
    ["started", conditions.startedAt],
    ...report.targets.map((target) => [
      `target ${target.name}`,
      [
        target.reference ? `${target.reference.kind} of ${target.reference.target}` : "mooring backend",
        ...(target.unavailable === null ? [] : [`UNAVAILABLE: ${target.unavailable}`]),
        ...Object.entries(target.settings).map(([key, value]) => `${key}=${value}`),
      ].join(", "),
    ]),
  );
  write(conditionsTable.toString());

  const resultsTable = new Table({
    head: ["Workload", "Target", "Conc.", "Warm-up / measured calls", "Items/s", "Calls/s", "p50 µs", "p99 µs", "CPU %", "vs baseline / peer"],
    colAligns: ["left", "left", "right", "right", "right", "right", "right", "right", "right", "left"],
    style: { head: [], border: [] },
  });
  for (const row of report.results) {
    if (row.skipped || row.measurement?.drain) continue;
    const m = row.measurement;
    const vs = report.comparisons
      .filter((c) => c.workload === row.workload && c.target === row.target)
      .map((c) => `${formatRatio(c.ratio)} ${c.reference}`)
      .join(", ");
    const status = row.error ? `ERROR: ${abbreviate(row.error, 60)}` : null;
    resultsTable.push([
      row.title,
      row.target,
      String(row.settings.concurrency),
      m ? `${formatCount(row.settings.warmUpCalls)} / ${formatCount(m.calls)}${m.truncated ? " (deadline)" : ""}` : "",
      status ?? (m?.itemsPerSec != null ? `${formatCount(m.itemsPerSec)} ${row.unit}` : "—"),
      status ? "" : formatCount(m?.callsPerSec ?? null),
      status ? "" : formatMicros(m?.latency?.p50),
      status ? "" : formatMicros(m?.latency?.p99),
      status || !m ? "" : formatCpuShare(m.cpuMs, m.elapsedMs),
      vs,
    ]);
  }
  if (resultsTable.length > 0) write(resultsTable.toString());
  printDrains(report, write);
  for (const target of report.targets) {
    if (target.unavailable !== null) {
      write(`${target.name}: unavailable: ${target.unavailable} (none of its rows ran)`);
      continue;
    }
    const byReason = new Map<string, WorkloadId[]>();
    for (const row of report.results) {
      if (row.skipped === null || row.target !== target.name) continue;
      byReason.set(row.skipped, [...(byReason.get(row.skipped) ?? []), row.workload]);
    }
    const ran = report.results.filter((row) => row.target === target.name && row.skipped === null).map((row) => row.workload);
    for (const [reason, workloads] of byReason) {
      // A peer skips most workloads: naming the few it runs reads better than the many it skips.
      const what = workloads.length > ran.length && ran.length > 0 ? `every workload but ${ran.join(", ")}` : workloads.join(", ");
      write(`${target.name} skips ${what}: ${reason}.`);
    }
  }

  if (report.depth.length > 0) {
    const depthTable = new Table({
      head: ["Claim latency", "Shallow p50 µs", "Deep p50 µs", "Deep ÷ shallow p50", "Shallow p99 µs", "Deep p99 µs", "Claim+complete p50 ratio", "Deep pre-fill tasks/s"],
      style: { head: [], border: [] },
    });
    for (const d of report.depth) {
      const prefill = report.results.find((row) => row.target === d.target && row.workload === "claim-latency-deep")?.measurement?.prefill;
      depthTable.push([
        `${d.target} (${formatCount(d.shallowDepth)} vs ${formatCount(d.deepDepth)} ready)`,
        formatMicros(d.shallowP50Ms),
        formatMicros(d.deepP50Ms),
        formatRatio(d.p50Ratio),
        formatMicros(d.shallowP99Ms),
        formatMicros(d.deepP99Ms),
        d.cycleP50Ratio === null ? "—" : formatRatio(d.cycleP50Ratio),
        formatCount(prefill?.tasksPerSec ?? null),
      ]);
    }
    write(depthTable.toString());
  }

  const fairness = report.fairness ?? [];
  if (fairness.length > 0) {
    const fairnessTable = new Table({
      head: ["Fair claim (E20)", "Keys", "Claim p50 µs", "No keys p50 µs", "Claim p50 ratio", "Drain tasks/s", "No keys tasks/s", "Drain cost ratio"],
      style: { head: [], border: [] },
    });
    for (const f of fairness) {
      fairnessTable.push([
        f.target,
        formatCount(f.keys),
        formatMicros(f.claimP50Ms),
        formatMicros(f.keylessClaimP50Ms),
        f.claimP50Ratio === null ? "—" : formatRatio(f.claimP50Ratio),
        formatCount(f.drainPerSec),
        formatCount(f.keylessDrainPerSec),
        f.drainCostRatio === null ? "—" : formatRatio(f.drainCostRatio),
      ]);
    }
    write(fairnessTable.toString());
    write("Ratios: claim p50 with keys ÷ without; drain rate without keys ÷ with (1.00× = fairness costs nothing).");
  }

  const claimComparisons = report.comparisons.filter(
    (c) => c.workload === "claim-complete-1" || c.workload === "claim-complete-50" || c.workload.startsWith("drain-"),
  );
  for (const c of claimComparisons) {
    const perCpu = c.cpuRatio === null ? "" : ` (per CPU-second: ${formatRatio(c.cpuRatio)})`;
    const against = c.referenceWorkload === c.workload ? c.reference : `${c.reference} ${c.referenceWorkload}`;
    write(`${c.workload}: ${c.target} / ${against} = ${formatRatio(c.ratio)}${perCpu}${describeDrainPair(report, c)}`);
  }

  if (report.goals.length > 0) {
    const goalsTable = new Table({ head: ["Target", "Goal", "Measured", "Met"], style: { head: [], border: [] } });
    for (const g of report.goals) goalsTable.push([g.target, g.goal, g.measured, g.met === null ? "—" : g.met ? "yes" : "NO"]);
    write(goalsTable.toString());
  }
  write(
    `Figures are from one run on a shared machine (load average ${conditions.loadAverageAtStart[0] ?? "?"} at start, ` +
      `${conditions.loadAverageAtEnd?.[0] ?? "?"} at end, ${conditions.cores} cores): compare rows of the same run, not runs. ` +
      "CPU % is this process's CPU time over wall time in the measured phase; well below 100 for an in-process target " +
      "means other processes took the CPUs.",
  );
}

/**
 * The drains: the peer pairings. Rates are over the span from the first confirmed completion to
 * the last; the server columns come from the server's own counters over the processing phase.
 */
function printDrains(report: BenchReport, write: (text: string) => void): void {
  const drains = report.results.filter((row) => row.measurement?.drain !== undefined || (row.workload.startsWith("drain-") && row.error !== null));
  if (drains.length === 0) return;
  const table = new Table({
    head: ["Drain", "Target", "Mode", "Jobs/s first→last", "Rounds", "Jobs/s from start", "Start→first ms", "Fetches/job", "Cycle p50 µs", "CPU %", "Server CPU %", "Server µs/job", "Server ops/job", "Fill jobs/s", "vs peer"],
    colAligns: ["left", "left", "left", "right", "right", "right", "right", "right", "right", "right", "right", "right", "right", "right", "left"],
    style: { head: [], border: [] },
  });
  for (const row of drains) {
    const m = row.measurement;
    const d = m?.drain;
    if (!m || !d) {
      table.push([row.title, row.target, `ERROR: ${abbreviate(row.error ?? "", 60)}`, "", "", "", "", "", "", "", "", "", "", "", ""]);
      continue;
    }
    const vs = report.comparisons
      .filter((c) => c.workload === row.workload && c.target === row.target)
      .map((c) => `${formatRatio(c.ratio)} ${c.reference}${c.referenceWorkload === row.workload ? "" : ` (${c.referenceWorkload})`}`)
      .join(", ");
    // When the workers' first fetches take every job, first→last leaves out nearly all the work.
    const oneRound = row.settings.calls <= row.settings.concurrency * row.settings.batch ? " (one fetch round: read the from-start rate)" : "";
    table.push([
      `${row.title}${m.truncated ? " (deadline)" : ""}${oneRound}`,
      row.target,
      Object.values(d.settings).join("; "),
      formatCount(m.itemsPerSec),
      d.roundRates.map(formatCount).join(" · "),
      formatCount(d.fromStartPerSec),
      d.startToFirstMs === null ? "—" : d.startToFirstMs.toFixed(1),
      d.fetchesPerJob === null ? "—" : d.fetchesPerJob.toFixed(2),
      formatMicros(m.cycleLatency?.p50),
      formatCpuShare(m.cpuMs, m.elapsedMs),
      d.server?.cpuPercent == null ? "—" : `${Math.round(d.server.cpuPercent)}`,
      d.server?.cpuMicrosPerJob == null ? "—" : d.server.cpuMicrosPerJob.toFixed(0),
      d.server?.operationsPerJob == null ? "—" : `${formatPerJob(d.server.operationsPerJob)} ${d.server.operationsUnit}`,
      formatCount(m.prefill?.tasksPerSec ?? null),
      vs,
    ]);
  }
  write(table.toString());
  write("Rounds: the first→last rate of each measured drain of the session, in order; the row's figures are the median round's.");
  const scopes = [...new Set(drains.map((row) => row.measurement?.drain?.server?.cpuScope).filter((scope) => scope !== undefined))];
  if (scopes.length > 0) write(`Server columns: CPU of ${scopes.join("; ")}, over the processing phase; other clients of a shared server count too.`);
}

/** Two decimals for small counts (commands per job), whole numbers for large ones (WAL bytes). */
function formatPerJob(value: number): string {
  return value >= 100 ? formatCount(value) : value.toFixed(2);
}

/** " (c=24, plain vs local queue)": what a drain comparison set side by side. */
function describeDrainPair(report: BenchReport, c: Comparison): string {
  if (!c.workload.startsWith("drain-")) return "";
  const ours = report.results.find((row) => row.workload === c.workload && row.target === c.target);
  const theirs = report.results.find((row) => row.workload === c.referenceWorkload && row.target === c.reference);
  const mode = (row: ResultRow | undefined): string => Object.values(row?.measurement?.drain?.settings ?? {}).join("; ") || "?";
  const workers = ours?.settings.concurrency;
  return ` — ${workers ?? "?"} worker${workers === 1 ? "" : "s"}; ${c.target}: ${mode(ours)}; ${c.reference}: ${mode(theirs)}`;
}

/** Writes the report as JSON to every path given, creating directories. */
export async function saveReport(report: BenchReport, paths: readonly string[]): Promise<void> {
  const text = `${JSON.stringify(report, null, 2)}\n`;
  for (const path of paths) {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text);
  }
}

/** A file-name-safe UTC timestamp, e.g. `2025-01-31T12-00-00Z`. */
export function fileTimestamp(iso: string): string {
  return iso.replace(/\.\d+Z$/, "Z").replaceAll(":", "-");
}

export function formatCount(value: number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  return Math.round(value).toLocaleString("en-US");
}

/** Milliseconds shown as microseconds with three significant digits below 1,000. */
export function formatMicros(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  const micros = ms * 1000;
  return micros >= 1000 ? Math.round(micros).toLocaleString("en-US") : micros.toPrecision(3);
}

/** The process's CPU time over wall time, in percent (above 100 with helper threads). */
export function formatCpuShare(cpuMs: number, elapsedMs: number): string {
  return elapsedMs > 0 ? `${Math.round((100 * cpuMs) / elapsedMs)}` : "—";
}

export function formatRatio(value: number): string {
  return `${value >= 10 ? value.toFixed(1) : value.toFixed(2)}×`;
}

function describeSizes(sizes: Conditions["sizes"]): string {
  const entries = Object.values(sizes);
  const deadlines = [...new Set(entries.map((size) => size.maxMs / 1000))].join("/");
  const parts = [`warm-up and measured calls per row below; each phase stops at ${deadlines} s`];
  const shallow = sizes["claim-latency-shallow"];
  const deep = sizes["claim-latency-deep"];
  if (shallow || deep) {
    parts.push(`claim latency at ${[shallow, deep].filter((size) => size !== undefined).map((size) => formatCount(size.depth)).join(" and ")} ready tasks`);
  }
  return parts.join("; ");
}

function abbreviate(text: string, length: number): string {
  const line = text.split("\n")[0] ?? "";
  return line.length <= length ? line : `${line.slice(0, length - 1)}…`;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
