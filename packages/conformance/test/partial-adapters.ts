/**
 * Partial adapters (issue 15): the memory backend behind core's own guard, declaring fewer
 * capabilities, as a third party's adapter that implements only some facets would. Calling into
 * an undeclared capability throws UNSUPPORTED (SPEC section 7), so a check that exercises more than
 * it `requires` fails on such an adapter instead of passing unseen.
 *
 * `recordingCreate` wraps any `create` and records the capabilities a check really calls into
 * (each method's own, the ones its arguments use, `tenancy` for another tenant's view,
 * `serverClock` for a backend created on its own clock): the other half of the gating audit.
 */
import { createMemoryBackend, MemoryStore } from "@mooring/backend-memory";
import { type Backend, type BackendFacets, CALL_RULES, CAPABILITY_NAMES, type CapabilityName, defineBackend, type FacetName } from "@mooring/core";
import type { OpenContext } from "./broken-adapters.js";

export type Create = (context: OpenContext) => Promise<Backend>;

/** A memory `create`: one store per namespace, so that a second `create` reaches the same data. */
export function memoryCreate(): Create {
  const stores = new Map<string, MemoryStore>();
  return async ({ clock, namespace }) => {
    let store = stores.get(namespace);
    if (!store) stores.set(namespace, (store = new MemoryStore()));
    return createMemoryBackend({ clock, namespace, store });
  };
}

/** The facets of one tenant of `real`, as a driver hands them to `defineBackend`. */
function facetsOf(real: Backend, tenantId: string): BackendFacets {
  const view = real.forTenant(tenantId);
  return { workflows: view.workflows, state: view.state, engine: view.engine, tenants: view.tenants, tokens: view.tokens };
}

/**
 * A `create` whose backends are memory backends declaring only `declared`: core's guard (the one
 * every backend runs behind) rejects any other capability's call with UNSUPPORTED.
 */
export function partialCreate(declared: readonly CapabilityName[], create: Create = memoryCreate()): Create {
  const flags = Object.fromEntries(declared.map((name) => [name, true]));
  return async (context) => {
    const real = await create(context);
    return defineBackend({
      name: real.name,
      capabilities: flags,
      facets: (tenantId) => facetsOf(real, tenantId),
      migrate: () => real.migrate(),
      ping: () => real.ping(),
      close: () => real.close(),
    });
  };
}

/** Every capability but those listed. */
export function allBut(...left: readonly CapabilityName[]): CapabilityName[] {
  return CAPABILITY_NAMES.filter((name) => !left.includes(name));
}

const FACETS = Object.keys(CALL_RULES) as FacetName[];

/** The capabilities a call asks for: its method's, and those its arguments use (a priority, a delay). */
function capabilitiesOfCall(facet: FacetName, method: string, args: readonly unknown[]): CapabilityName[] {
  const rule = CALL_RULES[facet][method];
  if (!rule) return [];
  try {
    return [rule.capability, ...(rule.uses?.(args) ?? [])];
  } catch {
    // Arguments too malformed to say what they use: the call is rejected as VALIDATION anyway.
    return [rule.capability];
  }
}

function recordingView(real: Backend, used: Set<CapabilityName>): Backend {
  const facet = (name: FacetName): unknown => {
    const inner = real[name] as unknown as Record<string, (...args: unknown[]) => unknown>;
    const wrapped: Record<string, unknown> = {};
    for (const method of Object.keys(CALL_RULES[name])) {
      wrapped[method] = (...args: unknown[]) => {
        for (const capability of capabilitiesOfCall(name, method, args)) used.add(capability);
        return inner[method]?.(...args);
      };
    }
    return wrapped;
  };
  const [workflows, state, engine, tenants, tokens] = FACETS.map(facet) as [Backend["workflows"], Backend["state"], Backend["engine"], Backend["tenants"], Backend["tokens"]];
  const view: Backend = {
    name: real.name,
    capabilities: real.capabilities,
    tenantId: real.tenantId,
    workflows,
    state,
    engine,
    tenants,
    tokens,
    forTenant: (tenantId) => {
      if (tenantId !== real.tenantId) used.add("tenancy");
      return recordingView(real.forTenant(tenantId), used);
    },
    migrate: () => real.migrate(),
    ping: () => real.ping(),
    close: () => real.close(),
    [Symbol.asyncDispose]: () => real.close(),
  };
  return view;
}

/** Wraps `create` so that every capability any of its backends is called into joins `used`. */
export function recordingCreate(create: Create, used: Set<CapabilityName>): Create {
  return async (context) => {
    if (context.clock === undefined) used.add("serverClock");
    return recordingView(await create(context), used);
  };
}
