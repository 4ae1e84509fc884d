import type { CacheSnapshot, CacheSnapshotInput, Page, PageRequest, TtlOptions } from "../types.js";

/**
 * The fast cache of a tenant: snapshots and byte values with TTL. It is not the source of truth:
 * a cached snapshot carries the sequence it reflects, and callers compare it with
 * `WorkflowStore.latestSequence`. An entry whose TTL has passed is invisible to every read at
 * once, whether or not it was physically removed (SPEC S2).
 */
export interface StateStore {
  /** Saves (overwrites) the execution's cached snapshot. @see SPEC S1 */
  saveSnapshot(snapshot: CacheSnapshotInput): Promise<void>;

  /** The cached snapshot, or null when absent or expired. @see SPEC S1 */
  loadSnapshot(executionId: string): Promise<CacheSnapshot | null>;

  /** Removes the cached snapshot; false when absent or expired. @see SPEC S1 */
  deleteSnapshot(executionId: string): Promise<boolean>;

  /** Execution ids with a live cached snapshot, in ascending code-point order. @see SPEC S1, C5 */
  listSnapshots(request: PageRequest): Promise<Page<string>>;

  /** Stores bytes under `key`, replacing any value and TTL. @see SPEC S2 */
  set(key: string, value: Uint8Array, options?: TtlOptions): Promise<void>;

  /** The bytes, or null when absent or expired. @see SPEC S2 */
  get(key: string): Promise<Uint8Array | null>;

  /** Whether a live value exists. @see SPEC S2 */
  exists(key: string): Promise<boolean>;

  /** Removes the value; false when absent or expired. @see SPEC S2 */
  delete(key: string): Promise<boolean>;

  /** Stores only when no live value exists; of k concurrent attempts exactly one wins. @see SPEC S3 */
  setIfAbsent(key: string, value: Uint8Array, options?: TtlOptions): Promise<boolean>;

  /**
   * Replaces the value only when the live value equals `expected` byte for byte (`null`: only when
   * absent); of k concurrent attempts with the same `expected` exactly one wins. @see SPEC S3
   */
  compareAndSet(key: string, expected: Uint8Array | null, next: Uint8Array, options?: TtlOptions): Promise<boolean>;

  /**
   * Removes the execution's cached snapshot and every key built by `executionKey(executionId, …)`,
   * and nothing else, whatever characters the ids hold. Returns how many entries were removed.
   * @see SPEC S4
   */
  deleteExecutionState(executionId: string): Promise<number>;
}
