/**
 * The session of any Mooring backend: every workload goes through the public `Backend` contract,
 * with its validation and lifecycle guard, exactly as an engine would call it.
 */
import type { Backend, Lease } from "@mooring/core";
import type { ClaimedTask, KeyedQueueOperations, TargetSession } from "./target.js";

/** Long enough that no lease expires during a run, so no reclaim work enters the figures. */
const LEASE_MS = 10 * 60 * 1000;

interface LeasedTask extends ClaimedTask {
  readonly lease: Lease;
}

/**
 * Wraps an open backend. `release` runs after the backend is closed (to remove temporary files,
 * for instance).
 */
export function mooringSession(backend: Backend, release: () => Promise<void> = async () => {}): TargetSession {
  const { engine, workflows, state } = backend;
  let closing: Promise<void> | null = null;
  const keyed: KeyedQueueOperations = {
    async setKeyConcurrency(queue, limit) {
      await engine.setQueue(queue, { keyConcurrency: limit });
    },
    async enqueue(queue, payload, concurrencyKey) {
      await engine.enqueue({ queue, payload, concurrencyKey });
    },
    async enqueueMany(queue, payloads, keys) {
      await engine.enqueueMany(payloads.map((payload, index) => ({ queue, payload, concurrencyKey: keys[index] as string })));
    },
  };
  return {
    queue: {
      ...(backend.capabilities.concurrencyKeys ? { keyed } : {}),
      async enqueue(queue, payload) {
        await engine.enqueue({ queue, payload });
      },
      async enqueueMany(queue, payloads) {
        await engine.enqueueMany(payloads.map((payload) => ({ queue, payload })));
      },
      async claim(queue, workerId, limit) {
        const leases = await engine.claim({ workerId, queues: [queue], leaseMs: LEASE_MS, limit });
        return leases.map((lease): LeasedTask => ({ id: lease.taskId, lease }));
      },
      async complete(task) {
        await engine.complete((task as LeasedTask).lease);
      },
    },
    events: {
      async createRun(runId) {
        await workflows.createRun({ id: runId, workflowId: "bench", version: "1" }, { ifExists: "error" });
      },
      async appendEvents(runId, events) {
        await workflows.appendEvents(runId, events);
      },
    },
    kv: {
      set: (key, value) => state.set(key, value),
      get: (key) => state.get(key),
    },
    close() {
      closing ??= (async () => {
        try {
          await backend.close();
        } finally {
          await release();
        }
      })();
      return closing;
    },
  };
}
