/**
 * The data of an in-process deployment. A `MemoryStore` outlives the backends built on it: hand one
 * store to several `createMemoryBackend({ store })` calls and they behave like several clients of
 * one server (race tests, SPEC K3). A namespace partitions the store, so that independent
 * deployments sharing it never see each other (SPEC section 1).
 */
import { NotificationHub } from "./notifications.js";
import { CacheSpace } from "./state.js";
import { TaskSpace } from "./tasks.js";
import { TenantRegistry } from "./tenants.js";
import { TokenRegistry } from "./tokens.js";
import { RunSpace } from "./workflows.js";

export class MemoryStore {
  readonly #partitions = new Map<string, Partition>();

  /**
   * The data of one namespace, created on first use. Backends built on this store call it; it is
   * not meant for applications, which go through a backend.
   */
  partition(namespace: string): Partition {
    let partition = this.#partitions.get(namespace);
    if (!partition) this.#partitions.set(namespace, (partition = new Partition()));
    return partition;
  }
}

/** One namespace: tenant records and tokens (global to it), tenant data, and the notification hub. */
export class Partition {
  readonly hub = new NotificationHub();
  readonly tenants = new TenantRegistry();
  readonly tokens = new TokenRegistry();
  readonly #spaces = new Map<string, TenantSpace>();

  /** The data of one tenant, created on first use (when a view of the tenant is made). */
  space(tenantId: string): TenantSpace {
    let space = this.#spaces.get(tenantId);
    if (!space) this.#spaces.set(tenantId, (space = new TenantSpace()));
    return space;
  }
}

/** Everything one tenant owns: nothing in here is reachable from another tenant's view (SPEC T1). */
export class TenantSpace {
  readonly runs = new RunSpace();
  readonly cache = new CacheSpace();
  readonly tasks = new TaskSpace();
}
