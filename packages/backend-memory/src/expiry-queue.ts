/**
 * Physical removal of expired entries (state-store TTLs, idempotency keys, buffered signals).
 *
 * Expiry is decided at read time (an entry is invisible once `now ≥ expiresAt`, SPEC S2), so
 * removal is only about memory: each call prunes a bounded batch of due entries, and entries made
 * obsolete by an overwrite are swept in bulk once they dominate the queue.
 */
import { PriorityQueue } from "./priority-queue.js";

interface Scheduled {
  readonly at: number;
  readonly seq: number;
  /** Whether the entry still stands (not overwritten, taken or deleted since). */
  readonly isCurrent: () => boolean;
  /** Removes the entry from its table. Called only while current. */
  readonly remove: () => void;
}

const before = (a: Scheduled, b: Scheduled): boolean => (a.at !== b.at ? a.at < b.at : a.seq < b.seq);

/** Due entries removed per call, so that one call never pays for a large backlog. */
const PRUNE_BATCH = 64;
/** Obsolete entries tolerated before a bulk sweep. */
const SWEEP_SLACK = 1024;

export class ExpiryQueue {
  readonly #queue = new PriorityQueue<Scheduled>(before);
  #seq = 0;
  #sizeAfterSweep = 0;

  /** Schedules the removal of an entry at `at` (epoch ms). */
  schedule(at: number, isCurrent: () => boolean, remove: () => void): void {
    this.#queue.push({ at, seq: ++this.#seq, isCurrent, remove });
    if (this.#queue.size > 2 * this.#sizeAfterSweep + SWEEP_SLACK) {
      this.#queue.retain((entry) => entry.isCurrent());
      this.#sizeAfterSweep = this.#queue.size;
    }
  }

  /** Removes up to a batch of entries whose time has come. */
  prune(now: number): void {
    for (let i = 0; i < PRUNE_BATCH; i++) {
      const top = this.#queue.peek();
      if (top === undefined || top.at > now) return;
      this.#queue.pop();
      if (top.isCurrent()) top.remove();
    }
  }
}
