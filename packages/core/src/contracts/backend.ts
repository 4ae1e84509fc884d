import type { Capabilities } from "../capabilities.js";
import type { EngineBackend } from "./engine-backend.js";
import type { StateStore } from "./state-store.js";
import type { TenantStore } from "./tenant-store.js";
import type { TokenStore } from "./token-store.js";
import type { WorkflowStore } from "./workflow-store.js";

/** The tenant of a root view. */
export const DEFAULT_TENANT = "default";

/**
 * One backend: three facets bound to one tenant, plus tenant records and tokens.
 *
 * Lifecycle: factory → `migrate()` (run by the factory unless `migrate: false`) → use → `close()`.
 * After `close()` every call rejects with CLOSED. Views made by `forTenant` share the connection;
 * closing a view ends that view only, closing the root ends every view.
 * @see SPEC section 1
 */
export interface Backend extends AsyncDisposable {
  /** "memory" | "sqlite" | "postgres" | "redis" | a third party's. */
  readonly name: string;
  /** What it supports; calling anything else throws UNSUPPORTED. @see SPEC section 7 */
  readonly capabilities: Capabilities;
  /** The tenant this view is bound to; "default" for the root view. */
  readonly tenantId: string;
  readonly workflows: WorkflowStore;
  readonly state: StateStore;
  readonly engine: EngineBackend;
  readonly tenants: TenantStore;
  readonly tokens: TokenStore;
  /** A view bound to `tenantId`, sharing the connection. @throws VALIDATION for a bad id. @see SPEC T1 */
  forTenant(tenantId: string): Backend;
  /** Creates or upgrades the schema; idempotent and safe when several processes run it at once. */
  migrate(): Promise<void>;
  /** Resolves when the store answers. @throws UNAVAILABLE. */
  ping(): Promise<void>;
  /** Idempotent. */
  close(): Promise<void>;
}
