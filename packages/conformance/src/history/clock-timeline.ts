/**
 * What a history says about the backend's clock (SPEC C3) at each real time: leases expire in the
 * backend's clock, entries are stamped in real time, and the checker must map one to the other
 * without ever assuming more than the history proves.
 */
import { HISTORY_OPS, type HistoryEntry } from "./types.js";

export interface ClockTimeline {
  /**
   * The earliest real time at which the backend's clock may have read `value` or more
   * (+∞ when the history never shows it getting there).
   */
  reach(value: number): number;
  /** The least the backend's clock can have read at real time `at` (−∞ when unknown). */
  atLeast(at: number): number;
}

/**
 * `recorded`: the clock is a manual clock whose every advance is a `clock` entry (the kit's way,
 * `HistoryRecorder.advanceClock`). `wall`: the clock is real time (the system's or the server's)
 * and reads within `skewMs` of the recorder's times. `auto` (the default) is `recorded` when the
 * history has `clock` entries, else `wall`.
 */
export type ClockModel = { readonly kind: "auto" } | { readonly kind: "recorded" } | { readonly kind: "wall"; readonly skewMs?: number };

/** How far the backend's clock may be from the recorder's in `wall` mode, by default. */
export const DEFAULT_WALL_SKEW_MS = 50;

interface Reading {
  readonly invokedAt: number;
  readonly completedAt: number;
  readonly now: number;
}

/** The timeline of `entries` under `model`. @throws Error for `recorded` without clock entries. */
export function clockTimeline(entries: readonly HistoryEntry[], model: ClockModel = { kind: "auto" }): ClockTimeline {
  const readings = clockReadings(entries);
  if (model.kind === "wall" || (model.kind === "auto" && readings.length === 0)) {
    const skew = model.kind === "wall" ? (model.skewMs ?? DEFAULT_WALL_SKEW_MS) : DEFAULT_WALL_SKEW_MS;
    return { reach: (value) => value - skew, atLeast: (at) => at - skew };
  }
  if (readings.length === 0) throw new Error('clock model "recorded" needs clock entries (HistoryRecorder.advanceClock / readClock)');
  return recordedTimeline(readings);
}

function clockReadings(entries: readonly HistoryEntry[]): Reading[] {
  const readings: Reading[] = [];
  for (const entry of entries) {
    if (entry.op !== HISTORY_OPS.clock || entry.outcome !== "ok") continue;
    const now = (entry.value as { now?: unknown } | null)?.now;
    if (typeof now !== "number" || !Number.isFinite(now)) throw new Error(`clock entry #${entry.index} has no numeric value.now`);
    readings.push({ invokedAt: entry.invokedAt, completedAt: entry.completedAt ?? Number.POSITIVE_INFINITY, now });
  }
  return readings;
}

/** A non-decreasing running maximum of `values`. */
function runningMax(values: readonly number[]): number[] {
  let max = Number.NEGATIVE_INFINITY;
  return values.map((value) => (max = Math.max(max, value)));
}

/** The first index whose `keys[i] >= target` in a non-decreasing array; `keys.length` when none. */
function firstAtLeast(keys: readonly number[], target: number): number {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((keys[middle] as number) >= target) high = middle;
    else low = middle + 1;
  }
  return low;
}

/**
 * The clock moves only inside recorded entries: it reaches a value no earlier than the invocation
 * of the first entry that shows it there, and by an entry's completion it reads at least what the
 * entry returned.
 */
function recordedTimeline(readings: readonly Reading[]): ClockTimeline {
  const byInvocation = [...readings].sort((a, b) => a.invokedAt - b.invokedAt);
  const invokedAt = byInvocation.map((reading) => reading.invokedAt);
  const reachedByInvocation = runningMax(byInvocation.map((reading) => reading.now));
  const byCompletion = [...readings].sort((a, b) => a.completedAt - b.completedAt);
  const completedAt = byCompletion.map((reading) => reading.completedAt);
  const reachedByCompletion = runningMax(byCompletion.map((reading) => reading.now));
  return {
    reach: (value) => {
      const index = firstAtLeast(reachedByInvocation, value);
      return index === invokedAt.length ? Number.POSITIVE_INFINITY : (invokedAt[index] as number);
    },
    atLeast: (at) => {
      // The readings that completed strictly before `at`.
      const count = firstAtLeast(completedAt, at);
      return count === 0 ? Number.NEGATIVE_INFINITY : (reachedByCompletion[count - 1] as number);
    },
  };
}
