import type { Page, PageRequest, TenantInput, TenantRecord, TenantUpdate } from "../types.js";

/**
 * Tenant records. A tenant without a record is active; a `suspended` tenant's views grant no
 * leases and accept no enqueues (INVALID_STATE). Records are global: every view sees them.
 * @see SPEC T2
 */
export interface TenantStore {
  /** Creates a tenant (status `active` by default). @throws CONFLICT when the id exists. */
  create(input: TenantInput): Promise<TenantRecord>;

  /** The tenant, or null. */
  get(id: string): Promise<TenantRecord | null>;

  /** Tenants in ascending id (code-point) order. @see SPEC C5 */
  list(request: PageRequest): Promise<Page<TenantRecord>>;

  /** Changes name and/or status. @throws NOT_FOUND. */
  update(id: string, update: TenantUpdate): Promise<TenantRecord>;
}
