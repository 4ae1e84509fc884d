/**
 * Measuring: a latency recorder, percentiles, rates, and the worker loop every workload runs.
 *
 * Time is `performance.now()` (monotonic, sub-millisecond); nothing here sleeps. A measured phase
 * issues a fixed number of calls spread over `concurrency` async workers and stops early at a
 * deadline, so that a slow target cannot stretch a full run past its budget.
 */

/** Percentiles and extremes of a set of latencies, in milliseconds. */
export interface LatencySummary {
  readonly count: number;
  readonly min: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

/**
 * The nearest-rank percentile of ascending `sorted` values: the smallest value such that at least
 * `percent` % of the values are less than or equal to it. Always one of the recorded values (no
 * interpolation), so a p99 is a latency some call really had.
 * @throws RangeError for an empty array or a percent outside [0, 100]
 */
export function percentile(sorted: ArrayLike<number>, percent: number): number {
  if (sorted.length === 0) throw new RangeError("percentile of an empty set");
  if (!(percent >= 0 && percent <= 100)) throw new RangeError(`percent must be within [0, 100], got ${percent}`);
  const rank = Math.max(1, Math.ceil((percent / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

/** Summarises latencies (any order); null when there are none. */
export function summarizeLatencies(values: ArrayLike<number>): LatencySummary | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (const value of sorted) sum += value;
  return {
    count: sorted.length,
    min: sorted[0] as number,
    mean: sum / sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    p999: percentile(sorted, 99.9),
    max: sorted[sorted.length - 1] as number,
  };
}

/**
 * Items per second over `elapsedMs`; null when nothing measurable elapsed (a rate over zero time
 * would be infinite, and a rate of zero items says nothing).
 */
export function ratePerSecond(items: number, elapsedMs: number): number | null {
  if (!(elapsedMs > 0) || items <= 0) return null;
  return (items * 1000) / elapsedMs;
}

/** `value / reference`, or null when either is missing or the reference is not positive. */
export function ratio(value: number | null | undefined, reference: number | null | undefined): number | null {
  if (value === null || value === undefined || reference === null || reference === undefined) return null;
  if (!(reference > 0) || !Number.isFinite(value)) return null;
  return value / reference;
}

/** Collects latencies into a preallocated buffer, so recording allocates nothing. */
export class LatencyRecorder {
  #values: Float64Array;
  #count = 0;

  constructor(capacity: number) {
    this.#values = new Float64Array(Math.max(1, capacity));
  }

  get count(): number {
    return this.#count;
  }

  record(ms: number): void {
    if (this.#count === this.#values.length) {
      const grown = new Float64Array(this.#values.length * 2);
      grown.set(this.#values);
      this.#values = grown;
    }
    this.#values[this.#count++] = ms;
  }

  summary(): LatencySummary | null {
    return summarizeLatencies(this.#values.subarray(0, this.#count));
  }
}

/** One phase of calls: how many, how parallel, and when to give up. */
export interface PhasePlan {
  /** Calls to issue in total across all workers. */
  readonly calls: number;
  /** Async workers issuing calls at once; each awaits its call before the next. */
  readonly concurrency: number;
  /** Stop issuing new calls after this many milliseconds (calls in flight finish). */
  readonly maxMs: number;
}

/**
 * One call of a workload. `call` is the global index of the call (0-based), `worker` the index of
 * the worker issuing it. Resolves to the number of items the call handled (tasks, events, keys),
 * which may differ from 1 for batch calls.
 */
export type Operation = (call: number, worker: number) => Promise<number>;

/** What a phase measured. */
export interface PhaseResult {
  readonly calls: number;
  readonly items: number;
  readonly elapsedMs: number;
  /**
   * CPU time (user + system, all threads) this process used during the phase. Below `elapsedMs`
   * for a CPU-bound in-process target, it shows that other processes took the CPUs: the figures
   * of that phase are contended.
   */
  readonly cpuMs: number;
  /** True when the deadline stopped the phase before every planned call was issued. */
  readonly truncated: boolean;
  /** Latency of each call, as the caller saw it. */
  readonly latency: LatencySummary | null;
}

/**
 * Runs `plan.calls` calls of `operation` over `plan.concurrency` workers and times each call.
 * Calls are handed out from one shared counter, so the workers together issue each index once.
 * A call that throws ends the phase with that error: a benchmark that hides failures would report
 * the speed of failing.
 */
export async function runPhase(plan: PhasePlan, operation: Operation): Promise<PhaseResult> {
  assertPlan(plan);
  const recorder = new LatencyRecorder(plan.calls);
  let nextCall = 0;
  let items = 0;
  let truncated = false;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + plan.maxMs;

  const worker = async (workerIndex: number): Promise<void> => {
    while (nextCall < plan.calls) {
      const before = performance.now();
      if (before >= deadline) {
        truncated = true;
        return;
      }
      const call = nextCall++;
      // Awaited first: `items += await …` would read `items` before the await and lose the
      // other workers' additions.
      const handled = await operation(call, workerIndex);
      recorder.record(performance.now() - before);
      items += handled;
    }
  };

  const workers: Promise<void>[] = [];
  for (let index = 0; index < Math.min(plan.concurrency, plan.calls); index++) workers.push(worker(index));
  await Promise.all(workers);
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return { calls: recorder.count, items, elapsedMs, cpuMs: (cpu.user + cpu.system) / 1000, truncated, latency: recorder.summary() };
}

/**
 * A warm-up phase then a measured phase of the same operation. The warm-up lets V8 optimise the
 * call path and fills caches (SQLite pages, hidden classes); its figures are discarded. Call
 * indexes continue across the two phases so that an operation can address distinct items.
 */
export async function warmUpAndMeasure(
  warmUp: PhasePlan,
  measured: PhasePlan,
  operation: Operation,
): Promise<PhaseResult> {
  if (warmUp.calls > 0) await runPhase(warmUp, operation);
  const offset = warmUp.calls;
  collectGarbage();
  return runPhase(measured, (call, worker) => operation(call + offset, worker));
}

/**
 * Runs a full collection when the process was started with `--expose-gc`, so that garbage from a
 * set-up phase is not collected inside the measured phase. Without the flag it does nothing.
 */
export function collectGarbage(): void {
  const gc: unknown = (globalThis as { gc?: unknown }).gc;
  if (typeof gc === "function") (gc as () => void)();
}

function assertPlan(plan: PhasePlan): void {
  if (!Number.isSafeInteger(plan.calls) || plan.calls < 0) throw new RangeError(`calls must be a non-negative integer, got ${plan.calls}`);
  if (!Number.isSafeInteger(plan.concurrency) || plan.concurrency < 1) {
    throw new RangeError(`concurrency must be a positive integer, got ${plan.concurrency}`);
  }
  if (!(plan.maxMs > 0)) throw new RangeError(`maxMs must be positive, got ${plan.maxMs}`);
}
