/**
 * The one lifecycle and input guard every backend runs behind (in the manner of Kysely's runtime
 * driver). A driver implements the facets for one tenant; `defineBackend` adds, once for all:
 * validation of every argument (SPEC C1), capability checks (section 7), CLOSED after close, close
 * that waits for calls in flight and runs once, `Symbol.asyncDispose`, tenant views, and the
 * wrapping of every native failure into a MooringError (C4).
 */
import { type Capabilities, type CapabilityName, defineCapabilities, hasCapability } from "./capabilities.js";
import { CALL_RULES, type CallRule, type FacetName } from "./call-rules.js";
import type { Backend } from "./contracts/backend.js";
import { DEFAULT_TENANT } from "./contracts/backend.js";
import type { EngineBackend } from "./contracts/engine-backend.js";
import type { StateStore } from "./contracts/state-store.js";
import type { TenantStore } from "./contracts/tenant-store.js";
import type { TokenStore } from "./contracts/token-store.js";
import type { WorkflowStore } from "./contracts/workflow-store.js";
import { type Limits, resolveLimits } from "./defaults.js";
import { MooringError } from "./errors.js";
import { assertId } from "./validation.js";

/** The facets of one tenant, as a driver implements them. Arguments arrive validated. */
export interface BackendFacets {
  readonly workflows: WorkflowStore;
  readonly state: StateStore;
  readonly engine: EngineBackend;
  readonly tenants: TenantStore;
  readonly tokens: TokenStore;
}

/**
 * The facets of one tenant as a driver may return them: every facet and every method is optional,
 * so a partial adapter implements only the methods of the capabilities it declares (SPEC section
 * 7) and writes no stubs. `defineBackend` answers a call into an undeclared capability with
 * UNSUPPORTED (`details: { capability }`), and refuses a driver that declares a capability but
 * lacks one of its methods (which methods each capability covers: `CALL_RULES`).
 */
export type DriverFacets = { readonly [F in keyof BackendFacets]?: Partial<BackendFacets[F]> };

/** What a backend package implements; `defineBackend` turns it into a `Backend`. */
export interface BackendDriver {
  readonly name: string;
  readonly capabilities: Capabilities;
  readonly limits?: Partial<Limits>;
  /**
   * The facets bound to `tenantId`; called once per view. A full backend returns `BackendFacets`;
   * a partial one leaves out what its undeclared capabilities cover (`DriverFacets`).
   * @throws VALIDATION from `defineBackend` or `forTenant` when a declared capability's method is missing.
   */
  facets(tenantId: string): DriverFacets;
  migrate(): Promise<void>;
  ping(): Promise<void>;
  /** Called once, after every call in flight has settled. */
  close(): Promise<void>;
  /**
   * Maps a native failure (a driver error, a socket error) to a MooringError; return undefined to
   * let core wrap it as UNAVAILABLE. This is the backend's one place for error mapping.
   */
  mapError?(error: unknown, operation: string): MooringError | undefined;
}

const FACETS: readonly FacetName[] = ["workflows", "state", "engine", "tenants", "tokens"];

/** Shared by the root view and every tenant view of one backend. */
class Lifecycle {
  readonly #driver: BackendDriver;
  readonly #inFlight = new Set<Promise<unknown>>();
  #closing: Promise<void> | null = null;

  constructor(driver: BackendDriver) {
    this.#driver = driver;
  }

  get closed(): boolean {
    return this.#closing !== null;
  }

  track<T>(promise: Promise<T>): Promise<T> {
    this.#inFlight.add(promise);
    const forget = (): void => {
      this.#inFlight.delete(promise);
    };
    promise.then(forget, forget);
    return promise;
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      await Promise.allSettled([...this.#inFlight]);
      await this.#driver.close();
    })();
    return this.#closing;
  }
}

/** Turns a driver into a Backend. */
export function defineBackend(driver: BackendDriver): Backend {
  // The name attributes every error (`error.backend`) and labels the conformance report's column.
  if (typeof driver.name !== "string" || driver.name.trim() === "") {
    throw new MooringError("VALIDATION", "a backend driver needs a name that is not blank, such as \"mariadb\": it names the backend in every error and report", {
      operation: "defineBackend",
      details: { field: "driver.name" },
    });
  }
  const capabilities = defineCapabilities(driver.capabilities);
  const limits = resolveLimits(driver.limits);
  const lifecycle = new Lifecycle(driver);
  return createView(driver, capabilities, limits, lifecycle, DEFAULT_TENANT, true);
}

function createView(
  driver: BackendDriver,
  capabilities: Readonly<Record<CapabilityName, boolean>>,
  limits: Limits,
  lifecycle: Lifecycle,
  tenantId: string,
  isRoot: boolean,
): Backend {
  let viewClosed = false;
  const facets = driver.facets(tenantId);

  const closedError = (operation: string): MooringError =>
    new MooringError("CLOSED", `${driver.name} backend is closed; ${operation} was not run`, {
      backend: driver.name,
      operation,
    });

  const toMooringError = (error: unknown, operation: string): MooringError => {
    if (MooringError.is(error)) return error.withContext(driver.name, operation);
    const mapped = driver.mapError?.(error, operation);
    if (mapped) return mapped.withContext(driver.name, operation);
    const message = error instanceof Error ? error.message : String(error);
    return new MooringError("UNAVAILABLE", `${driver.name} ${operation} failed: ${message}`, {
      backend: driver.name,
      operation,
      cause: error,
    });
  };

  const requireCapability = (operation: string, capability: CapabilityName): void => {
    if (hasCapability(capabilities, capability)) return;
    throw new MooringError("UNSUPPORTED", `${driver.name} does not declare the "${capability}" capability needed by ${operation}`, {
      backend: driver.name,
      operation,
      details: { capability },
    });
  };

  // Order: CLOSED, then the method's capability, then VALIDATION, then the capabilities the
  // (now well-formed) arguments use, such as a priority or a delay.
  const guard = (operation: string, rule: CallRule | undefined, args: readonly unknown[]): void => {
    if (viewClosed || lifecycle.closed) throw closedError(operation);
    if (!rule) return;
    requireCapability(operation, rule.capability);
    rule.validate(args, limits);
    for (const capability of rule.uses?.(args) ?? []) requireCapability(operation, capability);
  };

  const run = <T>(operation: string, rule: CallRule | undefined, args: readonly unknown[], call: () => Promise<T>): Promise<T> => {
    const attempt = (async () => {
      try {
        guard(operation, rule, args);
        return await call();
      } catch (error) {
        throw toMooringError(error, operation);
      }
    })();
    return rule?.longPoll?.(args) ? attempt : lifecycle.track(attempt);
  };

  // A method of an undeclared capability never runs (the guard answers UNSUPPORTED first), so it
  // may be missing; a declared capability with a missing method is a driver that promises what
  // it cannot do, refused here rather than at the first call.
  const wrapFacet = <F extends object>(facet: FacetName, impl: object | undefined): F => {
    const wrapped: Record<string, unknown> = {};
    for (const [method, rule] of Object.entries(CALL_RULES[facet])) {
      const target = (impl as Record<string, unknown> | undefined)?.[method];
      const operation = `${facet}.${method}`;
      if (typeof target !== "function" && hasCapability(capabilities, rule.capability)) {
        throw new MooringError(
          "VALIDATION",
          `${driver.name} declares the "${rule.capability}" capability but its ${facet} facet has no ${method} method: implement it, or do not declare "${rule.capability}"`,
          { backend: driver.name, operation: "defineBackend", details: { field: `driver.facets.${facet}.${method}` } },
        );
      }
      wrapped[method] = (...args: unknown[]) =>
        run(operation, rule, args, async () => (await (target as (...a: unknown[]) => unknown).apply(impl, args)) as unknown);
    }
    return Object.freeze(wrapped) as F;
  };

  const [workflows, state, engine, tenants, tokens] = FACETS.map((facet) => wrapFacet(facet, facets[facet])) as [
    WorkflowStore,
    StateStore,
    EngineBackend,
    TenantStore,
    TokenStore,
  ];

  const views = new Map<string, Backend>();
  const backend: Backend = {
    name: driver.name,
    capabilities,
    tenantId,
    workflows,
    state,
    engine,
    tenants,
    tokens,
    forTenant(otherTenant: string): Backend {
      if (viewClosed || lifecycle.closed) throw closedError("forTenant");
      try {
        assertId(otherTenant, "tenantId");
      } catch (error) {
        throw toMooringError(error, "forTenant");
      }
      if (otherTenant !== tenantId) requireCapability("forTenant", "tenancy");
      let view = views.get(otherTenant);
      if (!view) {
        view = createView(driver, capabilities, limits, lifecycle, otherTenant, false);
        views.set(otherTenant, view);
      }
      return view;
    },
    migrate: () => run("migrate", undefined, [], () => driver.migrate()),
    ping: () => run("ping", undefined, [], () => driver.ping()),
    close: async () => {
      if (isRoot) {
        await lifecycle.close();
      } else {
        viewClosed = true;
      }
    },
    [Symbol.asyncDispose]: () => backend.close(),
  };
  return Object.freeze(backend);
}

/**
 * The last step of an asynchronous factory: runs `backend.migrate()` unless `options.migrate` is
 * false, and returns the backend; when migrating fails, closes the backend and rethrows, so a
 * factory never hands out a backend on a schema it could not bring up to date nor leaks its
 * connection. (The lifecycle of `Backend`: factory → `migrate()` → use → `close()`.)
 * @throws what `migrate()` throws (INVALID_STATE for a schema this code must not touch, UNAVAILABLE…)
 */
export async function migrateOnOpen(backend: Backend, options: { readonly migrate?: boolean | undefined }): Promise<Backend> {
  if (options.migrate === false) return backend;
  try {
    await backend.migrate();
  } catch (error) {
    await backend.close();
    throw error;
  }
  return backend;
}
