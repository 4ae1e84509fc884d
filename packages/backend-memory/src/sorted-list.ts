/**
 * An ordered set of keys for the lists that page by cursor (runs, dead letters, cached snapshots,
 * tenants) and for the prefix scan of `deleteExecutionState`.
 *
 * It is a list of sorted chunks (the layout of Python's SortedContainers): finding a key is a
 * binary search over chunk ends and then within one chunk, inserting or removing moves at most one
 * chunk's worth of references, and resuming a walk after a cursor key costs O(log n). Appending a
 * key greater than every other (creation and death order) is O(1).
 */

/** Chunks split when they grow past twice this and are merged away when empty. */
const CHUNK_LOAD = 512;

export class SortedList<K> {
  readonly #compare: (a: K, b: K) => number;
  #chunks: K[][] = [];
  #size = 0;

  /** @param compare a total order: negative when a < b, 0 when equal, positive when a > b. */
  constructor(compare: (a: K, b: K) => number) {
    this.#compare = compare;
  }

  get size(): number {
    return this.#size;
  }

  /** Adds `key`; false when it was already present. */
  add(key: K): boolean {
    const chunks = this.#chunks;
    if (chunks.length === 0) {
      chunks.push([key]);
      this.#size = 1;
      return true;
    }
    let chunkIndex = this.#chunkFor(key);
    if (chunkIndex === chunks.length) chunkIndex--;
    const chunk = chunks[chunkIndex] as K[];
    const at = this.#lowerBound(chunk, key);
    if (at < chunk.length && this.#compare(chunk[at] as K, key) === 0) return false;
    if (at === chunk.length) chunk.push(key);
    else chunk.splice(at, 0, key);
    this.#size++;
    if (chunk.length > 2 * CHUNK_LOAD) chunks.splice(chunkIndex + 1, 0, chunk.splice(CHUNK_LOAD));
    return true;
  }

  /** Removes `key`; false when it was absent. */
  delete(key: K): boolean {
    const chunkIndex = this.#chunkFor(key);
    const chunk = this.#chunks[chunkIndex];
    if (chunk === undefined) return false;
    const at = this.#lowerBound(chunk, key);
    if (at >= chunk.length || this.#compare(chunk[at] as K, key) !== 0) return false;
    chunk.splice(at, 1);
    this.#size--;
    if (chunk.length === 0) this.#chunks.splice(chunkIndex, 1);
    return true;
  }

  /**
   * The keys in ascending order, starting after `after` (exclusive) or, with `inclusive`, at it;
   * from the first key when `after` is undefined. The list must not change during the walk.
   */
  *walk(after?: K, inclusive = false): Generator<K, void, undefined> {
    const chunks = this.#chunks;
    let chunkIndex = 0;
    let at = 0;
    if (after !== undefined) {
      chunkIndex = inclusive ? this.#chunkFor(after) : this.#chunkAfter(after);
      const chunk = chunks[chunkIndex];
      if (chunk === undefined) return;
      at = inclusive ? this.#lowerBound(chunk, after) : this.#upperBound(chunk, after);
    }
    for (; chunkIndex < chunks.length; chunkIndex++, at = 0) {
      const chunk = chunks[chunkIndex] as K[];
      for (; at < chunk.length; at++) yield chunk[at] as K;
    }
  }

  /**
   * The keys in descending order, starting before `before` (exclusive); from the last key when
   * `before` is undefined. The list must not change during the walk.
   */
  *walkDescending(before?: K): Generator<K, void, undefined> {
    const chunks = this.#chunks;
    if (chunks.length === 0) return;
    let chunkIndex = chunks.length - 1;
    let at = (chunks[chunkIndex] as K[]).length - 1;
    if (before !== undefined) {
      // Keys below `before` are in the first chunk whose last key is ≥ it, or in earlier ones.
      chunkIndex = Math.min(this.#chunkFor(before), chunks.length - 1);
      at = this.#lowerBound(chunks[chunkIndex] as K[], before) - 1;
    }
    for (; chunkIndex >= 0; chunkIndex--, at = (chunks[chunkIndex]?.length ?? 0) - 1) {
      const chunk = chunks[chunkIndex] as K[];
      for (; at >= 0; at--) yield chunk[at] as K;
    }
  }

  /** The first chunk whose last key is ≥ `key`; `chunks.length` when none. */
  #chunkFor(key: K): number {
    const chunks = this.#chunks;
    let low = 0;
    let high = chunks.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      const chunk = chunks[mid] as K[];
      if (this.#compare(chunk[chunk.length - 1] as K, key) < 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** The first chunk whose last key is > `key`; `chunks.length` when none. */
  #chunkAfter(key: K): number {
    const chunks = this.#chunks;
    let low = 0;
    let high = chunks.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      const chunk = chunks[mid] as K[];
      if (this.#compare(chunk[chunk.length - 1] as K, key) <= 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  #lowerBound(chunk: readonly K[], key: K): number {
    let low = 0;
    let high = chunk.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.#compare(chunk[mid] as K, key) < 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  #upperBound(chunk: readonly K[], key: K): number {
    let low = 0;
    let high = chunk.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.#compare(chunk[mid] as K, key) <= 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

/** Ascending numeric order, for sequence keys. */
export function compareNumbers(a: number, b: number): number {
  return a - b;
}
