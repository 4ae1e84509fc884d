/**
 * The StateStore of one tenant (SPEC section 4): cached snapshots and byte values with TTL. An
 * entry is live while `expires_at` is NULL or later than now; reads filter on it, so expiry is
 * exact and immediate (S2) without a sweeper. setIfAbsent and compareAndSet read and write in one
 * `BEGIN IMMEDIATE` transaction, so of k concurrent attempts exactly one wins (S3).
 */
import {
  type CacheSnapshot,
  type CacheSnapshotInput,
  executionKeyPrefix,
  type Page,
  type PageRequest,
  type StateStore,
  type TtlOptions,
} from "@mooring/core";
import type { SqliteContext } from "./context.js";
import { decodeCursor, encodeCursor, jsonText, parseJson } from "./json.js";
import {
  type CacheSnapshotRow,
  DELETE_CACHE_SNAPSHOT,
  DELETE_VALUE,
  DELETE_VALUES_WITH_PREFIX,
  LIST_CACHE_SNAPSHOTS,
  SELECT_CACHE_SNAPSHOT,
  SELECT_VALUE,
  UPSERT_CACHE_SNAPSHOT,
  UPSERT_VALUE,
  VALUE_EXISTS,
} from "./sql/state.js";

export class SqliteState implements StateStore {
  readonly #context: SqliteContext;
  readonly #tenant: string;

  constructor(context: SqliteContext, tenant: string) {
    this.#context = context;
    this.#tenant = tenant;
  }

  get #statements() {
    return this.#context.statements;
  }

  #now(): number {
    return this.#context.connection.clock.now();
  }

  async saveSnapshot(snapshot: CacheSnapshotInput): Promise<void> {
    const now = this.#now();
    this.#statements.run(
      UPSERT_CACHE_SNAPSHOT,
      this.#tenant,
      snapshot.executionId,
      snapshot.sequence,
      jsonText(snapshot.state),
      now,
      expiresAt(now, snapshot.ttlMs),
    );
  }

  async loadSnapshot(executionId: string): Promise<CacheSnapshot | null> {
    const row = this.#statements.one<CacheSnapshotRow>(SELECT_CACHE_SNAPSHOT, this.#tenant, executionId, this.#now());
    return row ? { executionId: row.execution_id, sequence: row.sequence, state: parseJson(row.state), savedAt: row.saved_at } : null;
  }

  async deleteSnapshot(executionId: string): Promise<boolean> {
    return this.#statements.one<{ live: number }>(DELETE_CACHE_SNAPSHOT, this.#tenant, executionId, this.#now())?.live === 1;
  }

  async listSnapshots(request: PageRequest): Promise<Page<string>> {
    const after = decodeCursor("snapshots", request.cursor, "string") ?? "";
    const rows = this.#statements.all<{ execution_id: string }>(LIST_CACHE_SNAPSHOTS, this.#tenant, after, this.#now(), request.limit + 1);
    const items = rows.slice(0, request.limit).map((row) => row.execution_id);
    const last = items.at(-1);
    return { items, cursor: rows.length > request.limit && last !== undefined ? encodeCursor("snapshots", last) : null };
  }

  async set(key: string, value: Uint8Array, options?: TtlOptions): Promise<void> {
    this.#statements.run(UPSERT_VALUE, this.#tenant, key, toBuffer(value), expiresAt(this.#now(), options?.ttlMs));
  }

  async get(key: string): Promise<Uint8Array | null> {
    const row = this.#statements.one<{ value: Buffer }>(SELECT_VALUE, this.#tenant, key, this.#now());
    return row ? toBytes(row.value) : null;
  }

  async exists(key: string): Promise<boolean> {
    return this.#statements.one<{ found: number }>(VALUE_EXISTS, this.#tenant, key, this.#now()) !== undefined;
  }

  async delete(key: string): Promise<boolean> {
    return this.#statements.one<{ live: number }>(DELETE_VALUE, this.#tenant, key, this.#now())?.live === 1;
  }

  async setIfAbsent(key: string, value: Uint8Array, options?: TtlOptions): Promise<boolean> {
    return this.#context.connection.write((now) => {
      if (this.#statements.one<{ found: number }>(VALUE_EXISTS, this.#tenant, key, now)) return false;
      this.#statements.run(UPSERT_VALUE, this.#tenant, key, toBuffer(value), expiresAt(now, options?.ttlMs));
      return true;
    });
  }

  async compareAndSet(key: string, expected: Uint8Array | null, next: Uint8Array, options?: TtlOptions): Promise<boolean> {
    return this.#context.connection.write((now) => {
      const current = this.#statements.one<{ value: Buffer }>(SELECT_VALUE, this.#tenant, key, now);
      const matches = expected === null ? current === undefined : current !== undefined && Buffer.compare(current.value, toBuffer(expected)) === 0;
      if (!matches) return false;
      this.#statements.run(UPSERT_VALUE, this.#tenant, key, toBuffer(next), expiresAt(now, options?.ttlMs));
      return true;
    });
  }

  /**
   * Removes the execution's cached snapshot and every key with its exact prefix (S4), matched as
   * a literal prefix (a key range plus a substr comparison), so ids holding `%`, `_`, `*` or `\`
   * never widen the match. Counts the live entries removed.
   */
  async deleteExecutionState(executionId: string): Promise<number> {
    const prefix = executionKeyPrefix(executionId);
    const upper = successor(prefix);
    return this.#context.connection.write((now) => {
      const snapshot = this.#statements.one<{ live: number }>(DELETE_CACHE_SNAPSHOT, this.#tenant, executionId, now)?.live === 1 ? 1 : 0;
      const keys = this.#statements.all<{ live: number }>(DELETE_VALUES_WITH_PREFIX, this.#tenant, prefix, upper, prefix, prefix, now);
      return snapshot + keys.filter((row) => row.live === 1).length;
    });
  }
}

function expiresAt(now: number, ttlMs: number | undefined): number | null {
  return ttlMs === undefined ? null : now + ttlMs;
}

/** The smallest string greater than every string that starts with `prefix` (its last code unit + 1). */
function successor(prefix: string): string {
  const last = prefix.charCodeAt(prefix.length - 1);
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}

function toBuffer(value: Uint8Array): Buffer {
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

/** A copy the caller owns, as a plain Uint8Array (not a Buffer view of SQLite's memory). */
function toBytes(value: Buffer): Uint8Array {
  return new Uint8Array(value);
}
