/**
 * The model of one tenant's StateStore: cached snapshots and byte values with TTL (SPEC S1–S4).
 * An entry expires at `setAt + ttlMs` and is invisible from that instant (`now ≥ expiresAt`),
 * whether or not a backend has physically removed it.
 */
import type { CacheSnapshot, CacheSnapshotInput, Json, TtlOptions } from "@mooring/core";
import { byCodePoint, bytesEqual, copy, ownedKeyPrefix } from "./json.js";

interface ValueEntry {
  value: Uint8Array;
  expiresAt: number | null;
}

interface SnapshotEntry {
  sequence: number;
  state: Json;
  savedAt: number;
  expiresAt: number | null;
}

export interface CacheState {
  values: Map<string, ValueEntry>;
  snapshots: Map<string, SnapshotEntry>;
}

const live = (entry: { expiresAt: number | null } | undefined, now: number): boolean =>
  entry !== undefined && (entry.expiresAt === null || now < entry.expiresAt);

const expiry = (ttlMs: number | undefined, now: number): number | null => (ttlMs === undefined ? null : now + ttlMs);

export class CacheModel {
  #state: CacheState = { values: new Map(), snapshots: new Map() };

  checkpoint(): CacheState {
    return copy(this.#state);
  }

  rollback(state: CacheState): void {
    this.#state = state;
  }

  // -------------------------------------------------------------------------------------------
  // Cached snapshots (SPEC S1)

  saveSnapshot(input: CacheSnapshotInput, now: number): void {
    this.#state.snapshots.set(input.executionId, {
      sequence: input.sequence,
      state: copy(input.state),
      savedAt: now,
      expiresAt: expiry(input.ttlMs, now),
    });
  }

  loadSnapshot(executionId: string, now: number): CacheSnapshot | null {
    const entry = this.#state.snapshots.get(executionId);
    if (!entry || !live(entry, now)) return null;
    return { executionId, sequence: entry.sequence, state: copy(entry.state), savedAt: entry.savedAt };
  }

  deleteSnapshot(executionId: string, now: number): boolean {
    const existed = live(this.#state.snapshots.get(executionId), now);
    this.#state.snapshots.delete(executionId);
    return existed;
  }

  /** Every live execution id in code-point order; the caller pages through it. */
  listSnapshots(now: number): string[] {
    return [...this.#state.snapshots].filter(([, entry]) => live(entry, now)).map(([id]) => id).sort(byCodePoint);
  }

  // -------------------------------------------------------------------------------------------
  // Byte values (SPEC S2, S3)

  /** Replaces value and TTL; without `ttlMs` the value never expires. */
  set(key: string, value: Uint8Array, options: TtlOptions | undefined, now: number): void {
    this.#state.values.set(key, { value: value.slice(), expiresAt: expiry(options?.ttlMs, now) });
  }

  get(key: string, now: number): Uint8Array | null {
    const entry = this.#state.values.get(key);
    return entry && live(entry, now) ? entry.value.slice() : null;
  }

  exists(key: string, now: number): boolean {
    return live(this.#state.values.get(key), now);
  }

  delete(key: string, now: number): boolean {
    const existed = live(this.#state.values.get(key), now);
    this.#state.values.delete(key);
    return existed;
  }

  setIfAbsent(key: string, value: Uint8Array, options: TtlOptions | undefined, now: number): boolean {
    if (this.exists(key, now)) return false;
    this.set(key, value, options, now);
    return true;
  }

  /** `expected: null` succeeds only when no live value exists (docs/decisions.md). */
  compareAndSet(key: string, expected: Uint8Array | null, next: Uint8Array, options: TtlOptions | undefined, now: number): boolean {
    const current = this.get(key, now);
    const matches = expected === null ? current === null : current !== null && bytesEqual(current, expected);
    if (matches) this.set(key, next, options, now);
    return matches;
  }

  /**
   * Removes the execution's cached snapshot and every key under its exact `executionKey` prefix
   * (SPEC S4); counts only the entries that were live, since expired ones were already invisible.
   */
  deleteExecutionState(executionId: string, now: number): number {
    const prefix = ownedKeyPrefix(executionId);
    let removed = 0;
    for (const [key, entry] of [...this.#state.values]) {
      if (!key.startsWith(prefix)) continue;
      if (live(entry, now)) removed++;
      this.#state.values.delete(key);
    }
    if (this.deleteSnapshot(executionId, now)) removed++;
    return removed;
  }

  /** Every live key, in code-point order (for comparing whole stores). */
  liveKeys(now: number): string[] {
    return [...this.#state.values].filter(([, entry]) => live(entry, now)).map(([key]) => key).sort(byCodePoint);
  }
}
