/**
 * Tenant records (SPEC T2). Records are global: every view reads and writes the same table. A
 * tenant without a record is active.
 */
import { MooringError, tenantExistsDetails, type Page, type PageRequest, type TenantInput, type TenantRecord, type TenantStatus, type TenantStore, type TenantUpdate } from "@mooring/core";
import type { BackendContext } from "./context.js";
import { decodeCursor, encodeCursor, pageOf } from "./cursor.js";
import { notFound } from "./errors.js";

interface TenantRow {
  id: string;
  name: string;
  status: TenantStatus;
  created_at: number;
  updated_at: number;
}

function tenantRecord(row: TenantRow): TenantRecord {
  return { id: row.id, name: row.name, status: row.status, createdAt: row.created_at, updatedAt: row.updated_at };
}

export class PostgresTenantStore implements TenantStore {
  readonly #context: BackendContext;

  constructor(context: BackendContext) {
    this.#context = context;
  }

  async create(input: TenantInput): Promise<TenantRecord> {
    const { db } = this.#context;
    const [row] = await db.query<TenantRow>("tenant-insert", [db.nowParam(), input.id, input.name, input.status ?? "active"]);
    if (!row) throw new MooringError("CONFLICT", `tenant ${input.id} exists`, { backend: "postgres", details: tenantExistsDetails(input.id) });
    return tenantRecord(row);
  }

  async get(id: string): Promise<TenantRecord | null> {
    const [row] = await this.#context.db.query<TenantRow>("tenant-get", [id], "safe");
    return row ? tenantRecord(row) : null;
  }

  async list(request: PageRequest): Promise<Page<TenantRecord>> {
    const after = decodeCursor("tenants", request.cursor);
    const rows = await this.#context.db.query<TenantRow>("tenants-list", [after, request.limit + 1], "safe");
    return pageOf(rows, request.limit, tenantRecord, (row) => encodeCursor("tenants", row.id));
  }

  async update(id: string, update: TenantUpdate): Promise<TenantRecord> {
    const { db } = this.#context;
    const [row] = await db.query<TenantRow>("tenant-update", [db.nowParam(), id, update.name ?? null, update.status ?? null], "safe");
    if (!row) throw notFound("tenant", id);
    return tenantRecord(row);
  }
}
