/**
 * Queue control (E17): a concurrency limit counts unexpired leases, a paused queue grants nothing,
 * and queueStats reports the effective state of every task and the oldest ready task's age.
 */
import { TASK_STATES, type TaskState } from "@mooring/core";
import { type Check, defineCheck } from "../../registry.js";
import { advanceTo, claimNothing, claimOne, DUE_IN_MS, enqueueTask, ensure, expectWakeWhenDue, expectWakeWhenLeaseEnds, LEASE_MS, same, sameMembers, show, succeeds, within } from "../support/index.js";

/** Counts with every state at zero except the given ones. */
function countsWith(nonZero: Partial<Record<TaskState, number>>): Record<TaskState, number> {
  return Object.fromEntries(TASK_STATES.map((state) => [state, nonZero[state] ?? 0])) as Record<TaskState, number>;
}

export const checks: Check[] = [
  defineCheck({
    id: "E17.concurrency-limit",
    rule: "E17",
    title: "claims never make a queue's unexpired leases exceed its concurrency, from any client",
    requires: ["leases", "queueControl"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const other = (await ctx.connect()).engine;
      const queue = ctx.unique("queue");
      same(await succeeds(engine.setQueue(queue, { concurrency: 2 }), "setQueue"), { queue, concurrency: 2, paused: false }, "setQueue({ concurrency: 2 })");
      for (let i = 0; i < 5; i++) await enqueueTask(engine, { queue });
      const first = await succeeds(engine.claim({ workerId: "a", queues: [queue], leaseMs: 60_000, limit: 5 }), "claim limit 5");
      same(first.length, 2, "leases granted by a claim of 5 under concurrency 2");
      await claimNothing(engine, queue, "a claim with the queue full");
      await claimNothing(other, queue, "a claim on another client with the queue full");
      const [done] = first;
      ensure(done, "two leases were granted");
      await succeeds(engine.complete(done), "complete one lease");
      const refill = await succeeds(other.claim({ workerId: "b", queues: [queue], leaseMs: 60_000, limit: 5 }), "claim after one lease ended");
      same(refill.length, 1, "leases granted after one of two leases completed");
      same(
        await succeeds(engine.setQueue(queue, { concurrency: null }), "setQueue({ concurrency: null })"),
        { queue, concurrency: null, paused: false },
        "removing the limit",
      );
      const rest = await succeeds(engine.claim({ workerId: "c", queues: [queue], leaseMs: 60_000, limit: 5 }), "claim without a limit");
      same(rest.length, 2, "leases granted once the limit is removed (the two tasks left)");
    },
  }),
  defineCheck({
    id: "E17.wait-wakes-when-slot-frees",
    rule: "E17",
    title: "waitForWork does not wake for work a full queue holds back, and wakes when a lease ends on another client",
    requires: ["leases", "queueControl", "notifications"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const other = (await ctx.connect()).engine;
      const queue = ctx.unique("queue");
      await succeeds(engine.setQueue(queue, { concurrency: 1 }), "setQueue({ concurrency: 1 })");
      const first = await enqueueTask(engine, { queue }, "enqueue the first task");
      const second = await enqueueTask(engine, { queue }, "enqueue the second task");
      const held = await claimOne(engine, queue, { taskId: first, leaseMs: 600_000 }, "claim the first task");
      await expectWakeWhenLeaseEnds(engine, other, queue, held, "queue's one slot");
      await claimOne(other, queue, { taskId: second }, "the claim after the wake-up");
    },
  }),
  defineCheck({
    id: "E17.wait-wakes-when-lease-expires",
    rule: "E17",
    title: "waitForWork wakes when the lease that fills a queue's slots expires, with no write to announce it",
    requires: ["leases", "queueControl", "notifications"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      await succeeds(engine.setQueue(queue, { concurrency: 1 }), "setQueue({ concurrency: 1 })");
      const first = await enqueueTask(engine, { queue }, "enqueue the first task");
      await enqueueTask(engine, { queue }, "enqueue the second task");
      const held = await claimOne(engine, queue, { taskId: first, leaseMs: DUE_IN_MS }, "claim the first task for 50 ms");
      await expectWakeWhenDue(engine, ctx.clock, queue, held.expiresAt, "the lease holding the queue's one slot has expired");
      await claimOne(engine, queue, {}, "the claim after the wake-up");
    },
  }),
  defineCheck({
    id: "E17.expired-leases-do-not-count",
    rule: "E17",
    title: "the concurrency limit counts unexpired leases only",
    requires: ["leases", "queueControl"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      await succeeds(engine.setQueue(queue, { concurrency: 2 }), "setQueue");
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) ids.push(await enqueueTask(engine, { queue }));
      const first = await succeeds(engine.claim({ workerId: "a", queues: [queue], leaseMs: LEASE_MS, limit: 4 }), "claim");
      same(first.length, 2, "leases under concurrency 2");
      advanceTo(ctx.clock, Math.max(...first.map((lease) => lease.expiresAt)));
      const second = await succeeds(engine.claim({ workerId: "b", queues: [queue], leaseMs: LEASE_MS, limit: 4 }), "claim after both leases expired");
      sameMembers(
        second.map((lease) => lease.taskId),
        ids.filter((id) => !first.some((lease) => lease.taskId === id)),
        "tasks granted once the first two leases expired",
      );
    },
  }),
  defineCheck({
    id: "E17.limit-per-queue",
    rule: "E17",
    title: "a claim over several queues applies each queue's own limit",
    requires: ["leases", "queueControl"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const limited = ctx.unique("limited");
      const free = ctx.unique("free");
      await succeeds(engine.setQueue(limited, { concurrency: 1 }), "setQueue");
      for (let i = 0; i < 3; i++) await enqueueTask(engine, { queue: limited });
      for (let i = 0; i < 3; i++) await enqueueTask(engine, { queue: free });
      const leases = await succeeds(engine.claim({ workerId: "w", queues: [limited, free], leaseMs: 60_000, limit: 10 }), "claim over both queues");
      same(
        { limited: leases.filter((l) => l.queue === limited).length, free: leases.filter((l) => l.queue === free).length },
        { limited: 1, free: 3 },
        "leases per queue (limited has concurrency 1)",
      );
    },
  }),
  defineCheck({
    id: "E17.paused",
    rule: "E17",
    title: "a paused queue grants no leases; other queues of the same claim still do; resuming grants again",
    requires: ["leases", "queueControl"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const other = (await ctx.connect()).engine;
      const paused = ctx.unique("paused");
      const running = ctx.unique("running");
      const held = await enqueueTask(engine, { queue: paused });
      const free = await enqueueTask(engine, { queue: running });
      await succeeds(engine.setQueue(paused, { concurrency: 5 }), "setQueue concurrency");
      same(await succeeds(engine.setQueue(paused, { paused: true }), "pause"), { queue: paused, concurrency: 5, paused: true }, "pausing keeps the concurrency");
      await claimNothing(engine, paused, "a claim from a paused queue");
      await claimNothing(other, paused, "a claim from a paused queue on another client");
      await claimOne(engine, [paused, running], { taskId: free }, "a claim over a paused and a running queue");
      const stats = await succeeds(engine.queueStats(paused), "queueStats");
      same({ paused: stats.paused, ready: stats.counts.ready }, { paused: true, ready: 1 }, "stats of the paused queue");
      same(await succeeds(engine.setQueue(paused, { paused: false }), "resume"), { queue: paused, concurrency: 5, paused: false }, "resuming");
      await claimOne(other, paused, { taskId: held }, "a claim after the queue resumed");
    },
  }),
  defineCheck({
    id: "E17.wait-sleeps-while-paused",
    rule: "E17",
    title: "waitForWork does not wake for ready work in a paused queue, and resolves at once when the queue is resumed",
    requires: ["leases", "queueControl", "notifications"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const id = await enqueueTask(engine, { queue });
      await succeeds(engine.setQueue(queue, { paused: true }), "pause");
      same(await within(engine.waitForWork([queue], { timeoutMs: 20 }), "waitForWork on the paused queue"), false, "waitForWork (20 ms timeout) on a paused queue with a ready task");
      await succeeds(engine.setQueue(queue, { paused: false }), "resume");
      same(await within(engine.waitForWork([queue], { timeoutMs: 600_000 }), "waitForWork on the resumed queue"), true, "waitForWork on the resumed queue with a ready task");
      await claimOne(engine, queue, { taskId: id }, "the claim after the queue resumed");
    },
  }),
  defineCheck({
    id: "E17.queue-stats",
    rule: "E17",
    title: "queueStats counts tasks per effective state and reports the oldest ready task's age",
    requires: ["leases", "queueControl", "delays"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const start = ctx.clock.now();
      same(
        await succeeds(engine.queueStats(queue), "queueStats of an unknown queue"),
        { queue, concurrency: null, paused: false, counts: countsWith({}), oldestReadyAgeMs: null },
        "queueStats of a queue never used",
      );
      const completed = await enqueueTask(engine, { queue });
      const dead = await enqueueTask(engine, { queue, maxAttempts: 1 });
      const leased = await enqueueTask(engine, { queue });
      await succeeds(engine.complete(await claimOne(engine, queue, { taskId: completed })), "complete");
      await succeeds(engine.fail(await claimOne(engine, queue, { taskId: dead }), { error: "x" }), "fail");
      await claimOne(engine, queue, { taskId: leased, leaseMs: 60_000 });
      const cancelled = await enqueueTask(engine, { queue });
      await succeeds(engine.cancel(cancelled), "cancel");
      await enqueueTask(engine, { queue });
      await enqueueTask(engine, { queue, runAt: start + 300 });
      await enqueueTask(engine, { queue, runAt: start + 1_000_000 });
      same(
        (await succeeds(engine.queueStats(queue), "queueStats")).counts,
        countsWith({ completed: 1, dead: 1, leased: 1, cancelled: 1, ready: 1, scheduled: 2 }),
        "counts at the start",
      );
      advanceTo(ctx.clock, start + 1_000);
      const stats = await succeeds(engine.queueStats(queue), "queueStats 1000 ms later");
      same(
        stats,
        {
          queue,
          concurrency: null,
          paused: false,
          counts: countsWith({ completed: 1, dead: 1, leased: 1, cancelled: 1, ready: 2, scheduled: 1 }),
          oldestReadyAgeMs: 1_000,
        },
        "queueStats 1000 ms later (the task due at +300 reads as ready)",
      );
    },
  }),
  defineCheck({
    id: "E17.oldest-ready-age",
    rule: "E17",
    title: "oldestReadyAgeMs counts from the time a task became ready (its runAt), not from its creation",
    requires: ["leases", "queueControl", "delays"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const start = ctx.clock.now();
      await enqueueTask(engine, { queue, runAt: start + 300 });
      same((await succeeds(engine.queueStats(queue), "queueStats")).oldestReadyAgeMs, null, "oldestReadyAgeMs with only a scheduled task");
      advanceTo(ctx.clock, start + 1_000);
      same((await succeeds(engine.queueStats(queue), "queueStats")).oldestReadyAgeMs, 700, "oldestReadyAgeMs of a task due at +300, at +1000");
    },
  }),
  defineCheck({
    id: "E17.queue-stats-waiting",
    rule: "E17",
    title: "queueStats counts suspended and blocked tasks",
    requires: ["leases", "queueControl", "signals", "dependencies"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const waiting = await enqueueTask(engine, { queue });
      const lease = await claimOne(engine, queue, { taskId: waiting });
      same(await succeeds(engine.suspend(lease, { keys: [ctx.unique("key")] }), "suspend"), { suspended: true }, "suspend");
      await enqueueTask(engine, { queue, dependsOn: [waiting] });
      const stats = await succeeds(engine.queueStats(queue), "queueStats");
      same(stats.counts, countsWith({ suspended: 1, blocked: 1 }), "counts with a suspended and a blocked task");
      ensure(stats.oldestReadyAgeMs === null, `oldestReadyAgeMs with nothing ready must be null, got ${show(stats.oldestReadyAgeMs)}`);
    },
  }),
];
