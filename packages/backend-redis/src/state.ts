/**
 * StateStore on Redis (SPEC S1–S4): byte values as small hashes with their expiry, cached
 * snapshots in one hash per tenant; see lua/includes/state.lua. Every read compares the stored
 * expiry with now, so an expired entry is invisible at once whatever Redis has removed.
 */
import {
  type CacheSnapshot,
  type CacheSnapshotInput,
  isExecutionKey,
  type Page,
  type PageRequest,
  type StateStore,
  type TtlOptions,
} from "@mooring/core";
import { asArray, asNullableString, asNumber, asString, decodeCursor, encodeCursor, parseJson } from "./codec.js";
import type { RedisContext } from "./context.js";
import { encodeId } from "./keys.js";

const OWNED_KEY_MARK = "mooring/exec/";

/**
 * The execution that owns `key` (SPEC S4): the id in `mooring/exec/<utf8 length>/<id>/…`, checked
 * against core's own prefix so that exactly the keys `executionKey(id, …)` builds (and keys with
 * that exact prefix) belong to `id`. Null for any other key.
 */
export function executionOwner(key: string): string | null {
  if (!key.startsWith(OWNED_KEY_MARK)) return null;
  const rest = key.slice(OWNED_KEY_MARK.length);
  const slash = rest.indexOf("/");
  const digits = rest.slice(0, slash);
  if (slash <= 0 || !/^[1-9]\d{0,3}$/.test(digits)) return null;
  const bytes = Buffer.from(rest.slice(slash + 1), "utf8");
  const length = Number(digits);
  if (bytes.length <= length || bytes[length] !== 0x2f) return null;
  const id = bytes.subarray(0, length).toString("utf8");
  if (Buffer.byteLength(id, "utf8") !== length) return null;
  try {
    return isExecutionKey(key, id) ? id : null;
  } catch {
    return null;
  }
}

function toBuffer(value: Uint8Array): Buffer {
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

function ttlArg(options: TtlOptions | undefined): string {
  return options?.ttlMs === undefined ? "" : String(options.ttlMs);
}

export class RedisStateStore implements StateStore {
  readonly #ctx: RedisContext;
  readonly #base: string;

  constructor(ctx: RedisContext, base: string) {
    this.#ctx = ctx;
    this.#base = base;
  }

  #owner(key: string): string {
    const owner = executionOwner(key);
    return owner === null ? "" : encodeId(owner);
  }

  async saveSnapshot(snapshot: CacheSnapshotInput): Promise<void> {
    await this.#ctx.run("cache-save", this.#base, [
      this.#ctx.now(),
      snapshot.executionId,
      snapshot.sequence,
      JSON.stringify(snapshot.state),
      snapshot.ttlMs === undefined ? "" : String(snapshot.ttlMs),
    ]);
  }

  async loadSnapshot(executionId: string): Promise<CacheSnapshot | null> {
    const reply = await this.#ctx.run("cache-load", this.#base, [this.#ctx.now(), executionId]);
    if (reply === null) return null;
    const [sequence, savedAt, state] = asArray(reply, "cache-load");
    return {
      executionId,
      sequence: asNumber(sequence, "snapshot.sequence"),
      state: parseJson(asString(state, "snapshot.state")),
      savedAt: asNumber(savedAt, "snapshot.savedAt"),
    };
  }

  async deleteSnapshot(executionId: string): Promise<boolean> {
    return asNumber(await this.#ctx.run("cache-delete", this.#base, [this.#ctx.now(), executionId]), "cache-delete") === 1;
  }

  async listSnapshots(request: PageRequest): Promise<Page<string>> {
    const after = decodeCursor(request.cursor, "cs", false);
    const reply = asArray(
      await this.#ctx.run("cache-list", this.#base, [this.#ctx.now(), request.limit, after === null ? "0" : "1", after ?? ""]),
      "cache-list",
    );
    const next = asNullableString(reply[0], "cursor");
    return { items: reply.slice(1).map((id) => asString(id, "executionId")), cursor: next === null ? null : encodeCursor("cs", next) };
  }

  async set(key: string, value: Uint8Array, options?: TtlOptions): Promise<void> {
    await this.#ctx.run("kv-set", this.#base, [this.#ctx.now(), encodeId(key), toBuffer(value), ttlArg(options), this.#ctx.serverClock, this.#owner(key)]);
  }

  async get(key: string): Promise<Uint8Array | null> {
    const reply = await this.#ctx.runBuffer("kv-get", this.#base, [this.#ctx.now(), encodeId(key)]);
    if (reply === null) return null;
    if (!Buffer.isBuffer(reply)) throw new TypeError("kv-get: expected a bulk reply");
    return new Uint8Array(reply);
  }

  async exists(key: string): Promise<boolean> {
    return asNumber(await this.#ctx.run("kv-exists", this.#base, [this.#ctx.now(), encodeId(key)]), "kv-exists") === 1;
  }

  async delete(key: string): Promise<boolean> {
    return asNumber(await this.#ctx.run("kv-delete", this.#base, [this.#ctx.now(), encodeId(key), this.#owner(key)]), "kv-delete") === 1;
  }

  async setIfAbsent(key: string, value: Uint8Array, options?: TtlOptions): Promise<boolean> {
    const reply = await this.#ctx.run("kv-set-if-absent", this.#base, [
      this.#ctx.now(),
      encodeId(key),
      toBuffer(value),
      ttlArg(options),
      this.#ctx.serverClock,
      this.#owner(key),
    ]);
    return asNumber(reply, "kv-set-if-absent") === 1;
  }

  async compareAndSet(key: string, expected: Uint8Array | null, next: Uint8Array, options?: TtlOptions): Promise<boolean> {
    const reply = await this.#ctx.run("kv-compare-and-set", this.#base, [
      this.#ctx.now(),
      encodeId(key),
      expected === null ? "0" : "1",
      expected === null ? "" : toBuffer(expected),
      toBuffer(next),
      ttlArg(options),
      this.#ctx.serverClock,
      this.#owner(key),
    ]);
    return asNumber(reply, "kv-compare-and-set") === 1;
  }

  async deleteExecutionState(executionId: string): Promise<number> {
    return asNumber(
      await this.#ctx.run("delete-execution-state", this.#base, [this.#ctx.now(), encodeId(executionId), executionId]),
      "delete-execution-state",
    );
  }
}
