/**
 * What this process last read or wrote, so that the runtime's hot path does not read it back from
 * the store on every call. Two uses, each safe for its own reason:
 *
 * - **Events** are immutable once appended (SPEC W7): an event found by run and id is the same
 *   record for as long as the run exists, so a copy kept here is as good as a read.
 * - **Runs** are only a starting guess for `events.create`: the commit it plans names the sequence
 *   the guess was taken at (W8), so a guess that another writer has overtaken fails the commit with
 *   SEQUENCE_CONFLICT and the writer reads the run again. A decision other than a commit (an error,
 *   an idempotent no-op) is never taken on a guess: it is taken again on a fresh read.
 *
 * Both are bounded by entry count and evict the least recently used entry; each hit is a copy, so
 * no caller can change what another one reads.
 */
import type { EventRecord, RunRecord } from "@mooring/core";

/** A bounded map that forgets the entry used least recently; `get` returns a copy. */
export class RecentCache<V> {
  readonly #entries = new Map<string, V>();
  readonly #capacity: number;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  get(key: string): V | undefined {
    const value = this.#entries.get(key);
    if (value === undefined) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, value);
    return structuredClone(value);
  }

  set(key: string, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, structuredClone(value));
    if (this.#entries.size > this.#capacity) this.#entries.delete(this.#entries.keys().next().value!);
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  get size(): number {
    return this.#entries.size;
  }
}

/** A run as `events.create` last saw it: its record and the latest sequence read before it. */
export interface RunGuess {
  readonly latestSequence: number;
  readonly record: RunRecord;
}

/** The events and runs one World process keeps; sized for a dispatcher's deliveries in flight. */
export interface Recent {
  readonly events: RecentCache<EventRecord>;
  readonly runs: RecentCache<RunGuess>;
}

export const RECENT_EVENTS = 4_096;
export const RECENT_RUNS = 256;

export function createRecent(): Recent {
  return { events: new RecentCache(RECENT_EVENTS), runs: new RecentCache(RECENT_RUNS) };
}

/** The cache key of an event: its run and id (ids are unique per run, W15). */
export const eventKey = (runId: string, eventId: string): string => `${runId}\u0000${eventId}`;
