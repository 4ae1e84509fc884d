/**
 * Operator calls (E13): cancel makes a non-terminal task cancelled and revokes its lease;
 * revokeLease gives a leased task back without consuming an attempt; getTask reports every field.
 */
import { type Check, defineCheck } from "../../registry.js";
import { advanceTo, claimNothing, claimOne, enqueueTask, expectTask, rejectsWith, same, succeeds, taskOf } from "../support/index.js";

export const checks: Check[] = [
  defineCheck({
    id: "E13.cancel-ready",
    rule: "E13",
    title: "cancel of a ready task makes it cancelled with the reason; a second cancel returns false",
    requires: ["leases"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const id = await enqueueTask(engine, { queue });
      ctx.clock.advance(5);
      same(await succeeds(engine.cancel(id, "no longer needed"), "cancel"), true, "cancel of a ready task");
      await expectTask(engine, id, { state: "cancelled", cancelReason: "no longer needed", updatedAt: ctx.clock.now() }, "the cancelled task");
      const cancelled = await taskOf(engine, id);
      await claimNothing(engine, queue, "a claim after cancel");
      ctx.clock.advance(5);
      same(await succeeds(engine.cancel(id, "again"), "a second cancel"), false, "cancel of a cancelled task");
      same(await taskOf(engine, id), cancelled, "the task after a second cancel (unchanged)");
      const plain = await enqueueTask(engine, { queue });
      same(await succeeds(engine.cancel(plain), "cancel without a reason"), true, "cancel without a reason");
      await expectTask(engine, plain, { state: "cancelled", cancelReason: null }, "a task cancelled without a reason");
    },
  }),
  defineCheck({
    id: "E13.cancel-leased",
    rule: "E13",
    title: "cancel of a leased task revokes its lease: the holder's next call is LEASE_REVOKED",
    requires: ["leases"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const id = await enqueueTask(engine, { queue });
      const lease = await claimOne(engine, queue, { taskId: id });
      same(await succeeds(engine.cancel(id, "operator"), "cancel"), true, "cancel of a leased task");
      await expectTask(engine, id, { state: "cancelled", leaseExpiresAt: null, workerId: null, epoch: lease.epoch }, "the cancelled task");
      await rejectsWith(engine.complete(lease), "LEASE_REVOKED", "complete by the holder of a cancelled task");
      await rejectsWith(engine.renew(lease), "LEASE_REVOKED", "renew by the holder of a cancelled task");
      await expectTask(engine, id, { state: "cancelled", result: null }, "the task after its holder's rejected calls");
    },
  }),
  defineCheck({
    id: "E13.cancel-scheduled-and-terminal",
    rule: "E13",
    title: "cancel works on a scheduled task and returns false on completed and dead ones; unknown is NOT_FOUND",
    requires: ["leases", "delays"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const scheduled = await enqueueTask(engine, { queue, runAt: ctx.clock.now() + 10_000 });
      same(await succeeds(engine.cancel(scheduled), "cancel of a scheduled task"), true, "cancel of a scheduled task");
      advanceTo(ctx.clock, ctx.clock.now() + 10_000);
      await claimNothing(engine, queue, "a claim when the cancelled task's runAt has come");

      const completed = await enqueueTask(engine, { queue });
      const lease = await claimOne(engine, queue, { taskId: completed });
      await succeeds(engine.complete(lease, { result: 1 }), "complete");
      same(await succeeds(engine.cancel(completed), "cancel of a completed task"), false, "cancel of a completed task");
      await expectTask(engine, completed, { state: "completed", result: 1, cancelReason: null }, "the completed task after cancel");

      const dead = await enqueueTask(engine, { queue, maxAttempts: 1 });
      const doomed = await claimOne(engine, queue, { taskId: dead });
      await succeeds(engine.fail(doomed, { error: "x" }), "fail");
      same(await succeeds(engine.cancel(dead), "cancel of a dead task"), false, "cancel of a dead task");
      await expectTask(engine, dead, { state: "dead" }, "the dead task after cancel");

      await rejectsWith(engine.cancel(ctx.unique("no-such-task")), "NOT_FOUND", "cancel of an unknown task");
    },
  }),
  defineCheck({
    id: "E13.revoke-lease",
    rule: "E13",
    title: "revokeLease makes a leased task ready now with the same attempt; false when not leased",
    requires: ["leases"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const id = await enqueueTask(engine, { queue, maxAttempts: 1 });
      same(await succeeds(engine.revokeLease(id), "revokeLease of a ready task"), false, "revokeLease of a task that holds no lease");
      const lease = await claimOne(engine, queue, { taskId: id });
      ctx.clock.advance(20);
      same(await succeeds(engine.revokeLease(id), "revokeLease"), true, "revokeLease of a leased task");
      await expectTask(
        engine,
        id,
        { state: "ready", attempt: 1, epoch: 1, runAt: ctx.clock.now(), leaseExpiresAt: null, workerId: null, lastError: null },
        "the task after revokeLease",
      );
      await rejectsWith(engine.complete(lease), "LEASE_REVOKED", "complete by the revoked holder");
      const next = await claimOne(engine, queue, { taskId: id }, "the claim after revokeLease");
      same({ attempt: next.attempt, epoch: next.epoch }, { attempt: 1, epoch: 2 }, "the lease after revokeLease (no attempt consumed)");
      await rejectsWith(engine.complete(lease), "STALE_LEASE", "complete by the revoked holder after a new claim");
      await rejectsWith(engine.revokeLease(ctx.unique("no-such-task")), "NOT_FOUND", "revokeLease of an unknown task");
    },
  }),
  defineCheck({
    id: "E13.revoke-expired-lease",
    rule: "E13",
    title: "revokeLease of an expired, unreclaimed lease makes the task ready at now without consuming the attempt",
    requires: ["leases"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const id = await enqueueTask(engine, { queue });
      const lease = await claimOne(engine, queue, { taskId: id });
      advanceTo(ctx.clock, lease.expiresAt + 5);
      same(await succeeds(engine.revokeLease(id), "revokeLease"), true, "revokeLease of an expired lease nobody reclaimed");
      await expectTask(engine, id, { state: "ready", attempt: 1, runAt: ctx.clock.now(), lastError: null }, "the task after revokeLease");
      same((await claimOne(engine, queue, { taskId: id })).attempt, 1, "attempt of the next lease");
    },
  }),
  defineCheck({
    id: "E13.get-task",
    rule: "E13",
    title: "getTask reports the lease, the result and the timestamps; null for an unknown task",
    requires: ["leases"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      same(await succeeds(engine.getTask(ctx.unique("no-such-task")), "getTask of an unknown task"), null, "getTask of an unknown task");
      const created = ctx.clock.now();
      const id = await enqueueTask(engine, { queue, payload: { p: 1 } });
      ctx.clock.advance(100);
      const lease = await claimOne(engine, queue, { taskId: id, workerId: "worker-7", leaseMs: 2_500 });
      await expectTask(
        engine,
        id,
        {
          id,
          queue,
          state: "leased",
          payload: { p: 1 },
          attempt: 1,
          epoch: 1,
          leaseExpiresAt: ctx.clock.now() + 2_500,
          workerId: "worker-7",
          createdAt: created,
          updatedAt: ctx.clock.now(),
        },
        "the leased task",
      );
      ctx.clock.advance(100);
      await succeeds(engine.complete(lease, { result: ["r", 2] }), "complete");
      await expectTask(
        engine,
        id,
        { state: "completed", result: ["r", 2], leaseExpiresAt: null, workerId: null, createdAt: created, updatedAt: ctx.clock.now() },
        "the completed task",
      );
    },
  }),
];
