/**
 * The command line of `pnpm bench`, parsed with `node:util` parseArgs, and the choices derived from
 * it (which targets, which workloads, how concurrent).
 */
import { parseArgs } from "node:util";
import type { TargetDefinition } from "./targets/target.js";
import { WORKLOADS, WORKLOAD_IDS, type WorkloadId } from "./workloads.js";

export const USAGE = `Usage: pnpm bench -- [options]

  --backend <names>      comma-separated backends or targets (default: every registered backend);
                         a backend brings its raw baseline and peers (sqlite → sqlite, raw-sqlite;
                         postgres → postgres, graphile-worker; redis → redis, bullmq)
  --workload <ids>       comma-separated workloads (default: all)
                         ${WORKLOAD_IDS.join(", ")}
  --quick                small sizes for a smoke run (deep queue: 100,000 tasks)
  --skip-million         skip the claim latency with the deep (1,000,000-task) queue
  --concurrency <spec>   workers per workload: "4" for every workload, "claim-complete-1=24,enqueue=8"
                         per workload, or both ("4,claim-complete-1=24"); default: each target's own
                         (1 for the in-process backends, 24 for postgres, 50 for redis). The drains
                         and claim latencies run at their own fixed concurrency: ${fixedConcurrencies()}
  --out <file>           also write the JSON report to <file>
  -h, --help             this text

Servers: MOORING_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test) and
MOORING_REDIS_URL (default redis://127.0.0.1:6379). A server that does not answer makes its
targets "unavailable" without failing the run.

Results are saved to results/bench-<timestamp>.json and results/latest.json.`;

function fixedConcurrencies(): string {
  return WORKLOADS.filter((workload) => workload.concurrency !== undefined)
    .map((workload) => `${workload.id}=${workload.concurrency}`)
    .join(", ");
}

export interface ConcurrencyOption {
  /** For every workload, unless overridden per workload. */
  readonly all: number | null;
  readonly perWorkload: Readonly<Partial<Record<WorkloadId, number>>>;
}

export interface BenchOptions {
  /** Backend or target names; null for every registered backend. */
  readonly backends: readonly string[] | null;
  readonly workloads: readonly WorkloadId[];
  readonly quick: boolean;
  readonly skipMillion: boolean;
  readonly concurrency: ConcurrencyOption;
  /** `--concurrency` as given, for the report. */
  readonly concurrencyFlag: string | null;
  readonly out: string | null;
  readonly help: boolean;
}

/** A command-line mistake; `main` prints it with the usage. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/**
 * Parses the arguments after `node dist/main.js`. A leading `--` (which `pnpm bench -- …` may pass
 * through) is ignored.
 * @throws UsageError for unknown flags, unknown workloads or a malformed concurrency
 */
export function parseCommandLine(argv: readonly string[]): BenchOptions {
  const args = argv[0] === "--" ? argv.slice(1) : [...argv];
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        backend: { type: "string" },
        workload: { type: "string" },
        quick: { type: "boolean", default: false },
        "skip-million": { type: "boolean", default: false },
        concurrency: { type: "string" },
        out: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const skipMillion = values["skip-million"] ?? false;
  const requested = values.workload === undefined ? [...WORKLOAD_IDS] : splitList(values.workload).map(toWorkloadId);
  return {
    backends: values.backend === undefined ? null : nonEmpty(splitList(values.backend), "--backend"),
    workloads: nonEmpty(
      requested.filter((id) => !(skipMillion && id === "claim-latency-deep")),
      "--workload (after --skip-million)",
    ),
    quick: values.quick ?? false,
    skipMillion,
    concurrency: values.concurrency === undefined ? { all: null, perWorkload: {} } : parseConcurrency(values.concurrency),
    concurrencyFlag: values.concurrency ?? null,
    out: values.out ?? null,
    help: values.help ?? false,
  };
}

/** Parses `"4"`, `"claim-complete-1=24,enqueue=8"` or both. @throws UsageError */
export function parseConcurrency(spec: string): ConcurrencyOption {
  let all: number | null = null;
  const perWorkload: Partial<Record<WorkloadId, number>> = {};
  for (const part of splitList(spec)) {
    const separator = part.indexOf("=");
    if (separator === -1) {
      if (all !== null) throw new UsageError(`--concurrency gives the default twice ("${spec}")`);
      all = toWorkerCount(part);
    } else {
      const id = toWorkloadId(part.slice(0, separator).trim());
      if (WORKLOADS.some((definition) => definition.id === id && definition.concurrency !== undefined)) {
        throw new UsageError(`${id} runs at a fixed concurrency; --concurrency cannot change it`);
      }
      if (perWorkload[id] !== undefined) throw new UsageError(`--concurrency gives ${id} twice`);
      perWorkload[id] = toWorkerCount(part.slice(separator + 1).trim());
    }
  }
  return { all, perWorkload };
}

/**
 * The concurrency of `workload` for `target`: the workload's own when it fixes one (drains, claim
 * latencies), else the per-workload flag, then the global flag, then the target's default.
 */
export function concurrencyFor(option: ConcurrencyOption, workload: WorkloadId, target: TargetDefinition): number {
  const fixed = WORKLOADS.find((definition) => definition.id === workload)?.concurrency;
  return fixed ?? option.perWorkload[workload] ?? option.all ?? target.defaultConcurrency;
}

/**
 * The targets `names` select, in registry order: a backend name selects every target of that
 * backend (the Mooring backend with its baselines and peers); a target name selects that target.
 * @throws UsageError for a name that matches nothing
 */
export function selectTargets(registry: readonly TargetDefinition[], names: readonly string[] | null): TargetDefinition[] {
  if (names === null) return [...registry];
  for (const name of names) {
    if (!registry.some((target) => target.backend === name || target.name === name)) {
      const known = [...new Set(registry.flatMap((target) => [target.backend, target.name]))].join(", ");
      throw new UsageError(`unknown backend or target "${name}"; known: ${known}`);
    }
  }
  return registry.filter((target) => names.includes(target.backend) || names.includes(target.name));
}

function splitList(value: string): string[] {
  return value
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}

function nonEmpty<T>(list: T[], flag: string): T[] {
  if (list.length === 0) throw new UsageError(`${flag} selects nothing`);
  return list;
}

function toWorkloadId(value: string): WorkloadId {
  const found = WORKLOAD_IDS.find((id) => id === value);
  if (found === undefined) throw new UsageError(`unknown workload "${value}"; known: ${WORKLOAD_IDS.join(", ")}`);
  return found;
}

function toWorkerCount(value: string): number {
  const count = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(count) || count < 1 || count > 10_000) {
    throw new UsageError(`a concurrency is an integer from 1 to 10,000, got "${value}"`);
  }
  return count;
}
