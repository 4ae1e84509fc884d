/**
 * StateStore on Postgres (SPEC S1-S4): cached snapshots and byte values with TTL. An entry past
 * its TTL is filtered out by every read at once; `reclaimExpired` removes such rows later.
 */
import { type CacheSnapshot, type CacheSnapshotInput, executionKeyPrefix, type Json, type Page, type PageRequest, type StateStore, type TtlOptions } from "@mooring/core";
import type { BackendContext } from "./context.js";
import { decodeCursor, encodeCursor, pageOf } from "./cursor.js";
import { jsonText } from "./rows.js";

/** Bytes as the driver sends them. */
function bytes(value: Uint8Array): Buffer {
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

export class PostgresStateStore implements StateStore {
  readonly #context: BackendContext;
  readonly #tenantId: string;

  constructor(context: BackendContext, tenantId: string) {
    this.#context = context;
    this.#tenantId = tenantId;
  }

  get #db(): BackendContext["db"] {
    return this.#context.db;
  }

  async saveSnapshot(snapshot: CacheSnapshotInput): Promise<void> {
    await this.#db.query(
      "cache-snapshot-save",
      [this.#db.nowParam(), this.#tenantId, snapshot.executionId, snapshot.sequence, jsonText(snapshot.state), snapshot.ttlMs ?? null],
      "safe",
    );
  }

  async loadSnapshot(executionId: string): Promise<CacheSnapshot | null> {
    const [row] = await this.#db.query<{ execution_id: string; sequence: number; state: Json; saved_at: number }>(
      "cache-snapshot-load",
      [this.#db.nowParam(), this.#tenantId, executionId],
      "safe",
    );
    return row ? { executionId: row.execution_id, sequence: row.sequence, state: row.state, savedAt: row.saved_at } : null;
  }

  async deleteSnapshot(executionId: string): Promise<boolean> {
    const [row] = await this.#db.query<{ existed: boolean }>("cache-snapshot-delete", [this.#db.nowParam(), this.#tenantId, executionId]);
    return row?.existed === true;
  }

  async listSnapshots(request: PageRequest): Promise<Page<string>> {
    const after = decodeCursor("cache-snapshots", request.cursor);
    const rows = await this.#db.query<{ execution_id: string }>("cache-snapshots-list", [this.#db.nowParam(), this.#tenantId, after, request.limit + 1], "safe");
    return pageOf(
      rows,
      request.limit,
      (row) => row.execution_id,
      (row) => encodeCursor("cache-snapshots", row.execution_id),
    );
  }

  async set(key: string, value: Uint8Array, options?: TtlOptions): Promise<void> {
    await this.#db.query("kv-set", [this.#db.nowParam(), this.#tenantId, key, bytes(value), options?.ttlMs ?? null], "safe");
  }

  async get(key: string): Promise<Uint8Array | null> {
    const [row] = await this.#db.query<{ value: Buffer }>("kv-get", [this.#db.nowParam(), this.#tenantId, key], "safe");
    // A plain Uint8Array, not the driver's Buffer: callers compare it with what they stored.
    return row ? new Uint8Array(row.value) : null;
  }

  async exists(key: string): Promise<boolean> {
    const [row] = await this.#db.query<{ present: boolean }>("kv-exists", [this.#db.nowParam(), this.#tenantId, key], "safe");
    return row?.present === true;
  }

  async delete(key: string): Promise<boolean> {
    const [row] = await this.#db.query<{ existed: boolean }>("kv-delete", [this.#db.nowParam(), this.#tenantId, key]);
    return row?.existed === true;
  }

  async setIfAbsent(key: string, value: Uint8Array, options?: TtlOptions): Promise<boolean> {
    const rows = await this.#db.query("kv-set-if-absent", [this.#db.nowParam(), this.#tenantId, key, bytes(value), options?.ttlMs ?? null]);
    return rows.length > 0;
  }

  async compareAndSet(key: string, expected: Uint8Array | null, next: Uint8Array, options?: TtlOptions): Promise<boolean> {
    if (expected === null) return this.setIfAbsent(key, next, options);
    const rows = await this.#db.query("kv-compare-and-set", [this.#db.nowParam(), this.#tenantId, key, bytes(expected), bytes(next), options?.ttlMs ?? null]);
    return rows.length > 0;
  }

  async deleteExecutionState(executionId: string): Promise<number> {
    const [row] = await this.#db.query<{ removed: number }>("execution-state-delete", [
      this.#db.nowParam(),
      this.#tenantId,
      executionId,
      executionKeyPrefix(executionId),
    ]);
    return row?.removed ?? 0;
  }
}
