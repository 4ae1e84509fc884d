/**
 * StateStore of the memory backend (SPEC S1–S4): cached snapshots and byte values of one tenant,
 * with TTL. An entry is live while `now < expiresAt` and every read checks it, so an expired
 * entry is invisible at once (S2); physical removal happens in bounded batches as calls go by.
 */
import {
  type CacheSnapshot,
  type CacheSnapshotInput,
  compareCodePoints,
  executionKeyPrefix,
  type Json,
  type Page,
  type PageRequest,
  type StateStore,
  type TtlOptions,
} from "@mooring/core";
import type { FacetContext } from "./context.js";
import { bytesEqual, copyBytes, copyJson } from "./copy.js";
import { pageOf } from "./cursor.js";
import { ExpiryQueue } from "./expiry-queue.js";
import { SortedList } from "./sorted-list.js";

/**
 * Every key `executionKey` builds starts with this (decisions.md: `mooring/exec/<utf8 length of
 * id>/<id>/<name>`), so only such keys need the prefix index.
 */
const OWNED_KEY_MARK = "mooring/exec/";

interface ValueEntry {
  readonly value: Uint8Array;
  readonly expiresAt: number | null;
}

interface SnapshotEntry {
  readonly sequence: number;
  readonly state: Json;
  readonly savedAt: number;
  readonly expiresAt: number | null;
}

const isLive = (entry: { readonly expiresAt: number | null }, now: number): boolean => entry.expiresAt === null || now < entry.expiresAt;

/** The cache of one tenant. */
export class CacheSpace {
  readonly snapshots = new Map<string, SnapshotEntry>();
  /** Execution ids in code-point order, for listSnapshots. */
  readonly snapshotIds = new SortedList<string>(compareCodePoints);
  readonly values = new Map<string, ValueEntry>();
  /** Keys under OWNED_KEY_MARK in code-point order: one execution's keys are one contiguous run. */
  readonly ownedKeys = new SortedList<string>(compareCodePoints);
  readonly expiry = new ExpiryQueue();

  putValue(key: string, value: Uint8Array, ttlMs: number | undefined, now: number): void {
    const entry: ValueEntry = { value: copyBytes(value), expiresAt: ttlMs === undefined ? null : now + ttlMs };
    this.values.set(key, entry);
    if (key.startsWith(OWNED_KEY_MARK)) this.ownedKeys.add(key);
    if (entry.expiresAt !== null) {
      this.expiry.schedule(
        entry.expiresAt,
        () => this.values.get(key) === entry,
        () => this.removeValue(key),
      );
    }
  }

  removeValue(key: string): void {
    if (this.values.delete(key) && key.startsWith(OWNED_KEY_MARK)) this.ownedKeys.delete(key);
  }

  putSnapshot(executionId: string, entry: SnapshotEntry): void {
    this.snapshots.set(executionId, entry);
    this.snapshotIds.add(executionId);
    if (entry.expiresAt !== null) {
      this.expiry.schedule(
        entry.expiresAt,
        () => this.snapshots.get(executionId) === entry,
        () => this.removeSnapshot(executionId),
      );
    }
  }

  removeSnapshot(executionId: string): void {
    if (this.snapshots.delete(executionId)) this.snapshotIds.delete(executionId);
  }

  liveValue(key: string, now: number): ValueEntry | undefined {
    const entry = this.values.get(key);
    return entry !== undefined && isLive(entry, now) ? entry : undefined;
  }
}

export class MemoryStateStore implements StateStore {
  readonly #context: FacetContext;
  readonly #cache: CacheSpace;

  constructor(context: FacetContext, cache: CacheSpace) {
    this.#context = context;
    this.#cache = cache;
  }

  async saveSnapshot(snapshot: CacheSnapshotInput): Promise<void> {
    const now = this.#now();
    this.#cache.putSnapshot(snapshot.executionId, {
      sequence: snapshot.sequence,
      state: copyJson(snapshot.state),
      savedAt: now,
      expiresAt: snapshot.ttlMs === undefined ? null : now + snapshot.ttlMs,
    });
  }

  async loadSnapshot(executionId: string): Promise<CacheSnapshot | null> {
    const now = this.#now();
    const entry = this.#cache.snapshots.get(executionId);
    if (entry === undefined || !isLive(entry, now)) return null;
    return { executionId, sequence: entry.sequence, state: copyJson(entry.state), savedAt: entry.savedAt };
  }

  async deleteSnapshot(executionId: string): Promise<boolean> {
    const now = this.#now();
    const entry = this.#cache.snapshots.get(executionId);
    if (entry === undefined) return false;
    this.#cache.removeSnapshot(executionId);
    return isLive(entry, now);
  }

  async listSnapshots(request: PageRequest): Promise<Page<string>> {
    const now = this.#now();
    return pageOf("snapshots", this.#cache.snapshotIds, request, (executionId) => {
      const entry = this.#cache.snapshots.get(executionId);
      return entry !== undefined && isLive(entry, now) ? executionId : undefined;
    });
  }

  async set(key: string, value: Uint8Array, options: TtlOptions = {}): Promise<void> {
    this.#cache.putValue(key, value, options.ttlMs, this.#now());
  }

  async get(key: string): Promise<Uint8Array | null> {
    const entry = this.#cache.liveValue(key, this.#now());
    return entry === undefined ? null : copyBytes(entry.value);
  }

  async exists(key: string): Promise<boolean> {
    return this.#cache.liveValue(key, this.#now()) !== undefined;
  }

  async delete(key: string): Promise<boolean> {
    const now = this.#now();
    const live = this.#cache.liveValue(key, now) !== undefined;
    this.#cache.removeValue(key);
    return live;
  }

  /** S3: the check and the write happen in one synchronous step, so one of k racers wins. */
  async setIfAbsent(key: string, value: Uint8Array, options: TtlOptions = {}): Promise<boolean> {
    const now = this.#now();
    if (this.#cache.liveValue(key, now) !== undefined) return false;
    this.#cache.putValue(key, value, options.ttlMs, now);
    return true;
  }

  async compareAndSet(key: string, expected: Uint8Array | null, next: Uint8Array, options: TtlOptions = {}): Promise<boolean> {
    const now = this.#now();
    const current = this.#cache.liveValue(key, now);
    const matches = expected === null ? current === undefined : current !== undefined && bytesEqual(current.value, expected);
    if (!matches) return false;
    this.#cache.putValue(key, next, options.ttlMs, now);
    return true;
  }

  /**
   * S4: the snapshot of `executionId` and every key under its exact `executionKeyPrefix`, found by
   * a range walk of the code-point-ordered key index (a literal prefix, never a pattern).
   */
  async deleteExecutionState(executionId: string): Promise<number> {
    const now = this.#now();
    const cache = this.#cache;
    let removed = 0;
    const snapshot = cache.snapshots.get(executionId);
    if (snapshot !== undefined) {
      if (isLive(snapshot, now)) removed++;
      cache.removeSnapshot(executionId);
    }
    const prefix = executionKeyPrefix(executionId);
    const owned: string[] = [];
    for (const key of cache.ownedKeys.walk(prefix, true)) {
      if (!key.startsWith(prefix)) break;
      owned.push(key);
    }
    for (const key of owned) {
      if (cache.liveValue(key, now) !== undefined) removed++;
      cache.removeValue(key);
    }
    return removed;
  }

  /** The time of this call; also prunes a batch of expired entries (invisible either way). */
  #now(): number {
    const now = this.#context.clock.now();
    this.#cache.expiry.prune(now);
    return now;
  }
}
