/**
 * A binary heap under a strict "comes before" order, with the two helpers lazy deletion needs.
 *
 * The engine never removes an entry from the middle of a heap: when a task moves, it pushes a new
 * entry and the old one goes stale (its version no longer matches the task). Stale entries are
 * dropped when they reach the top (`peekLive`) or in bulk (`retain`) once they outnumber the live
 * ones, so every operation stays O(log n) amortized and memory stays proportional to live entries.
 */
export class BinaryHeap<T> {
  readonly #before: (a: T, b: T) => boolean;
  #items: T[] = [];

  /** @param before true when `a` must come out before `b` (a strict weak order). */
  constructor(before: (a: T, b: T) => boolean) {
    this.#before = before;
  }

  /** Entries held, stale ones included. */
  get size(): number {
    return this.#items.length;
  }

  /** The first entry, or undefined when empty. O(1). */
  peek(): T | undefined {
    return this.#items[0];
  }

  /** Adds an entry. O(log n). */
  push(item: T): void {
    const items = this.#items;
    items.push(item);
    this.#siftUp(items.length - 1);
  }

  /** Removes and returns the first entry. O(log n). */
  pop(): T | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      this.#siftDown(0);
    }
    return top;
  }

  /** Drops stale entries from the top and returns the first live one, or undefined. */
  peekLive(isLive: (item: T) => boolean): T | undefined {
    let top = this.#items[0];
    while (top !== undefined && !isLive(top)) {
      this.pop();
      top = this.#items[0];
    }
    return top;
  }

  /** Keeps only the entries `keep` accepts and restores the heap order. O(n). */
  retain(keep: (item: T) => boolean): void {
    this.#items = this.#items.filter(keep);
    for (let i = (this.#items.length >> 1) - 1; i >= 0; i--) this.#siftDown(i);
  }

  /** Every entry, in no particular order (for inspection and tests). */
  toArray(): T[] {
    return [...this.#items];
  }

  #siftUp(index: number): void {
    const items = this.#items;
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
    const items = this.#items;
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
