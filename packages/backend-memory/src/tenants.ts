/**
 * TenantStore of the memory backend (SPEC T2). Tenant records are global to a namespace: every view
 * sees them. A tenant without a record is active.
 */
import {
  compareCodePoints,
  MooringError,
  type Page,
  type PageRequest,
  type TenantInput,
  type TenantRecord,
  type TenantStore,
  type TenantUpdate,
  tenantExistsDetails,
} from "@mooring/core";
import type { FacetContext } from "./context.js";
import { pageOf } from "./cursor.js";
import { notFound } from "./errors.js";
import { SortedList } from "./sorted-list.js";

/** The tenant records of one namespace. */
export class TenantRegistry {
  readonly records = new Map<string, TenantRecord>();
  /** Ids in code-point order (decisions.md), for `list`. */
  readonly ids = new SortedList<string>(compareCodePoints);

  /** Whether `tenantId` is suspended: its views grant no leases and accept no enqueues. */
  isSuspended(tenantId: string): boolean {
    return this.records.get(tenantId)?.status === "suspended";
  }
}

export class MemoryTenantStore implements TenantStore {
  readonly #context: FacetContext;
  readonly #registry: TenantRegistry;

  constructor(context: FacetContext, registry: TenantRegistry) {
    this.#context = context;
    this.#registry = registry;
  }

  async create(input: TenantInput): Promise<TenantRecord> {
    if (this.#registry.records.has(input.id)) {
      throw new MooringError("CONFLICT", `tenant ${input.id} exists`, { details: tenantExistsDetails(input.id) });
    }
    const now = this.#context.clock.now();
    const record: TenantRecord = { id: input.id, name: input.name, status: input.status ?? "active", createdAt: now, updatedAt: now };
    this.#registry.records.set(record.id, record);
    this.#registry.ids.add(record.id);
    return { ...record };
  }

  async get(id: string): Promise<TenantRecord | null> {
    const record = this.#registry.records.get(id);
    return record ? { ...record } : null;
  }

  async list(request: PageRequest): Promise<Page<TenantRecord>> {
    return pageOf("tenants", this.#registry.ids, request, (id) => {
      const record = this.#registry.records.get(id);
      return record ? { ...record } : undefined;
    });
  }

  async update(id: string, update: TenantUpdate): Promise<TenantRecord> {
    const record = this.#registry.records.get(id);
    if (!record) throw notFound("tenant", id);
    const next: TenantRecord = {
      ...record,
      name: update.name ?? record.name,
      status: update.status ?? record.status,
      updatedAt: this.#context.clock.now(),
    };
    this.#registry.records.set(id, next);
    return { ...next };
  }
}
