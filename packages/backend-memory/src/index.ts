/**
 * `@mooring/backend-memory`: the whole Mooring contract in process, with no I/O. It is a real
 * backend, not a mock: atomic calls (SPEC C2), claims from priority queues (O(1) for tasks that
 * arrive in order, O(log n) otherwise), fencing, TTLs, tenancy and notifications behave as in the
 * server backends, and several backend objects can share one `MemoryStore` to act as several
 * clients of one deployment.
 *
 * Durability is the process's: the data lives as long as the `MemoryStore` does.
 */
import {
  ALL_CAPABILITIES,
  assertPositiveInt,
  assertNamespace,
  type Backend,
  type BackendDriver,
  type BackendModule,
  type Clock,
  type CommonBackendOptions,
  defineBackend,
  invalid,
  resolveLimits,
  systemClock,
  parseBackendUrl,
} from "@mooring/core";
import { MemoryEngine } from "./engine.js";
import { attributed, MEMORY_BACKEND_NAME } from "./errors.js";
import { Client } from "./notifications.js";
import { MemoryStateStore } from "./state.js";
import type { FacetContext } from "./context.js";
import { MemoryStore } from "./store.js";
import { MemoryTenantStore } from "./tenants.js";
import { MemoryTokenStore } from "./tokens.js";
import { MemoryWorkflowStore } from "./workflows.js";

export { MEMORY_BACKEND_NAME } from "./errors.js";
export { MemoryStore } from "./store.js";
export { inspectServer, NAMESPACE_URL_PARAMETERS, openNamespaceRemover, readSchemaState } from "./operations.js";

/** Options of `createMemoryBackend`. */
export interface MemoryBackendOptions {
  /** Time for every decision (SPEC C3); absent or `undefined`: `systemClock` (`Date.now()`). */
  readonly clock?: Clock | undefined;
  /**
   * The data to work on; default a new, private store. Pass one store to several backends to make
   * them clients of one deployment (each sees the others' writes, as separate connections would).
   */
  readonly store?: MemoryStore;
  /**
   * A partition of the store; default "" (the store's default partition). Backends on one store
   * with different namespaces never see each other's data, tenants, tokens or notifications.
   */
  readonly namespace?: string;
  /** Largest JSON payload or byte value (SPEC C1); default 1 MiB. */
  readonly maxPayloadBytes?: number;
  /** How long an enqueue or signal idempotency key deduplicates (SPEC E2, E15); default 24 h. */
  readonly dedupTtlMs?: number;
  /** How long an undelivered signal stays buffered (SPEC E15); default 24 h. */
  readonly signalTtlMs?: number;
  /** Accepted for symmetry with the other factories; a memory store needs no schema. */
  readonly migrate?: boolean;
}

/**
 * An in-process backend declaring every capability (SPEC section 7).
 * `close()` ends this backend's pending `waitForWork` calls (false) and its subscriptions; the
 * store and the other backends on it are untouched.
 * @throws VALIDATION for invalid options.
 */
export function createMemoryBackend(options: MemoryBackendOptions = {}): Backend {
  const clock = options.clock ?? systemClock;
  if (typeof clock !== "object" || clock === null || typeof clock.now !== "function") invalid("options.clock", "must have a now() method");
  if (options.store !== undefined && !(options.store instanceof MemoryStore)) invalid("options.store", "must be a MemoryStore");
  const namespace = options.namespace ?? "";
  if (options.namespace !== undefined) assertNamespace(options.namespace, "options.namespace");
  for (const name of ["maxPayloadBytes", "dedupTtlMs", "signalTtlMs"] as const) {
    if (options[name] !== undefined) assertPositiveInt(options[name], `options.${name}`);
  }
  const limits = resolveLimits({
    maxPayloadBytes: options.maxPayloadBytes,
    dedupTtlMs: options.dedupTtlMs,
    signalTtlMs: options.signalTtlMs,
  });
  const partition = (options.store ?? new MemoryStore()).partition(namespace);
  const client = new Client();
  const settings = Object.freeze({ dedupTtlMs: limits.dedupTtlMs, signalTtlMs: limits.signalTtlMs });

  const driver: BackendDriver = {
    name: MEMORY_BACKEND_NAME,
    capabilities: ALL_CAPABILITIES,
    limits,
    facets(tenantId) {
      const space = partition.space(tenantId);
      const context: FacetContext = Object.freeze({ tenantId, clock, settings, hub: partition.hub, client, tasks: space.tasks });
      return {
        workflows: new MemoryWorkflowStore(context, space.runs),
        state: new MemoryStateStore(context, space.cache),
        engine: new MemoryEngine(context, partition.tenants),
        tenants: new MemoryTenantStore(context, partition.tenants),
        tokens: new MemoryTokenStore(context, partition.tokens),
      };
    },
    migrate: () => Promise.resolve(),
    ping: () => Promise.resolve(),
    close: () => {
      partition.hub.dropClient(client);
      return Promise.resolve();
    },
  };
  return defineBackend(driver);
}

/** URL query parameters `memory:` accepts, each an option of the same name. */
const URL_OPTIONS = ["namespace", "maxPayloadBytes", "dedupTtlMs", "signalTtlMs"] as const;

/**
 * `openBackend("memory:")` (core's `BackendModule`). Each call opens a new, private store: a URL
 * cannot name a store in another backend object. Query parameters set options
 * (`memory:?namespace=a&maxPayloadBytes=65536`); explicit options win over them.
 * @throws VALIDATION for another scheme, a path or host, or an unknown or invalid parameter.
 */
export const openFromUrl: BackendModule["openFromUrl"] = (text: string, options: CommonBackendOptions): Promise<Backend> => {
  try {
    const url = parseBackendUrl(text);
    if (url.protocol !== "memory:") invalid("url", `must use the memory: scheme, got ${url.protocol}`);
    if (url.host !== "" || url.pathname !== "") invalid("url", "takes no host or path: a memory store lives in this backend object only");
    const fromUrl: { namespace?: string; maxPayloadBytes?: number; dedupTtlMs?: number; signalTtlMs?: number } = {};
    for (const [key, value] of url.searchParams) {
      if (!(URL_OPTIONS as readonly string[]).includes(key)) invalid(`url ?${key}`, `is not an option; known: ${URL_OPTIONS.join(", ")}`);
      if (key === "namespace") fromUrl.namespace = value;
      else fromUrl[key as "maxPayloadBytes" | "dedupTtlMs" | "signalTtlMs"] = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    }
    return Promise.resolve(
      createMemoryBackend({
        ...fromUrl,
        ...definedOnly({ clock: options.clock, namespace: options.namespace, maxPayloadBytes: options.maxPayloadBytes }),
      }),
    );
  } catch (error) {
    return Promise.reject(attributed(error, "openFromUrl"));
  }
};

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, member]) => member !== undefined)) as Partial<T>;
}
