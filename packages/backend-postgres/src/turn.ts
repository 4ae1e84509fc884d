/**
 * The calls of one turn of the event loop, handed over together when the turn ends: how claims and
 * completions made at the same moment come to share one statement (claims.ts, completions.ts).
 * Waiting for the end of the turn (`setImmediate`) adds no timer and no measurable latency.
 */
export class TurnQueue<T> {
  readonly #flush: (items: T[]) => void;
  #items: T[] = [];
  #scheduled = false;

  /** `flush` receives every item pushed during a turn, in push order, once that turn ends. */
  constructor(flush: (items: T[]) => void) {
    this.#flush = flush;
  }

  push(item: T): void {
    this.#items.push(item);
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      const items = this.#items;
      this.#items = [];
      this.#flush(items);
    });
  }
}

/**
 * Removes from the front of `items` and returns the longest run whose sizes (by `size`) add up to
 * at most `max`; an item larger than `max` is a run of its own. Empty only when `items` is.
 */
export function takeChunk<T>(items: T[], max: number, size: (item: T) => number = () => 1): T[] {
  let count = 0;
  let total = 0;
  for (const item of items) {
    if (count > 0 && total + size(item) > max) break;
    total += size(item);
    count++;
  }
  return items.splice(0, count);
}

/** `items` cut into runs whose sizes (by `size`) add up to at most `max` (see `takeChunk`). */
export function chunks<T>(items: readonly T[], max: number, size: (item: T) => number = () => 1): T[][] {
  const rest = [...items];
  const runs: T[][] = [];
  while (rest.length > 0) runs.push(takeChunk(rest, max, size));
  return runs;
}
