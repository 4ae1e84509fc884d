/**
 * The reference model of the whole Mooring contract (SPEC K2): plain data for any number of
 * tenants, each kept apart (SPEC T1), with operations that take `now` explicitly and return what a
 * conforming backend must answer. It is written from SPEC.md and docs/decisions.md alone, not from
 * any backend, so that every backend (the memory backend included) is tested against it.
 *
 * Not modelled: tenant records and tokens (global, random secrets), notifications
 * (`waitForWork`, `subscribe`: hints and streams, checked by example).
 */
import { type Limits, resolveLimits } from "@mooring/core";
import { TenantModel } from "./tenant.js";

export class ReferenceModel {
  readonly limits: Limits;
  readonly #tenants = new Map<string, TenantModel>();

  constructor(limits: Partial<Limits> = {}) {
    this.limits = resolveLimits(limits);
  }

  /** The tenant's model; a tenant never seen before is an empty world. */
  tenant(tenantId: string): TenantModel {
    let tenant = this.#tenants.get(tenantId);
    if (!tenant) {
      tenant = new TenantModel(this.limits);
      this.#tenants.set(tenantId, tenant);
    }
    return tenant;
  }

  tenantIds(): string[] {
    return [...this.#tenants.keys()];
  }
}
