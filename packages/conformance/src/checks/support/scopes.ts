/**
 * Empty worlds for checks that need one per property run: a fresh tenant of the check's backend
 * when it declares `tenancy` (cheap, and it shares a store with the check's other data, so a leak
 * between tenants shows), else the root view of a fresh namespace. A check that only needs an empty
 * world therefore does not require `tenancy` (decisions.md: a check needs exactly the capabilities
 * it exercises).
 */
import { type Backend, hasCapability } from "@mooring/core";
import type { BackendClockContext } from "../../registry.js";

export interface Scope {
  /** A view nothing else writes to. */
  readonly backend: Backend;
  /** How it was made, for messages: `tenant <id>` or `namespace`. */
  readonly label: string;
  /** Closes a namespace's client (the runner tears the namespace down); a tenant view is left open. */
  release(): Promise<void>;
}

/** A fresh empty world; `prefix` names the tenant when one is made. */
export async function freshScope(context: BackendClockContext, prefix: string): Promise<Scope> {
  if (hasCapability(context.backend.capabilities, "tenancy")) {
    const tenantId = context.unique(prefix);
    return { backend: context.backend.forTenant(tenantId), label: `tenant ${tenantId}`, release: () => Promise.resolve() };
  }
  const backend = await context.openNamespace();
  return { backend, label: "a fresh namespace", release: () => backend.close() };
}
