/** Hostile input: the tenant (or namespace) a property run works in, and the values its calls are made with. */
import { type Backend, type CapabilityName, executionKey, hasCapability, type Lease } from "@mooring/core";
import { type CheckContext } from "../../../registry.js";
import { fail, freshScope } from "../../support/index.js";

// ---------------------------------------------------------------------------------------------
// Facets

/** The facet an operation calls into; each facet's operations make a check of their own. */
export type HostileFacet = "workflows" | "state" | "engine" | "tenants" | "tokens";

/**
 * The capability every operation of a facet needs: the facet's check requires it, and draws the
 * operations whose further capabilities the backend declares.
 */
export const FACET_CAPABILITY: Readonly<Record<HostileFacet, CapabilityName>> = {
  workflows: "runs",
  state: "kv",
  engine: "leases",
  tenants: "tenancy",
  tokens: "tokens",
};

// ---------------------------------------------------------------------------------------------
// The tenant a property run works in

export interface Env {
  readonly ctx: CheckContext;
  readonly view: Backend;
  readonly runId: string;
  readonly queue: string;
  readonly key: string;
  readonly ownedKey: string;
  readonly executionId: string;
  /** Every task of the tenant. */
  readonly taskIds: string[];
  /** Every run of the tenant. */
  readonly runIds: Set<string>;
  /** Every KV key set in the tenant. */
  readonly keys: Set<string>;
  readonly declared: (capability: CapabilityName) => boolean;
  leaseCount: number;
  /** Closes the namespace the env was opened in, if it needed one (`support/scopes.ts`). */
  release(): Promise<void>;
}

/**
 * A fresh tenant (or namespace, without `tenancy`) seeded with a run, values, a cached snapshot and
 * a task, each where the backend declares its capability, so that a rejected call that wrote to any
 * declared facet shows in the fingerprint.
 */
export async function openEnv(ctx: CheckContext, prefix: string): Promise<Env> {
  const scope = await freshScope(ctx, prefix);
  const view = scope.backend;
  const declared = (capability: CapabilityName): boolean => hasCapability(view.capabilities, capability);
  const env: Env = {
    ctx,
    view,
    runId: "run-seed",
    queue: "queue-seed",
    key: "key-seed",
    ownedKey: executionKey("exec-seed", "owned"),
    executionId: "exec-seed",
    taskIds: [],
    runIds: new Set(),
    keys: new Set(),
    declared,
    leaseCount: 0,
    release: () => scope.release(),
  };
  if (declared("runs")) {
    await view.workflows.createRun({ id: env.runId, workflowId: "wf", version: "1", context: { seed: [1] } });
    env.runIds.add(env.runId);
    if (declared("events")) await view.workflows.appendEvents(env.runId, [{ type: "seed", payload: { n: 1 } }]);
  }
  if (declared("kv")) {
    await view.state.set(env.key, new Uint8Array([1, 2, 3]));
    await view.state.set(env.ownedKey, new Uint8Array([4]));
    env.keys.add(env.key).add(env.ownedKey);
    await view.state.saveSnapshot({ executionId: env.executionId, sequence: 1, state: { seed: true } });
  }
  if (declared("leases")) env.taskIds.push((await view.engine.enqueue({ queue: env.queue, payload: "seed" })).id);
  return env;
}

/** A fresh task in a queue of its own, leased; its task joins the tenant's tasks. */
export async function freshLease(env: Env): Promise<Lease> {
  const queue = `lease-queue-${env.leaseCount++}`;
  const { id } = await env.view.engine.enqueue({ queue, payload: "leased" });
  env.taskIds.push(id);
  const [lease] = await env.view.engine.claim({ workerId: "hostile-worker", queues: [queue], leaseMs: 60_000 });
  if (!lease) fail("setup: a claim on a fresh queue with one ready task granted nothing");
  return lease;
}

/** A byte value made from a string (lone surrogates become U+FFFD: bytes are bytes). */
export const bytesOf = (text: string): Uint8Array => new TextEncoder().encode(`v:${text}`);

function base64url(text: string): string {
  return Buffer.from(text, "utf8").toString("base64url");
}

/** Cursors no list returned: hostile strings, and base64url JSON that looks like a cursor. */
export function forgedCursors(text: string): string[] {
  return [text, base64url(text), base64url(JSON.stringify(["runs", text])), base64url(JSON.stringify(["snapshots", text])), base64url(JSON.stringify([text, -1]))];
}
