/**
 * Tenant records (SPEC T2). Records are global within the namespace: every view sees them.
 * A tenant without a record is active.
 */
import { tenantExistsDetails } from "@mooring/core";
import type { Page, PageRequest, TenantInput, TenantRecord, TenantStatus, TenantStore, TenantUpdate } from "@mooring/core";
import type { SqliteContext } from "./context.js";
import { notFound, sqliteError } from "./errors.js";
import { decodeCursor, encodeCursor } from "./json.js";
import { INSERT_TENANT, LIST_TENANTS, SELECT_TENANT, type TenantRow, UPDATE_TENANT } from "./sql/access.js";

export class SqliteTenants implements TenantStore {
  readonly #context: SqliteContext;

  constructor(context: SqliteContext) {
    this.#context = context;
  }

  async create(input: TenantInput): Promise<TenantRecord> {
    const now = this.#context.connection.clock.now();
    const row = this.#context.statements.one<TenantRow>(INSERT_TENANT, input.id, input.name, input.status ?? "active", now, now);
    if (!row) throw sqliteError("CONFLICT", `tenant "${input.id}" already exists`, tenantExistsDetails(input.id));
    return toTenant(row);
  }

  async get(id: string): Promise<TenantRecord | null> {
    const row = this.#context.statements.one<TenantRow>(SELECT_TENANT, id);
    return row ? toTenant(row) : null;
  }

  async list(request: PageRequest): Promise<Page<TenantRecord>> {
    const after = decodeCursor("tenants", request.cursor, "string") ?? "";
    const rows = this.#context.statements.all<TenantRow>(LIST_TENANTS, after, request.limit + 1);
    const page = rows.slice(0, request.limit);
    const last = page.at(-1);
    return { items: page.map(toTenant), cursor: rows.length > request.limit && last ? encodeCursor("tenants", last.id) : null };
  }

  async update(id: string, update: TenantUpdate): Promise<TenantRecord> {
    const now = this.#context.connection.clock.now();
    const row = this.#context.statements.one<TenantRow>(UPDATE_TENANT, update.name ?? null, update.status ?? null, now, id);
    if (!row) throw notFound("tenant", id);
    return toTenant(row);
  }
}

function toTenant(row: TenantRow): TenantRecord {
  return { id: row.id, name: row.name, status: row.status as TenantStatus, createdAt: row.created_at, updatedAt: row.updated_at };
}
