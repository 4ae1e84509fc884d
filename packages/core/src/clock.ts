/**
 * Time for every decision a backend makes (SPEC C3): lease expiry, run-at, TTL, backoff.
 */

/** A source of epoch milliseconds. */
export interface Clock {
  now(): number;
}

/** The process clock. Server backends prefer the server's clock when no clock is injected. */
export const systemClock: Clock = Object.freeze({ now: () => Date.now() });

/**
 * A clock that moves only when told to. Tests inject it and advance it instead of sleeping.
 * It never goes backwards: a lease that has expired stays expired.
 */
export class ManualClock implements Clock {
  #now: number;

  /** @param start epoch milliseconds; defaults to 2030-01-01T00:00:00Z so tests never depend on today. */
  constructor(start = Date.UTC(2030, 0, 1)) {
    assertEpoch(start);
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  /** Moves time forward by `ms` (a non-negative integer) and returns the new time. */
  advance(ms: number): number {
    if (!Number.isSafeInteger(ms) || ms < 0) {
      throw new RangeError(`ManualClock.advance takes a non-negative integer, got ${String(ms)}`);
    }
    this.#now += ms;
    return this.#now;
  }

  /** Sets the time; it may only move forward. */
  set(epochMs: number): void {
    assertEpoch(epochMs);
    if (epochMs < this.#now) {
      throw new RangeError(`ManualClock never goes backwards (now ${this.#now}, asked ${epochMs})`);
    }
    this.#now = epochMs;
  }
}

function assertEpoch(value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`a clock time is a non-negative integer of epoch milliseconds, got ${String(value)}`);
  }
}
