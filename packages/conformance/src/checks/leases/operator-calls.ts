/**
 * Checks of the operator calls (SPEC E26): a priority changed re-orders claims from the next one
 * on; a replayed terminal task runs again, cleared of its outcome, with a higher epoch and its
 * frames kept; task and queue listings page (C5) with their filters; the bulk calls change at most
 * `limit` tasks, each atomically, and several callers at once never count a task twice.
 */
import type { EngineBackend, Page, TaskRecord } from "@mooring/core";
import { allPages } from "../../model/property/world.js";
import { type Check, defineCheck } from "../../registry.js";
import { claimInOrder, claimOne, enqueueTask, ensure, expectTask, rejectsWith, rejectsWithDetails, same, show, succeeds } from "../support/index.js";

/** Enqueues a task with one attempt, claims it and fails it: it is dead. */
async function deadTask(engine: EngineBackend, queue: string, error: string): Promise<string> {
  const id = await enqueueTask(engine, { queue, maxAttempts: 1 });
  const lease = await claimOne(engine, queue, { taskId: id });
  same(await succeeds(engine.fail(lease, { error }), `fail (${error})`), { outcome: "dead" }, `fail of a task with one attempt (${error})`);
  return id;
}

/** The ids of every page of `list`, walked `limit` at a time. */
async function idsOf(list: (cursor: string | null) => Promise<Page<TaskRecord>>): Promise<string[]> {
  return (await allPages(list)).map((task) => task.id);
}

export const checks: Check[] = [
  defineCheck({
    id: "E26.change-priority",
    rule: "E26",
    title: "changePriority re-orders ready and scheduled tasks from the next claim on, keeps a lease valid, and is NOT_FOUND for an unknown task and INVALID_STATE for a terminal one",
    requires: ["leases", "priorities", "delays", "operator"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const a = await enqueueTask(engine, { queue });
      const b = await enqueueTask(engine, { queue });
      const c = await enqueueTask(engine, { queue });
      const later = await enqueueTask(engine, { queue, runAt: ctx.clock.now() + 100 });
      await succeeds(engine.changePriority(c, 10), "changePriority of the last ready task to 10");
      await succeeds(engine.changePriority(later, 20), "changePriority of a scheduled task to 20");
      await expectTask(engine, c, { priority: 10, state: "ready" }, "the task after changePriority");
      same(await claimInOrder(engine, queue, 1), [c], "the first claim after the last task was raised");
      await succeeds(engine.changePriority(b, -5), "changePriority of a ready task to -5");
      ctx.clock.advance(100);
      same(await claimInOrder(engine, queue, 3), [later, a, b], "claims once the raised scheduled task is due, and after one was lowered");

      const queue2 = ctx.unique("queue");
      const held = await enqueueTask(engine, { queue: queue2 });
      const lease = await claimOne(engine, queue2, { taskId: held });
      await succeeds(engine.changePriority(held, 3), "changePriority of a leased task");
      await expectTask(engine, held, { state: "leased", priority: 3, epoch: lease.epoch }, "a leased task after changePriority");
      await succeeds(engine.complete(lease), "complete with the lease held across changePriority");
      await rejectsWithDetails(engine.changePriority(held, 1), "INVALID_STATE", { taskId: held, state: "completed" }, "changePriority of a completed task");
      const unknown = ctx.unique("task");
      await rejectsWithDetails(engine.changePriority(unknown, 1), "NOT_FOUND", { taskId: unknown }, "changePriority of an unknown task");
    },
  }),
  defineCheck({
    id: "E26.replay",
    rule: "E26",
    title: "replay makes a completed, dead or cancelled task run again: outcome cleared, replays counted, frames kept, a higher epoch, the old lease refused; NOT_FOUND and INVALID_STATE otherwise",
    requires: ["leases", "streams", "progress", "delays", "operator"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const id = await enqueueTask(engine, { queue, payload: { n: 1 } });
      const first = await claimOne(engine, queue, { taskId: id });
      await succeeds(engine.appendFrame(first, "line of run 1"), "appendFrame in run 1");
      await succeeds(engine.progress(first, { percent: 50 }), "progress in run 1");
      await succeeds(engine.complete(first, { result: { done: 1 } }), "complete run 1");
      const unknown = ctx.unique("task");
      await rejectsWithDetails(engine.replay(unknown), "NOT_FOUND", { taskId: unknown }, "replay of an unknown task");
      ctx.clock.advance(5);
      await succeeds(engine.replay(id), "replay of a completed task");
      const replayed = await expectTask(
        engine,
        id,
        { state: "ready", result: null, lastError: null, progress: null, cancelReason: null, replays: 1, epoch: first.epoch, payload: { n: 1 }, updatedAt: ctx.clock.now() },
        "a completed task after replay",
      );
      await rejectsWith(engine.complete(first, { result: "again" }), "INVALID_STATE", "complete with the lease of before the replay (the task is not leased)");
      const second = await claimOne(engine, queue, { taskId: id }, "claim of the replayed task");
      ensure(second.epoch > first.epoch, `the replayed task's lease must have a higher epoch than ${first.epoch}, got ${second.epoch}`);
      same(second.attempt, first.attempt + 1, "the attempt of the replayed task's lease (attempts go on counting)");
      same(await succeeds(engine.readFrames(id), "readFrames of the replayed run before it appends"), [], "the replayed run's own stream, empty");
      await rejectsWith(engine.complete(first, { result: "again" }), "STALE_LEASE", "complete with the lease of before the replay, once a new one exists");
      same(
        (await succeeds(engine.readFrames(id, { attempt: first.attempt }), "readFrames of the first run")).map((frame) => frame.data),
        ["line of run 1"],
        "the frames of the run before the replay",
      );
      same(replayed.attempt, first.attempt, "the attempt getTask reports before the replayed task is claimed");

      await rejectsWithDetails(engine.replay(id), "INVALID_STATE", { taskId: id, state: "leased" }, "replay of a leased task");
      await succeeds(engine.complete(second), "complete the replayed task");

      const dead = await deadTask(engine, queue, "dead once");
      await succeeds(engine.replay(dead, { resetAttempts: true, runAt: ctx.clock.now() + 50 }), "replay of a dead task at a later runAt, resetting attempts");
      await expectTask(engine, dead, { state: "scheduled", lastError: null, replays: 1, runAt: ctx.clock.now() + 50 }, "a dead task replayed for later");
      ctx.clock.advance(50);
      same((await claimOne(engine, queue, { taskId: dead }, "claim of the replayed dead task")).attempt, 1, "the attempt of a replay with resetAttempts");

      const cancelled = await enqueueTask(engine, { queue });
      await succeeds(engine.cancel(cancelled, "operator"), "cancel");
      await succeeds(engine.replay(cancelled), "replay of a cancelled task");
      await succeeds(engine.cancel(cancelled), "cancel again");
      await succeeds(engine.replay(cancelled), "replay again");
      await expectTask(engine, cancelled, { state: "ready", cancelReason: null, replays: 2 }, "a task replayed twice");
    },
  }),
  defineCheck({
    id: "E26.replay-and-dependents",
    rule: "E26",
    title: "a replayed dependency is not completed any more: its still-blocked dependents wait for it again and are released once, by its next completion; dependents it already released are untouched",
    requires: ["leases", "dependencies", "operator"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const [qa, qb, qd] = [ctx.unique("queue-a"), ctx.unique("queue-b"), ctx.unique("queue-d")];
      const a = await enqueueTask(engine, { queue: qa });
      const b = await enqueueTask(engine, { queue: qb });
      const released = await enqueueTask(engine, { queue: qd, dependsOn: [a] });
      const both = await enqueueTask(engine, { queue: qd, dependsOn: [a, b] });
      await succeeds(engine.complete(await claimOne(engine, qa, { taskId: a })), "complete a");
      await expectTask(engine, released, { state: "ready", pendingDependencies: [] }, "a dependent of a alone, once a completed");
      await expectTask(engine, both, { state: "blocked", pendingDependencies: [b] }, "a dependent of a and b, once a completed");

      await succeeds(engine.replay(a), "replay of a");
      // Its pendingDependencies list a again (a has not completed now), but it stays released.
      await expectTask(engine, released, { state: "ready" }, "a dependent a already released, after a's replay");
      await expectTask(engine, both, { state: "blocked", pendingDependencies: [a, b] }, "a still-blocked dependent after a's replay (it waits for a again)");
      await succeeds(engine.complete(await claimOne(engine, qb, { taskId: b })), "complete b");
      await expectTask(engine, both, { state: "blocked", pendingDependencies: [a] }, "the dependent once b completed while a runs again");
      const late = await enqueueTask(engine, { queue: qd, dependsOn: [a] });
      await expectTask(engine, late, { state: "blocked", pendingDependencies: [a] }, "a task enqueued depending on the replayed a");
      await succeeds(engine.complete(await claimOne(engine, qa, { taskId: a }, "claim of the replayed a")), "complete the replayed a");
      await expectTask(engine, both, { state: "ready", pendingDependencies: [] }, "the dependent of a and b once the replayed a completed");
      await expectTask(engine, late, { state: "ready", pendingDependencies: [] }, "the late dependent once the replayed a completed");
    },
  }),
  defineCheck({
    id: "E26.replay-forgets-signals",
    rule: "E26",
    title: "a replayed run starts clean: the signals its resumed run's leases carried are not on the replayed run's lease",
    requires: ["leases", "signals", "operator"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const key = ctx.unique("key");
      const id = await enqueueTask(engine, { queue });
      const lease = await claimOne(engine, queue, { taskId: id });
      same(await succeeds(engine.suspend(lease, { keys: [key] }), "suspend"), { suspended: true }, "suspend with nothing buffered");
      await succeeds(engine.signal({ key, payload: "go" }), "signal");
      const resumed = await claimOne(engine, queue, { taskId: id }, "claim of the resumed task");
      same((resumed.signals ?? []).length, 1, "signals on the resumed run's lease");
      await succeeds(engine.complete(resumed), "complete the resumed run");
      await succeeds(engine.replay(id), "replay");
      const replayed = await claimOne(engine, queue, { taskId: id }, "claim of the replayed task");
      same(replayed.signals ?? [], [], "signals on the replayed run's lease");
    },
  }),
  defineCheck({
    id: "E26.list-tasks",
    rule: "E26",
    title: "listTasks pages (C5) the tenant's tasks matching queue, state (as getTask reports it, on the clock) and runId, in enqueue order or newest first; a cursor of one order is refused by the other",
    requires: ["leases", "delays", "operator"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const other = ctx.unique("queue");
      const runId = ctx.unique("run");
      const dead = await deadTask(engine, queue, "listed dead");
      const leased = await enqueueTask(engine, { queue });
      await claimOne(engine, queue, { taskId: leased });
      const ready = await enqueueTask(engine, { queue, runId });
      const elsewhere = await enqueueTask(engine, { queue: other, runId });
      const scheduled = await enqueueTask(engine, { queue, runAt: ctx.clock.now() + 100 });
      const all = [dead, leased, ready, elsewhere, scheduled];
      for (const limit of [1, 2, 10]) {
        const asc = await idsOf((cursor) => engine.listTasks({ limit, cursor }));
        ensure(all.every((id) => asc.includes(id)), `listTasks (limit ${limit}) must list every task of the tenant, got ${show(asc)}`);
        same(asc.filter((id) => all.includes(id)), all, `listTasks (limit ${limit}) in enqueue order`);
        same(await idsOf((cursor) => engine.listTasks({ queue, limit, cursor })), [dead, leased, ready, scheduled], `listTasks of one queue (limit ${limit})`);
        same(await idsOf((cursor) => engine.listTasks({ queue, order: "desc", limit, cursor })), [scheduled, ready, leased, dead], `listTasks of one queue newest first (limit ${limit})`);
      }
      same(await idsOf((cursor) => engine.listTasks({ runId, limit: 1, cursor })), [ready, elsewhere], "listTasks of one run");
      same(await idsOf((cursor) => engine.listTasks({ queue, state: "scheduled", limit: 1, cursor })), [scheduled], "the scheduled tasks before the clock reaches runAt");
      same(await idsOf((cursor) => engine.listTasks({ queue, state: "dead", limit: 1, cursor })), [dead], "the dead tasks");
      same(await idsOf((cursor) => engine.listTasks({ queue, state: "leased", limit: 1, cursor })), [leased], "the leased tasks");
      ctx.clock.advance(100);
      same(await idsOf((cursor) => engine.listTasks({ queue, state: "ready", limit: 1, cursor })), [ready, scheduled], "the ready tasks once the scheduled one is due");
      same(await idsOf((cursor) => engine.listTasks({ queue, state: "completed", limit: 5, cursor })), [], "no completed task");
      const page = await succeeds(engine.listTasks({ queue, limit: 1 }), "the first page of one queue");
      same(page.items, [await engine.getTask(dead)], "a listed task is the record getTask returns");
      ensure(page.cursor !== null, "the first page of four tasks one at a time must have a cursor");
      await rejectsWith(engine.listTasks({ queue, order: "desc", limit: 1, cursor: page.cursor }), "VALIDATION", "a newest-first walk given an enqueue-order cursor");
    },
  }),
  defineCheck({
    id: "E26.list-tasks-by-key",
    rule: "E26",
    title: "listTasks with concurrencyKey lists that key's tasks of every state",
    requires: ["leases", "concurrencyKeys", "operator"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const key = ctx.unique("key");
      const first = await enqueueTask(engine, { queue, concurrencyKey: key });
      await enqueueTask(engine, { queue, concurrencyKey: ctx.unique("key") });
      const second = await enqueueTask(engine, { queue, concurrencyKey: key });
      await enqueueTask(engine, { queue });
      await succeeds(engine.complete(await claimOne(engine, queue, { taskId: first })), "complete the key's first task");
      same(await idsOf((cursor) => engine.listTasks({ concurrencyKey: key, limit: 1, cursor })), [first, second], "the tasks of one concurrency key");
    },
  }),
  defineCheck({
    id: "E26.list-queues",
    rule: "E26",
    title: "listQueues pages every queue with a task or settings by name in code-point order, each item what queueStats reports",
    requires: ["leases", "queueControl", "operator"],
    kind: "example",
    async run(ctx) {
      const engine = (await ctx.openNamespace()).engine;
      const base = ctx.unique("q");
      // "\uFFFF" sorts after "😀" by UTF-16 units and before it by code points.
      const [high, emoji, plain] = [`${base}-\uFFFF`, `${base}-😀`, `${base}-a`] as const;
      await enqueueTask(engine, { queue: emoji });
      await enqueueTask(engine, { queue: plain });
      await succeeds(engine.setQueue(high, { concurrency: 2 }), "setQueue of a queue without tasks");
      const expected = [plain, high, emoji];
      const listed = await allPages((cursor) => engine.listQueues({ limit: 1, cursor }));
      same(listed.map((stats) => stats.queue), expected, "the queues listed one per page");
      for (const stats of listed) same(stats, await engine.queueStats(stats.queue), `listQueues' item for ${stats.queue} vs queueStats`);
    },
  }),
  defineCheck({
    id: "E26.cancel-tasks",
    rule: "E26",
    title: "cancelTasks cancels at most limit matching non-terminal tasks, oldest first, revoking leases, with the reason; terminal ones are not counted",
    requires: ["leases", "operator"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const oldest = await enqueueTask(engine, { queue });
      const second = await enqueueTask(engine, { queue });
      const third = await enqueueTask(engine, { queue });
      const spared = await enqueueTask(engine, { queue: ctx.unique("queue") });
      const lease = await claimOne(engine, queue, { taskId: oldest });
      same(await succeeds(engine.cancelTasks({ queue }, { limit: 2, reason: "drained" }), "cancelTasks with limit 2"), { cancelled: 2 }, "cancelTasks with limit 2 of 3");
      await expectTask(engine, oldest, { state: "cancelled", cancelReason: "drained" }, "the oldest (leased) task");
      await expectTask(engine, second, { state: "cancelled", cancelReason: "drained" }, "the second task");
      await expectTask(engine, third, { state: "ready" }, "the task past the limit");
      await rejectsWith(engine.complete(lease), "LEASE_REVOKED", "complete with the lease of a task cancelTasks cancelled");
      same(await succeeds(engine.cancelTasks({ queue, state: "ready" }, { limit: 10 }), "cancelTasks of the ready tasks"), { cancelled: 1 }, "cancelTasks when only one matching task is left");
      same(await succeeds(engine.cancelTasks({ queue }, { limit: 10 }), "cancelTasks again"), { cancelled: 0 }, "cancelTasks when every matching task is terminal");
      await expectTask(engine, spared, { state: "ready" }, "a task of another queue");
    },
  }),
  defineCheck({
    id: "E26.retry-dead-letters",
    rule: "E26",
    title: "retryDeadLetters makes at most limit dead tasks ready, oldest dead first, of one queue or all",
    requires: ["leases", "deadLetter", "operator"],
    kind: "example",
    async run(ctx) {
      const engine = (await ctx.openNamespace()).engine;
      const queue = ctx.unique("queue");
      const other = ctx.unique("queue");
      const firstDead = await deadTask(engine, queue, "one");
      await deadTask(engine, queue, "two");
      const lastDead = await deadTask(engine, queue, "three");
      const otherDead = await deadTask(engine, other, "other");
      same(await succeeds(engine.retryDeadLetters({ queue, limit: 2 }), "retryDeadLetters of one queue, limit 2"), { retried: 2 }, "retryDeadLetters with limit 2 of 3");
      await expectTask(engine, firstDead, { state: "ready" }, "the oldest dead task");
      await expectTask(engine, lastDead, { state: "dead" }, "the dead task past the limit");
      same(await succeeds(engine.retryDeadLetters({ limit: 10, resetAttempts: true }), "retryDeadLetters of every queue"), { retried: 2 }, "retryDeadLetters of what is left");
      await expectTask(engine, otherDead, { state: "ready" }, "the other queue's dead task");
      same((await claimOne(engine, other, { taskId: otherDead })).attempt, 1, "the attempt after a retry with resetAttempts");
    },
  }),
  defineCheck({
    id: "E26.bulk-calls-race",
    rule: "E26",
    title: "several clients running the same cancelTasks, and the same retryDeadLetters, at once change each task once: the counts add up to the tasks there were",
    requires: ["leases", "deadLetter", "operator"],
    kind: "race",
    async run(ctx) {
      const clients = [ctx.backend.engine, ...(await Promise.all([ctx.connect(), ctx.connect()])).map((backend) => backend.engine)];
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const dead: string[] = [];
      for (let i = 0; i < 6; i++) dead.push(await deadTask(engine, queue, `dead ${i}`));
      const retried = await Promise.all(clients.map((client, i) => succeeds(client.retryDeadLetters({ queue, limit: 100 }), `retryDeadLetters on client ${i}`)));
      same(retried.reduce((sum, result) => sum + result.retried, 0), dead.length, `retried counts ${show(retried)} summed`);
      const cancelled = await Promise.all(clients.map((client, i) => succeeds(client.cancelTasks({ queue }, { limit: 100 }), `cancelTasks on client ${i}`)));
      same(cancelled.reduce((sum, result) => sum + result.cancelled, 0), dead.length, `cancelled counts ${show(cancelled)} summed`);
      for (const id of dead) await expectTask(engine, id, { state: "cancelled" }, "a task after the racing bulk calls");
    },
  }),
];
