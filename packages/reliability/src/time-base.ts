/**
 * One time line for every process of a scenario. Histories recorded by several processes are
 * merged and checked for real-time order ("B's claim completed before A's commit was invoked"),
 * so their timestamps must be comparable exactly, not to within the wall clock's adjustments.
 *
 * `process.hrtime` reads CLOCK_MONOTONIC, which on Linux (and macOS) is one clock for the whole
 * machine: two processes reading it see one time line. The parent fixes `offsetMs` once
 * (wall time minus monotonic time) and hands it to every child, so every process stamps
 * `monotonic + offset`: exactly comparable across processes, and within a few milliseconds of the
 * wall clock (and so of the server clocks lease expiries are measured in) for a run of minutes.
 */

/** The machine's monotonic clock, in milliseconds with sub-millisecond precision. */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export interface TimeBase {
  /** Wall time minus monotonic time, fixed once by the scenario's parent process. */
  readonly offsetMs: number;
}

/** A new time base anchored to the wall clock now. */
export function anchorTimeBase(): TimeBase {
  return { offsetMs: Date.now() - monotonicMs() };
}

/** The epoch-millisecond time on `base`'s time line. */
export function timeOn(base: TimeBase): () => number {
  const offset = base.offsetMs;
  return () => monotonicMs() + offset;
}
