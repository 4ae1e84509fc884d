/**
 * The `details` of the fence's errors (SPEC E5, C4): every backend returns core's one documented
 * shape, `{ taskId, leaseEpoch, currentEpoch, state }` (FenceErrorDetails), whatever its
 * datastore, so a backend whose errors drift from it fails here. Each way a lease stops being
 * valid is provoked once and probed with every holder call the backend declares, and with
 * `commit` holding the lease (SPEC W11); the task's `currentEpoch` and `state` are what `getTask`
 * reports right after the rejection.
 */
import { type EngineBackend, type ErrorCode, type FenceErrorDetails, type Lease } from "@mooring/core";
import { type Check, type CheckContext, defineCheck } from "../../registry.js";
import { HOLDER_CALLS, type HolderCallName, advanceTo, claimOne, enqueueTask, ensure, forgedLease, rejectsWith, same, succeeds } from "../support/index.js";

interface FenceCase {
  readonly title: string;
  readonly code: ErrorCode;
  /** A holder call that this case does not reject (E7: `complete` repeated after it succeeded). */
  readonly accepts?: HolderCallName;
  /** Makes the lease the calls hold, and says whether its task exists. */
  setup(ctx: CheckContext, engine: EngineBackend, queue: string): Promise<{ readonly lease: Lease; readonly exists: boolean }>;
}

/**
 * Enqueues a task (three attempts, so that an expiry retries it) and claims that very task: the
 * cases share a queue, where earlier tasks may be ready again.
 */
async function leaseTaskIn(engine: EngineBackend, queue: string): Promise<Lease> {
  const id = await enqueueTask(engine, { queue, maxAttempts: 3 });
  return claimOne(engine, queue, { taskId: id }, "setup: claim");
}

async function revoke(engine: EngineBackend, taskId: string): Promise<void> {
  ensure(await succeeds(engine.revokeLease(taskId), "setup: revokeLease"), "setup: revokeLease of a leased task must return true");
}

const CASES: readonly FenceCase[] = [
  {
    title: "a lease on a task that does not exist",
    code: "NOT_FOUND",
    async setup(ctx) {
      return { lease: forgedLease(ctx.unique("absent-task"), 1, ctx.clock.now() + 60_000), exists: false };
    },
  },
  {
    title: "a lease after a newer lease was granted",
    code: "STALE_LEASE",
    async setup(_ctx, engine, queue) {
      const first = await leaseTaskIn(engine, queue);
      await revoke(engine, first.taskId);
      await claimOne(engine, queue, { taskId: first.taskId }, "setup: second claim");
      return { lease: first, exists: true };
    },
  },
  {
    title: "a lease with an epoch never granted",
    code: "INVALID_STATE",
    async setup(_ctx, engine, queue) {
      const real = await leaseTaskIn(engine, queue);
      return { lease: { ...real, epoch: real.epoch + 1 }, exists: true };
    },
  },
  {
    title: "a lease revoked by revokeLease",
    code: "LEASE_REVOKED",
    async setup(_ctx, engine, queue) {
      const lease = await leaseTaskIn(engine, queue);
      await revoke(engine, lease.taskId);
      return { lease, exists: true };
    },
  },
  {
    title: "the lease of a cancelled task",
    code: "LEASE_REVOKED",
    async setup(_ctx, engine, queue) {
      const lease = await leaseTaskIn(engine, queue);
      ensure(await succeeds(engine.cancel(lease.taskId, "operator"), "setup: cancel"), "setup: cancel of a leased task must return true");
      return { lease, exists: true };
    },
  },
  {
    title: "a lease at exactly now = expiresAt, before any sweep",
    code: "LEASE_EXPIRED",
    async setup(ctx, engine, queue) {
      const lease = await leaseTaskIn(engine, queue);
      advanceTo(ctx.clock, lease.expiresAt);
      return { lease, exists: true };
    },
  },
  {
    title: "a lease reclaimed after expiry",
    code: "LEASE_EXPIRED",
    async setup(ctx, engine, queue) {
      const lease = await leaseTaskIn(engine, queue);
      advanceTo(ctx.clock, lease.expiresAt);
      const reclaimed = await succeeds(engine.reclaimExpired(), "setup: reclaimExpired");
      ensure(reclaimed.retried.includes(lease.taskId), "setup: reclaimExpired must retry the expired task");
      return { lease, exists: true };
    },
  },
  {
    title: "the lease of a task it completed",
    code: "INVALID_STATE",
    accepts: "complete",
    async setup(_ctx, engine, queue) {
      const lease = await leaseTaskIn(engine, queue);
      await succeeds(engine.complete(lease), "setup: complete");
      return { lease, exists: true };
    },
  },
];

async function expectedDetails(engine: EngineBackend, lease: Lease, exists: boolean): Promise<FenceErrorDetails> {
  const task = exists ? await engine.getTask(lease.taskId) : null;
  ensure(exists === (task !== null), `getTask(${lease.taskId}) must ${exists ? "return the task" : "return null"}`);
  return { taskId: lease.taskId, leaseEpoch: lease.epoch, currentEpoch: task?.epoch ?? null, state: task?.state ?? null };
}

export const checks: Check[] = [
  defineCheck({
    id: "E5.fence-error-details",
    rule: "E5",
    title: "every fence error carries the documented details { taskId, leaseEpoch, currentEpoch, state }, from every holder call and commit with a lease",
    requires: ["leases", "reclaim"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const capabilities = ctx.backend.capabilities as Readonly<Record<string, boolean | undefined>>;
      const calls: { readonly name: string; invoke(lease: Lease): Promise<unknown> }[] = HOLDER_CALLS.filter((call) =>
        call.requires.every((name) => capabilities[name] === true),
      ).map((call) => ({ name: call.name, invoke: (lease) => call.invoke(engine, lease, ctx.unique("fence-details-signal")) }));
      if (capabilities.runs === true && capabilities.commit === true) {
        // commit with a lease is fenced like a holder call (SPEC W11) and raises the same details.
        const { run } = await succeeds(ctx.backend.workflows.createRun({ id: ctx.unique("fence-details-run"), workflowId: "fenced", version: "1" }), "setup: createRun");
        calls.push({ name: "commit", invoke: (lease) => ctx.backend.workflows.commit(run.id, { lease, events: [{ type: "fenced" }] }) });
      }
      for (const [index, fenceCase] of CASES.entries()) {
        const queue = ctx.unique(`fence-details-${index}`);
        const { lease, exists } = await fenceCase.setup(ctx, engine, queue);
        for (const call of calls.filter((candidate) => candidate.name !== fenceCase.accepts)) {
          const what = `${fenceCase.title}: ${call.name}`;
          const error = await rejectsWith(call.invoke(lease), fenceCase.code, what);
          same({ ...error.details }, await expectedDetails(engine, lease, exists), `${what}: the ${fenceCase.code} error's details`);
        }
        await ctx.progress();
      }
    },
  }),
];
