/**
 * Deliberately broken backends for the scenarios' own tests (in the manner of the kit's K5): each
 * wraps a working backend and lets a stale holder through, one of the seed systems' bugs (SPEC
 * section 10). A scenario that passes one of them proves nothing.
 */
import { type Backend, type CommitInput, type CommitResult, type EngineBackend, MooringError, type WorkflowStore } from "@mooring/core";

const FENCE_CODES: ReadonlySet<string> = new Set(["STALE_LEASE", "LEASE_EXPIRED", "LEASE_REVOKED", "INVALID_STATE"]);

/** `value` bound to `owner` when it is a method, so that private fields still resolve. */
function member(owner: object, property: string | symbol): unknown {
  const value: unknown = Reflect.get(owner, property, owner);
  return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(owner) : value;
}

/**
 * `backend` whose `commit` lets a stale holder write: when the fence refuses it, the events are
 * appended anyway and success reported ("complete settled by task id alone", SPEC section 10.3).
 * Proxies over fresh targets, since the real facets may be frozen.
 */
export function acceptStaleCommits(backend: Backend): Backend {
  const real = backend.workflows;
  const commit = async (runId: string, input: CommitInput): Promise<CommitResult> => {
    try {
      return await real.commit(runId, input);
    } catch (error) {
      if (!input.lease || !MooringError.is(error) || !FENCE_CODES.has(error.code)) throw error;
      const sequences = input.events && input.events.length > 0 ? await real.appendEvents(runId, input.events) : [];
      const run = await real.getRun(runId);
      if (!run) throw error;
      return { sequences, latestSequence: await real.latestSequence(runId), run };
    }
  };
  const workflows = new Proxy({} as WorkflowStore, { get: (_, property) => (property === "commit" ? commit : member(real, property)) });
  return new Proxy({} as Backend, { get: (_, property) => (property === "workflows" ? workflows : member(backend, property)) });
}

/**
 * `backend` whose `complete` reports success when the fence refuses it (the holder "completes" a
 * task it no longer holds): the seed systems' bug of a complete accepted after expiry (SPEC
 * section 10.7), seen from the caller's side.
 */
export function acceptStaleCompletes(backend: Backend): Backend {
  const real = backend.engine;
  const complete = async (...args: Parameters<EngineBackend["complete"]>): Promise<void> => {
    try {
      await real.complete(...args);
    } catch (error) {
      if (!MooringError.is(error) || !FENCE_CODES.has(error.code)) throw error;
    }
  };
  const engine = new Proxy({} as EngineBackend, { get: (_, property) => (property === "complete" ? complete : member(real, property)) });
  return new Proxy({} as Backend, { get: (_, property) => (property === "engine" ? engine : member(backend, property)) });
}
