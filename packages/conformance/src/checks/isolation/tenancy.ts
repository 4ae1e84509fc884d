/**
 * Tenancy: the same task id, queue, run id, key and signal key in two tenants name independent
 * things, and every claim, list, count and sweep is confined to the view's tenant (T1; SPEC §10.8,
 * §10.9). Tenant records and suspended tenants (T2) are checked in `access/tenants.ts`.
 *
 * Where a check needs a "first" tenant it uses the root view (tenant "default") against a view of
 * a fresh tenant, in both directions where it matters, so that a view falling back to the root's
 * data is caught; fencing is also exercised through a non-root view, where a fix applied to the
 * backend but not its tenant-scoped twin would show (SPEC §10.8).
 */
import { DEFAULT_TENANT, type EngineBackend } from "@mooring/core";
import { type Check, defineCheck } from "../../registry.js";
import { advanceTo, capabilitiesOf, claimNothing, claimOne, enqueueTask, expectRejectedHolderCall, expectTask, HOLDER_CALLS, rejectsWith, same, succeeds, taskOf } from "../support/index.js";

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

const crossTenantHolderCalls: Check[] = HOLDER_CALLS.map((call) =>
  defineCheck({
    id: `T1.holder-call-cross-tenant.${call.name}`,
    rule: "T1",
    title: `${call.name} with another tenant's lease is NOT_FOUND and writes nothing in either tenant`,
    requires: capabilitiesOf(call.requires, ["tenancy"]),
    kind: "example",
    async run(ctx) {
      const owner = ctx.backend.forTenant(ctx.unique("owner")).engine;
      const caller = ctx.backend.forTenant(ctx.unique("caller")).engine;
      const queue = ctx.unique("queue");
      const id = await enqueueTask(owner, { queue });
      const lease = await claimOne(owner, queue, { taskId: id });
      // The caller's tenant has a task in a queue of the same name, so "not found" cannot be a coincidence.
      await enqueueTask(caller, { queue });
      await expectRejectedHolderCall({
        engine: caller,
        owner,
        call,
        lease,
        code: "NOT_FOUND",
        signalKey: ctx.unique("signal"),
        what: `${call.name} on another tenant's view`,
      });
      await succeeds(owner.renew(lease), "renew by the owner after the cross-tenant call (the lease is untouched)");
    },
  }),
);

const isolation: Check[] = [
  ...crossTenantHolderCalls,
  defineCheck({
    id: "T1.forged-task-id",
    rule: "T1",
    title: "another tenant's task id reads as null and is NOT_FOUND for cancel and revokeLease, both ways",
    requires: ["leases", "tenancy"],
    kind: "example",
    async run(ctx) {
      const root = ctx.backend.engine;
      const other = ctx.backend.forTenant(ctx.unique("tenant")).engine;
      const queue = ctx.unique("queue");
      const rootTask = await enqueueTask(root, { queue });
      const otherTask = await enqueueTask(other, { queue });
      await claimOne(root, queue, { taskId: rootTask });
      const rootBefore = await taskOf(root, rootTask);
      const otherBefore = await taskOf(other, otherTask);
      for (const [view, foreign, label] of [
        [other, rootTask, "the root tenant's task on another tenant's view"],
        [root, otherTask, "another tenant's task on the root view"],
      ] as const) {
        same(await succeeds(view.getTask(foreign), `getTask of ${label}`), null, `getTask of ${label}`);
        await rejectsWith(view.cancel(foreign), "NOT_FOUND", `cancel of ${label}`);
        await rejectsWith(view.revokeLease(foreign), "NOT_FOUND", `revokeLease of ${label}`);
      }
      same(await taskOf(root, rootTask), rootBefore, "the root tenant's task after the forged calls");
      same(await taskOf(other, otherTask), otherBefore, "the other tenant's task after the forged calls");
    },
  }),
  defineCheck({
    id: "T1.forged-task-id-extras",
    rule: "T1",
    title: "another tenant's task id cannot be a dependency, a dead letter to retry or a frame stream",
    requires: ["leases", "tenancy", "dependencies", "deadLetter", "streams"],
    kind: "example",
    async run(ctx) {
      const root = ctx.backend.engine;
      const other = ctx.backend.forTenant(ctx.unique("tenant")).engine;
      const queue = ctx.unique("queue");
      const dead = await enqueueTask(root, { queue, maxAttempts: 1 });
      const lease = await claimOne(root, queue, { taskId: dead });
      await succeeds(root.appendFrame(lease, "secret frame"), "appendFrame");
      await succeeds(root.fail(lease, { error: "x" }), "fail");
      await rejectsWith(other.enqueue({ queue, dependsOn: [dead] }), "NOT_FOUND", "enqueue depending on another tenant's task");
      await claimNothing(other, queue, "a claim in the tenant whose enqueue was rejected");
      await rejectsWith(other.retryDeadLetter(dead), "NOT_FOUND", "retryDeadLetter of another tenant's dead task");
      same(await succeeds(other.readFrames(dead, { attempt: 1 }), "readFrames of another tenant's task"), [], "frames of another tenant's task");
      await expectTask(root, dead, { state: "dead" }, "the root tenant's dead task");
    },
  }),
  defineCheck({
    id: "T1.claim-confined",
    rule: "T1",
    title: "a claim never returns another tenant's task, even in a queue of the same name",
    requires: ["leases", "tenancy"],
    kind: "example",
    async run(ctx) {
      const root = ctx.backend.engine;
      const other = ctx.backend.forTenant(ctx.unique("tenant")).engine;
      const queue = ctx.unique("queue");
      const rootTask = await enqueueTask(root, { queue });
      await claimNothing(other, queue, "a claim in another tenant while only the root tenant has a task");
      const otherTask = await enqueueTask(other, { queue });
      const rootLeases = await succeeds(root.claim({ workerId: "w", queues: [queue], leaseMs: 1_000, limit: 10 }), "claim in the root tenant");
      same(
        rootLeases.map((lease) => lease.taskId),
        [rootTask],
        "tasks the root tenant claims",
      );
      await claimOne(other, queue, { taskId: otherTask }, "the claim in the other tenant");
    },
  }),
  defineCheck({
    id: "T1.signal-keys",
    rule: "T1",
    title: "a signal reaches only its own tenant's waiters and buffers; its idempotency key is per tenant",
    requires: ["leases", "tenancy", "signals"],
    kind: "example",
    async run(ctx) {
      const root = ctx.backend.engine;
      const other = ctx.backend.forTenant(ctx.unique("tenant")).engine;
      const queue = ctx.unique("queue");
      const key = ctx.unique("key");
      const waiter = await enqueueTask(root, { queue });
      same(await succeeds(root.suspend(await claimOne(root, queue, { taskId: waiter }), { keys: [key] }), "suspend"), { suspended: true }, "suspend in the root tenant");
      const idempotencyKey = ctx.unique("signal-id");
      const foreign = await succeeds(other.signal({ key, payload: "other tenant", idempotencyKey }), "signal in the other tenant");
      same({ deliveredTo: foreign.deliveredTo, duplicate: foreign.duplicate }, { deliveredTo: [], duplicate: false }, "a signal on the same key in another tenant");
      await expectTask(root, waiter, { state: "suspended" }, "the root tenant's waiter after another tenant's signal");
      const own = await succeeds(root.signal({ key, payload: "root tenant", idempotencyKey }), "signal in the root tenant");
      same(
        { deliveredTo: own.deliveredTo, duplicate: own.duplicate },
        { deliveredTo: [waiter], duplicate: false },
        "a signal in the root tenant with the same idempotency key",
      );
      const resumed = await claimOne(root, queue, { taskId: waiter }, "the claim of the resumed waiter");
      same(
        (resumed.signals ?? []).map((signal) => signal.payload),
        ["root tenant"],
        "signals of the root tenant's resumed task",
      );
      const otherTask = await enqueueTask(other, { queue });
      const result = await succeeds(other.suspend(await claimOne(other, queue, { taskId: otherTask }), { keys: [key] }), "suspend in the other tenant");
      same(result.suspended ? [] : result.signals.map((signal) => signal.payload), ["other tenant"], "signals the other tenant's task takes from its buffer");
    },
  }),
  defineCheck({
    id: "T1.lists-counts-sweeps",
    rule: "T1",
    title: "listDeadLetters, queueStats and reclaimExpired see only the view's tenant",
    requires: ["leases", "tenancy", "deadLetter", "queueControl", "reclaim"],
    kind: "example",
    async run(ctx) {
      const root = ctx.backend.engine;
      const other = ctx.backend.forTenant(ctx.unique("tenant")).engine;
      const queue = ctx.unique("queue");
      const kill = async (engine: EngineBackend): Promise<string> => {
        const id = await enqueueTask(engine, { queue, maxAttempts: 1 });
        await succeeds(engine.fail(await claimOne(engine, queue, { taskId: id }), { error: "x" }), "fail");
        return id;
      };
      const rootDead = await kill(root);
      const otherDead = [await kill(other), await kill(other)];
      const rootExpiring = await enqueueTask(root, { queue });
      const rootLease = await claimOne(root, queue, { taskId: rootExpiring });
      const otherExpiring = await enqueueTask(other, { queue });
      await claimOne(other, queue, { taskId: otherExpiring });
      await enqueueTask(root, { queue });
      await enqueueTask(root, { queue });

      same((await succeeds(root.listDeadLetters({ limit: 100 }), "listDeadLetters")).items.map((t) => t.id), [rootDead], "the root tenant's dead letters");
      same((await succeeds(other.listDeadLetters({ limit: 100, queue }), "listDeadLetters")).items.map((t) => t.id), otherDead, "the other tenant's dead letters");
      same(
        (await succeeds(other.queueStats(queue), "queueStats")).counts,
        { scheduled: 0, ready: 0, leased: 1, completed: 0, dead: 2, cancelled: 0, suspended: 0, blocked: 0 },
        "the other tenant's counts in a queue both tenants use",
      );
      same(
        (await succeeds(root.queueStats(queue), "queueStats")).counts,
        { scheduled: 0, ready: 2, leased: 1, completed: 0, dead: 1, cancelled: 0, suspended: 0, blocked: 0 },
        "the root tenant's counts in a queue both tenants use",
      );
      await succeeds(other.setQueue(queue, { paused: true }), "pause the queue in the other tenant");
      same((await succeeds(root.queueStats(queue), "queueStats")).paused, false, "the root tenant's queue after another tenant paused its namesake");

      advanceTo(ctx.clock, rootLease.expiresAt);
      same(await succeeds(other.reclaimExpired(), "reclaimExpired in the other tenant"), { retried: [otherExpiring], deadLettered: [] }, "the other tenant's sweep");
      await expectTask(root, rootExpiring, { state: "leased", attempt: 1, lastError: null }, "the root tenant's expired task after another tenant's sweep");
      same(await succeeds(root.reclaimExpired(), "reclaimExpired in the root tenant"), { retried: [rootExpiring], deadLettered: [] }, "the root tenant's sweep");
    },
  }),
  defineCheck({
    id: "T1.same-run-id",
    rule: "T1",
    title: "the same run id in two tenants names two runs with their own event logs (SPEC §10.9)",
    requires: ["runs", "events", "tenancy"],
    kind: "example",
    async run(ctx) {
      const root = ctx.backend.workflows;
      const other = ctx.backend.forTenant(ctx.unique("tenant")).workflows;
      const id = ctx.unique("run");
      const inRoot = await succeeds(root.createRun({ id, workflowId: "flow", version: "1", input: "root" }), "createRun in the root tenant");
      const inOther = await succeeds(other.createRun({ id, workflowId: "flow", version: "2", input: "other" }), "createRun in the other tenant");
      same([inRoot.created, inOther.created], [true, true], "created of the same run id in two tenants");
      same(await succeeds(root.appendEvents(id, [{ type: "a" }, { type: "b" }]), "appendEvents in the root tenant"), [1, 2], "sequences in the root tenant");
      same(await succeeds(other.appendEvents(id, [{ type: "z" }]), "appendEvents in the other tenant"), [1], "sequences in the other tenant (its own log)");
      same((await succeeds(other.readEvents(id), "readEvents")).map((event) => event.type), ["z"], "the other tenant's events");
      same(await succeeds(root.latestSequence(id), "latestSequence"), 2, "the root tenant's latest sequence");
      same(await succeeds(root.deleteRun(id), "deleteRun in the root tenant"), true, "deleteRun in the root tenant");
      same((await succeeds(other.getRun(id), "getRun in the other tenant"))?.input, "other", "the other tenant's run after the root's was deleted");
      same(await succeeds(other.latestSequence(id), "latestSequence in the other tenant"), 1, "the other tenant's log after the root's run was deleted");
      same(await succeeds(root.getRun(id), "getRun in the root tenant"), null, "the root tenant's deleted run");
    },
  }),
  defineCheck({
    id: "T1.same-kv-key",
    rule: "T1",
    title: "the same cache key in two tenants names two entries",
    requires: ["kv", "tenancy"],
    kind: "example",
    async run(ctx) {
      const root = ctx.backend.state;
      const other = ctx.backend.forTenant(ctx.unique("tenant")).state;
      const key = ctx.unique("key");
      await succeeds(root.set(key, bytes(1, 2, 3)), "set in the root tenant");
      same(await succeeds(other.get(key), "get in the other tenant"), null, "another tenant's key before the other tenant set it");
      same(await succeeds(other.exists(key), "exists in the other tenant"), false, "exists of another tenant's key");
      await succeeds(other.set(key, bytes(9)), "set in the other tenant");
      same(await succeeds(root.get(key), "get in the root tenant"), bytes(1, 2, 3), "the root tenant's value after another tenant set the same key");
      same(await succeeds(root.delete(key), "delete in the root tenant"), true, "delete in the root tenant");
      same(await succeeds(other.get(key), "get in the other tenant"), bytes(9), "the other tenant's value after the root's was deleted");
    },
  }),
  defineCheck({
    id: "T1.fencing-in-tenant-view",
    rule: "T1",
    title: "a tenant view fences, expires and consumes attempts exactly like the root view (SPEC §10.8)",
    requires: ["leases", "tenancy", "reclaim"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.forTenant(ctx.unique("tenant")).engine;
      const queue = ctx.unique("queue");
      const id = await enqueueTask(engine, { queue, maxAttempts: 2 });
      const first = await claimOne(engine, queue, { taskId: id });
      advanceTo(ctx.clock, first.expiresAt);
      await rejectsWith(engine.complete(first), "LEASE_EXPIRED", "complete at expiry in a tenant view");
      same(await succeeds(engine.reclaimExpired(), "reclaimExpired"), { retried: [id], deadLettered: [] }, "the tenant view's sweep");
      advanceTo(ctx.clock, (await taskOf(engine, id)).runAt);
      const second = await claimOne(engine, queue, { taskId: id });
      same(second.attempt, 2, "attempt after an expiry in a tenant view");
      await rejectsWith(engine.complete(first), "STALE_LEASE", "complete by the reclaimed holder in a tenant view");
      await rejectsWith(engine.complete({ ...second, epoch: second.epoch + 1 }), "INVALID_STATE", "complete with a forged epoch in a tenant view");
      advanceTo(ctx.clock, second.expiresAt);
      await claimNothing(engine, queue, "the claim that reclaims the last attempt");
      await expectTask(engine, id, { state: "dead", attempt: 2 }, "the task after its last attempt expired in a tenant view");
    },
  }),
  defineCheck({
    id: "T1.default-tenant-view",
    rule: "T1",
    title: "the root view is tenant \"default\" and forTenant(\"default\") sees the same data",
    requires: ["leases", "tenancy"],
    kind: "example",
    async run(ctx) {
      same(ctx.backend.tenantId, DEFAULT_TENANT, "the root view's tenantId");
      const view = ctx.backend.forTenant(DEFAULT_TENANT);
      same(view.tenantId, DEFAULT_TENANT, "forTenant(\"default\").tenantId");
      const queue = ctx.unique("queue");
      const id = await enqueueTask(ctx.backend.engine, { queue });
      await claimOne(view.engine, queue, { taskId: id }, "a claim through forTenant(\"default\")");
      const other = ctx.backend.forTenant(ctx.unique("tenant"));
      same(other.tenantId === DEFAULT_TENANT, false, "a fresh tenant view is not the default tenant");
    },
  }),
];

export const checks: Check[] = isolation;
