/**
 * A priority queue under a strict "comes before" order, with the two helpers lazy deletion needs.
 *
 * Entries that arrive in order (each not before the last one that did) are appended to a sorted
 * run, O(1); the others go to a binary heap, O(log n); the first entry is the earlier of the two
 * heads. Queues mostly receive their entries in order (tasks enqueued now, leases of one length,
 * ready times that only grow), so a deep queue is served from the run at the cost of a shallow one,
 * and the heap holds only what arrived out of order.
 *
 * The engine never removes an entry from the middle of a queue: when a task moves, it pushes a new
 * entry and the old one goes stale (its version no longer matches the task). Stale entries are
 * dropped when they reach the front (`peekLive`) or in bulk (`retain`) once they outnumber the live
 * ones, so every operation stays O(log n) amortized and memory stays proportional to live entries.
 */
export class PriorityQueue<T> {
  readonly #before: (a: T, b: T) => boolean;
  #heap: T[] = [];
  /** Entries in order from `#runStart` on; the slots before it were popped. */
  #run: T[] = [];
  #runStart = 0;

  /** @param before true when `a` must come out before `b` (a strict weak order). */
  constructor(before: (a: T, b: T) => boolean) {
    this.#before = before;
  }

  /** Entries held, stale ones included. */
  get size(): number {
    return this.#heap.length + this.#run.length - this.#runStart;
  }

  /** The first entry, or undefined when empty. O(1). */
  peek(): T | undefined {
    return this.#runFirst() ? this.#run[this.#runStart] : this.#heap[0];
  }

  /** Adds an entry: O(1) when it is not before the last entry added in order, else O(log n). */
  push(item: T): void {
    const run = this.#run;
    if (run.length === this.#runStart || !this.#before(item, run[run.length - 1] as T)) {
      run.push(item);
      return;
    }
    const heap = this.#heap;
    heap.push(item);
    this.#siftUp(heap.length - 1);
  }

  /** Removes and returns the first entry. O(1) from the run, O(log n) from the heap. */
  pop(): T | undefined {
    if (this.#runFirst()) return this.#shiftRun();
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last !== undefined) {
      heap[0] = last;
      this.#siftDown(0);
    }
    return top;
  }

  /** Drops stale entries from the front and returns the first live one, or undefined. */
  peekLive(isLive: (item: T) => boolean): T | undefined {
    let first = this.peek();
    while (first !== undefined && !isLive(first)) {
      this.pop();
      first = this.peek();
    }
    return first;
  }

  /** Keeps only the entries `keep` accepts and restores the order. O(n). */
  retain(keep: (item: T) => boolean): void {
    // A subsequence of a sorted run is sorted.
    this.#run = this.#run.slice(this.#runStart).filter(keep);
    this.#runStart = 0;
    this.#heap = this.#heap.filter(keep);
    for (let i = (this.#heap.length >> 1) - 1; i >= 0; i--) this.#siftDown(i);
  }

  /** Every entry, in no particular order (for inspection and tests). */
  toArray(): T[] {
    return [...this.#run.slice(this.#runStart), ...this.#heap];
  }

  /** Whether the first entry is the run's (the heap's head does not come before it). */
  #runFirst(): boolean {
    if (this.#runStart === this.#run.length) return false;
    const top = this.#heap[0];
    return top === undefined || !this.#before(top, this.#run[this.#runStart] as T);
  }

  #shiftRun(): T {
    const run = this.#run;
    const first = run[this.#runStart] as T;
    run[this.#runStart] = undefined as T;
    this.#runStart++;
    if (this.#runStart === run.length) {
      this.#run = [];
      this.#runStart = 0;
    } else if (this.#runStart >= 1024 && this.#runStart * 2 >= run.length) {
      // Popped slots are given back once they are half the array, so each slot is moved O(1) times.
      this.#run = run.slice(this.#runStart);
      this.#runStart = 0;
    }
    return first;
  }

  #siftUp(index: number): void {
    const items = this.#heap;
    const item = items[index] as T;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = items[parentIndex] as T;
      if (!this.#before(item, parent)) break;
      items[index] = parent;
      index = parentIndex;
    }
    items[index] = item;
  }

  #siftDown(index: number): void {
    const items = this.#heap;
    const length = items.length;
    const item = items[index] as T;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= length) break;
      const right = left + 1;
      let child = left;
      if (right < length && this.#before(items[right] as T, items[left] as T)) child = right;
      const candidate = items[child] as T;
      if (!this.#before(candidate, item)) break;
      items[index] = candidate;
      index = child;
    }
    items[index] = item;
  }
}
