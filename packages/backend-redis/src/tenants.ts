/**
 * Tenant records (SPEC T2). A record lives in its tenant's own slot (`{<prefix>:<tenant>}:rec`),
 * so that enqueue and claim check the status inside their scripts; the global index
 * `{<prefix>}:tenants` (a sorted set of raw ids, byte = code point order) only serves `list`.
 * `create` adds the id to the index before creating the record, so a record is never unlisted; an
 * id listed without a record (a create that failed in between) is skipped by `list`.
 */
import {
  type Page,
  type PageRequest,
  type TenantInput,
  type TenantRecord,
  type TenantStatus,
  type TenantStore,
  type TenantUpdate,
} from "@mooring/core";
import { asArray, asNumber, asString, decodeCursor, encodeCursor } from "./codec.js";
import type { RedisContext } from "./context.js";

const RECORD_FIELDS = ["id", "name", "status", "ca", "ua"] as const;

function decodeTenant(reply: unknown): TenantRecord {
  const f = asArray(reply, "tenant");
  return {
    id: asString(f[0], "tenant.id"),
    name: asString(f[1], "tenant.name"),
    status: asString(f[2], "tenant.status") as TenantStatus,
    createdAt: asNumber(f[3], "tenant.createdAt"),
    updatedAt: asNumber(f[4], "tenant.updatedAt"),
  };
}

export class RedisTenantStore implements TenantStore {
  readonly #ctx: RedisContext;

  constructor(ctx: RedisContext) {
    this.#ctx = ctx;
  }

  async create(input: TenantInput): Promise<TenantRecord> {
    await this.#ctx.track(this.#ctx.client.zadd(this.#ctx.keys.tenantIndex, 0, input.id));
    const reply = await this.#ctx.run("tenant-create", this.#ctx.keys.tenant(input.id), [
      this.#ctx.now(),
      input.id,
      input.name,
      input.status ?? "active",
    ]);
    return decodeTenant(reply);
  }

  async get(id: string): Promise<TenantRecord | null> {
    const fields = await this.#ctx.track(this.#ctx.client.hmget(`${this.#ctx.keys.tenant(id)}:rec`, ...RECORD_FIELDS));
    return fields[0] === null ? null : decodeTenant(fields);
  }

  async list(request: PageRequest): Promise<Page<TenantRecord>> {
    const after = decodeCursor(request.cursor, "tenants", false);
    const items: TenantRecord[] = [];
    let from = after === null ? "-" : `(${after}`;
    const batch = request.limit + 1;
    for (;;) {
      const ids = await this.#ctx.track(this.#ctx.client.zrangebylex(this.#ctx.keys.tenantIndex, from, "+", "LIMIT", 0, batch));
      const records = await Promise.all(ids.map((id) => this.get(id)));
      for (const record of records) {
        if (record === null) continue;
        if (items.length === request.limit) {
          const last = items[items.length - 1];
          return { items, cursor: last === undefined ? null : encodeCursor("tenants", last.id) };
        }
        items.push(record);
      }
      const last = ids[ids.length - 1];
      if (ids.length < batch || last === undefined) return { items, cursor: null };
      from = `(${last}`;
    }
  }

  async update(id: string, update: TenantUpdate): Promise<TenantRecord> {
    const reply = await this.#ctx.run("tenant-update", this.#ctx.keys.tenant(id), [
      this.#ctx.now(),
      update.name === undefined ? "0" : "1",
      update.name ?? "",
      update.status ?? "",
    ]);
    return decodeTenant(reply);
  }
}
