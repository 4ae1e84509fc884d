/**
 * Dependencies (E16): a task is blocked until every dependency completed; a dead or cancelled
 * dependency cancels its dependents with reason "dependency_failed", transitively; dependencies
 * must exist at enqueue time.
 */
import { DEFAULTS } from "@mooring/core";
import { type Check, defineCheck } from "../../registry.js";
import { claimInOrder, claimNothing, claimOne, enqueueTask, ensure, expectTask, rejectsWith, same, sameMembers, show, succeeds, taskOf } from "../support/index.js";

const FAILED = DEFAULTS.dependencyFailedReason;

export const checks: Check[] = [
  defineCheck({
    id: "E16.blocked-until-complete",
    rule: "E16",
    title: "a task is blocked, with its pending dependencies, until every dependency completed",
    requires: ["leases", "dependencies"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const first = await enqueueTask(engine, { queue });
      const second = await enqueueTask(engine, { queue });
      const dependent = await enqueueTask(engine, { queue, dependsOn: [first, second] });
      const blocked = await expectTask(engine, dependent, { state: "blocked" }, "the dependent task");
      sameMembers(blocked.pendingDependencies, [first, second], "pendingDependencies of the blocked task");
      const leases = await succeeds(engine.claim({ workerId: "w", queues: [queue], leaseMs: 60_000, limit: 10 }), "claim everything claimable");
      sameMembers(
        leases.map((lease) => lease.taskId),
        [first, second],
        "tasks claimable while the dependent is blocked",
      );
      const [leaseA, leaseB] = [leases.find((l) => l.taskId === first), leases.find((l) => l.taskId === second)];
      ensure(leaseA && leaseB, `the claim must return both dependencies, got ${show(leases)}`);
      await succeeds(engine.complete(leaseA), "complete the first dependency");
      await expectTask(engine, dependent, { state: "blocked", pendingDependencies: [second] }, "the dependent after one dependency completed");
      await claimNothing(engine, queue, "a claim with one dependency left");
      ctx.clock.advance(40);
      await succeeds(engine.complete(leaseB), "complete the second dependency");
      await expectTask(engine, dependent, { state: "ready", pendingDependencies: [] }, "the dependent after every dependency completed");
      await claimOne(engine, queue, { taskId: dependent }, "the claim of the released dependent");
    },
  }),
  defineCheck({
    id: "E16.completed-dependency",
    rule: "E16",
    title: "a dependency that is already completed does not block",
    requires: ["leases", "dependencies"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const done = await enqueueTask(engine, { queue });
      await succeeds(engine.complete(await claimOne(engine, queue, { taskId: done })), "complete the dependency");
      const dependent = await enqueueTask(engine, { queue, dependsOn: [done] });
      await expectTask(engine, dependent, { state: "ready", pendingDependencies: [] }, "a task depending on a completed task");
      await claimOne(engine, queue, { taskId: dependent });
    },
  }),
  defineCheck({
    id: "E16.ready-time",
    rule: "E16",
    title: "a released dependent is ready from the time its last dependency completed",
    requires: ["leases", "dependencies"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const dependencyQueue = ctx.unique("dependency-queue");
      const dependency = await enqueueTask(engine, { queue: dependencyQueue });
      const dependent = await enqueueTask(engine, { queue, dependsOn: [dependency] });
      ctx.clock.advance(50);
      const meanwhile = await enqueueTask(engine, { queue });
      const lease = await claimOne(engine, dependencyQueue, { taskId: dependency });
      ctx.clock.advance(50);
      await succeeds(engine.complete(lease), "complete the dependency");
      await expectTask(engine, dependent, { state: "ready", runAt: ctx.clock.now() }, "the released dependent");
      same(await claimInOrder(engine, queue, 2), [meanwhile, dependent], "claim order: ready at +50 before released at +100");
    },
  }),
  defineCheck({
    id: "E16.cascade-dead",
    rule: "E16",
    title: "a dead dependency cancels its dependents with dependency_failed, transitively",
    requires: ["leases", "dependencies"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const root = await enqueueTask(engine, { queue, maxAttempts: 1 });
      const child = await enqueueTask(engine, { queue, dependsOn: [root] });
      const grandchild = await enqueueTask(engine, { queue, dependsOn: [child] });
      const sibling = await enqueueTask(engine, { queue });
      const unaffected = await enqueueTask(engine, { queue, dependsOn: [sibling] });
      const lease = await claimOne(engine, queue, { taskId: root });
      same(await succeeds(engine.fail(lease, { error: "broken" }), "fail the root"), { outcome: "dead" }, "fail of the root");
      await expectTask(engine, child, { state: "cancelled", cancelReason: FAILED }, "the child of a dead task");
      await expectTask(engine, grandchild, { state: "cancelled", cancelReason: FAILED }, "the grandchild of a dead task");
      await expectTask(engine, unaffected, { state: "blocked", cancelReason: null }, "a task depending on another task");
    },
  }),
  defineCheck({
    id: "E16.cascade-cancel",
    rule: "E16",
    title: "a cancelled dependency cancels its dependents with dependency_failed, transitively",
    requires: ["leases", "dependencies"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const root = await enqueueTask(engine, { queue });
      const other = await enqueueTask(engine, { queue });
      const child = await enqueueTask(engine, { queue, dependsOn: [other, root] });
      const grandchild = await enqueueTask(engine, { queue, dependsOn: [child] });
      same(await succeeds(engine.cancel(root, "operator"), "cancel the root"), true, "cancel of the root");
      await expectTask(engine, root, { state: "cancelled", cancelReason: "operator" }, "the cancelled root");
      await expectTask(engine, child, { state: "cancelled", cancelReason: FAILED }, "the child of a cancelled task");
      await expectTask(engine, grandchild, { state: "cancelled", cancelReason: FAILED }, "the grandchild of a cancelled task");
      await expectTask(engine, other, { state: "ready", cancelReason: null }, "the child's other dependency (untouched)");
    },
  }),
  defineCheck({
    id: "E16.failed-at-enqueue",
    rule: "E16",
    title: "a task depending on a task that is already dead or cancelled is cancelled at once",
    requires: ["leases", "dependencies"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const cancelled = await enqueueTask(engine, { queue });
      await succeeds(engine.cancel(cancelled), "cancel");
      const dead = await enqueueTask(engine, { queue, maxAttempts: 1 });
      await succeeds(engine.fail(await claimOne(engine, queue, { taskId: dead }), { error: "x" }), "fail");
      for (const [name, dependency] of [
        ["cancelled", cancelled],
        ["dead", dead],
      ] as const) {
        const id = await enqueueTask(engine, { queue, dependsOn: [dependency] }, `enqueue depending on a ${name} task`);
        await expectTask(engine, id, { state: "cancelled", cancelReason: FAILED }, `a task enqueued depending on a ${name} task`);
      }
      await claimNothing(engine, queue, "a claim after the dependents were cancelled");
    },
  }),
  defineCheck({
    id: "E16.failed-at-enqueue-counts",
    rule: "E16",
    title: "a task cancelled at enqueue by a failed dependency counts as cancelled only: it was never ready",
    requires: ["leases", "dependencies", "queueControl"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const cancelled = await enqueueTask(engine, { queue });
      await succeeds(engine.cancel(cancelled), "cancel");
      await enqueueTask(engine, { queue, dependsOn: [cancelled] }, "enqueue depending on the cancelled task");
      const ready = await enqueueTask(engine, { queue });
      const stats = await succeeds(engine.queueStats(queue), "queueStats");
      same(
        { ready: stats.counts.ready, cancelled: stats.counts.cancelled },
        { ready: 1, cancelled: 2 },
        "queueStats counts of ready and cancelled tasks after one task was cancelled at enqueue, one by the operator and one left ready",
      );
      await claimOne(engine, queue, { taskId: ready }, "the claim of the one ready task");
    },
  }),
  defineCheck({
    id: "E16.cancelled-dependent-stays-cancelled",
    rule: "E16",
    title: "a blocked task cancelled by the operator stays cancelled when its last dependency completes",
    requires: ["leases", "dependencies"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const dependency = await enqueueTask(engine, { queue });
      const dependent = await enqueueTask(engine, { queue, dependsOn: [dependency] });
      same(await succeeds(engine.cancel(dependent, "operator"), "cancel the blocked dependent"), true, "cancel of a blocked task");
      await succeeds(engine.complete(await claimOne(engine, queue, { taskId: dependency })), "complete the dependency");
      await expectTask(engine, dependent, { state: "cancelled", cancelReason: "operator" }, "the cancelled dependent once its dependency completed");
      await claimNothing(engine, queue, "a claim once the dependency of the cancelled task completed");
    },
  }),
  defineCheck({
    id: "E16.unknown-dependency",
    rule: "E16",
    title: "an enqueue depending on an unknown task is NOT_FOUND and enqueues nothing",
    requires: ["leases", "dependencies"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const known = await enqueueTask(engine, { queue: ctx.unique("other-queue") });
      await rejectsWith(engine.enqueue({ queue, dependsOn: [known, ctx.unique("no-such-task")] }), "NOT_FOUND", "enqueue with an unknown dependency");
      await claimNothing(engine, queue, "a claim after the rejected enqueue");
      same((await taskOf(engine, known)).state, "ready", "the known dependency after the rejected enqueue");
    },
  }),
];
