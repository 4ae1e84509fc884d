/**
 * What every facet of one client, bound to one tenant, works with. The tenant's own data a facet
 * needs beyond its tasks (runs, cache, tenant and token registries) is handed to that facet alone,
 * so this module depends only on the task and notification modules, and the store (store.ts), which
 * holds every facet's data, depends on no facet through it.
 */
import type { Clock } from "@mooring/core";
import type { Client, NotificationHub } from "./notifications.js";
import type { TaskSettings, TaskSpace } from "./tasks.js";

export interface FacetContext {
  readonly tenantId: string;
  readonly clock: Clock;
  readonly settings: TaskSettings;
  /** The namespace's notification hub (SPEC E19). */
  readonly hub: NotificationHub;
  /** The backend object the facet belongs to, as the hub knows it. */
  readonly client: Client;
  /** The tenant's tasks (the engine's, and `commit` with `settle`'s). */
  readonly tasks: TaskSpace;
}
