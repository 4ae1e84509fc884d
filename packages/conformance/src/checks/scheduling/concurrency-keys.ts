/**
 * Concurrency keys (E20): the unexpired leases of one (queue, concurrencyKey) never exceed the
 * queue's keyConcurrency, an expired lease frees its slot at once, and among ready tasks of equal
 * priority a claim serves first the key granted a lease least recently (a key never granted, and a
 * task without a key, count as the oldest; ties by the E3 order of each key's first ready task;
 * FIFO inside a key).
 */
import { DEFAULTS, type EngineBackend } from "@mooring/core";
import { type Check, defineCheck } from "../../registry.js";
import { advanceTo, claimInOrder, claimNothing, claimOne, DUE_IN_MS, enqueueTask, expectWakeWhenDue, expectWakeWhenLeaseEnds, LEASE_MS, leaseBacklog, same, succeeds } from "../support/index.js";

/** Enqueues one task per entry, `[key, label]`, in order; returns label → task id. */
async function enqueueKeyed(engine: EngineBackend, queue: string, tasks: readonly (readonly [string | undefined, string])[]): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const [key, label] of tasks) {
    ids.set(label, await enqueueTask(engine, { queue, payload: label, ...(key === undefined ? {} : { concurrencyKey: key }) }, `enqueue ${label}`));
  }
  return ids;
}

/** Sets the queue's keyConcurrency and enqueues two tasks of `key`, labelled k1 and k2. */
async function keyWithTwoTasks(engine: EngineBackend, queue: string, key: string, keyConcurrency: number): Promise<Map<string, string>> {
  await succeeds(engine.setQueue(queue, { keyConcurrency }), `setQueue({ keyConcurrency: ${keyConcurrency} })`);
  return enqueueKeyed(engine, queue, [
    [key, "k1"],
    [key, "k2"],
  ]);
}

/** Task ids → their labels, for messages that read as the scenario. */
function labelsOf(ids: Map<string, string>, taskIds: readonly string[]): string[] {
  const byId = new Map([...ids].map(([label, id]) => [id, label]));
  return taskIds.map((id) => byId.get(id) ?? id);
}

export const checks: Check[] = [
  defineCheck({
    id: "E20.key-limit",
    rule: "E20",
    title: "claims never make one key's unexpired leases exceed keyConcurrency, from any client; other keys still run",
    requires: ["leases", "queueControl", "concurrencyKeys"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const other = (await ctx.connect()).engine;
      const queue = ctx.unique("queue");
      const runA = ctx.unique("run-a");
      const runB = ctx.unique("run-b");
      same(
        await succeeds(engine.setQueue(queue, { keyConcurrency: 1 }), "setQueue"),
        { queue, concurrency: null, paused: false, keyConcurrency: 1 },
        "setQueue({ keyConcurrency: 1 })",
      );
      const ids = await enqueueKeyed(engine, queue, [
        [runA, "a1"],
        [runA, "a2"],
        [runB, "b1"],
      ]);
      const first = await succeeds(engine.claim({ workerId: "w1", queues: [queue], leaseMs: 60_000, limit: 10 }), "claim limit 10");
      same(labelsOf(ids, first.map((lease) => lease.taskId)), ["a1", "b1"], "tasks granted by a claim of 10 with keyConcurrency 1 (a1, a2 share a key)");
      same(
        first.map((lease) => lease.concurrencyKey),
        [runA, runB],
        "the leases' concurrencyKey",
      );
      same((await succeeds(engine.getTask(ids.get("a2") as string), "getTask a2"))?.concurrencyKey, runA, "getTask(a2).concurrencyKey");
      await claimNothing(engine, queue, "a claim while each key holds its one lease");
      await claimNothing(other, queue, "a claim on another client while each key holds its one lease");
      await succeeds(engine.complete(first[0]!), "complete a1");
      await claimOne(other, queue, { taskId: ids.get("a2") as string, leaseMs: 60_000 }, "a claim on another client once a1 completed");
      same(
        await succeeds(engine.setQueue(queue, { keyConcurrency: null }), "setQueue({ keyConcurrency: null })"),
        { queue, concurrency: null, paused: false },
        "removing the key limit (the settings no longer carry keyConcurrency)",
      );
    },
  }),
  defineCheck({
    id: "E20.key-limit-several",
    rule: "E20",
    title: "keyConcurrency n grants n leases of a key in one claim, and raising it grants more at once",
    requires: ["leases", "queueControl", "concurrencyKeys"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const key = ctx.unique("key");
      await succeeds(engine.setQueue(queue, { keyConcurrency: 2 }), "setQueue");
      for (let i = 0; i < 5; i++) await enqueueTask(engine, { queue, concurrencyKey: key });
      const first = await succeeds(engine.claim({ workerId: "w", queues: [queue], leaseMs: 60_000, limit: 10 }), "claim limit 10");
      same(first.length, 2, "leases of one key granted by a claim of 10 under keyConcurrency 2");
      await claimNothing(engine, queue, "a claim with the key at its limit");
      await succeeds(engine.setQueue(queue, { keyConcurrency: 3 }), "setQueue({ keyConcurrency: 3 })");
      const more = await succeeds(engine.claim({ workerId: "w", queues: [queue], leaseMs: 60_000, limit: 10 }), "claim after raising the limit");
      same(more.length, 1, "leases granted after raising keyConcurrency from 2 to 3 with 2 held");
    },
  }),
  defineCheck({
    id: "E20.key-limit-unexpired",
    rule: "E20",
    title: "the key limit counts unexpired leases only: an expired lease frees its slot at once",
    requires: ["leases", "queueControl", "concurrencyKeys"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const key = ctx.unique("key");
      const ids = await keyWithTwoTasks(engine, queue, key, 1);
      const held = await claimOne(engine, queue, { taskId: ids.get("k1") as string, leaseMs: LEASE_MS }, "claim k1");
      advanceTo(ctx.clock, held.expiresAt - 1);
      await claimNothing(engine, queue, "a claim 1 ms before k1's lease expires");
      advanceTo(ctx.clock, held.expiresAt);
      const next = await succeeds(engine.claim({ workerId: "w2", queues: [queue], leaseMs: LEASE_MS, limit: 10 }), "claim when k1's lease expired");
      same(
        labelsOf(ids, next.map((lease) => lease.taskId)),
        ["k2"],
        "tasks granted the instant k1's lease expired (its slot is free; k1 waits for its backoff)",
      );
    },
  }),
  defineCheck({
    id: "E20.key-limit-lowered",
    rule: "E20",
    title: "lowering keyConcurrency to a key's number of leases holds its other ready tasks back until one ends",
    requires: ["leases", "queueControl", "concurrencyKeys"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const key = ctx.unique("key");
      const ids = await keyWithTwoTasks(engine, queue, key, 2);
      const held = await claimOne(engine, queue, { taskId: ids.get("k1") as string, leaseMs: 60_000 }, "claim k1");
      await succeeds(engine.setQueue(queue, { keyConcurrency: 1 }), "setQueue({ keyConcurrency: 1 }) while k1 holds a lease");
      await claimNothing(engine, queue, "a claim once keyConcurrency was lowered to the key's one lease");
      await succeeds(engine.complete(held), "complete k1");
      await claimOne(engine, queue, { taskId: ids.get("k2") as string }, "the claim once k1 completed");
    },
  }),
  defineCheck({
    id: "E20.retried-dead-letter-joins-key",
    rule: "E20",
    title: "a dead task of a key retried after the key's other tasks ended counts against the key's limit again",
    requires: ["leases", "queueControl", "concurrencyKeys", "deadLetter"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const key = ctx.unique("key");
      await succeeds(engine.setQueue(queue, { keyConcurrency: 1 }), "setQueue({ keyConcurrency: 1 })");
      const dead = await enqueueTask(engine, { queue, concurrencyKey: key, maxAttempts: 1 }, "enqueue the task that dies");
      const first = await claimOne(engine, queue, { taskId: dead }, "claim the task that dies");
      same(await succeeds(engine.fail(first, { error: "gone" }), "fail"), { outcome: "dead" }, "fail of a task with one attempt");
      // The key has no live task left; a new one arrives and holds the key's one slot.
      const live = await enqueueTask(engine, { queue, concurrencyKey: key }, "enqueue a new task of the key");
      const held = await claimOne(engine, queue, { taskId: live, leaseMs: 60_000 }, "claim the new task of the key");
      await succeeds(engine.retryDeadLetter(dead), "retryDeadLetter of the dead task");
      await claimNothing(engine, queue, "a claim while the key's one slot is held and its retried dead task is ready");
      await succeeds(engine.complete(held), "complete the held task");
      await claimOne(engine, queue, { taskId: dead }, "the claim once the key's slot is free");
    },
  }),
  defineCheck({
    id: "E20.key-frees-beyond-reclaim-cap",
    rule: "E20",
    title: "an expired lease frees its key's slot at once even when the claim's 100 reclaims went to older leases, earliest expiry first",
    requires: ["leases", "queueControl", "concurrencyKeys"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      // One queue of three keys with one slot each, one of a key with two slots.
      const single = ctx.unique("single");
      const double = ctx.unique("double");
      const fill = ctx.unique("fill");
      const suffix = ctx.unique("");
      await succeeds(engine.setQueue(single, { keyConcurrency: 1 }), "setQueue({ keyConcurrency: 1 })");
      await succeeds(engine.setQueue(double, { keyConcurrency: 2 }), "setQueue({ keyConcurrency: 2 })");
      const ids = await enqueueKeyed(engine, single, [
        [`a-${suffix}`, "a1"],
        [`b-${suffix}`, "b1"],
        [`c-${suffix}`, "c1"],
        [`a-${suffix}`, "a2"],
        [`b-${suffix}`, "b2"],
        [`c-${suffix}`, "c2"],
      ]);
      for (const [label, id] of await enqueueKeyed(engine, double, [
        [`d-${suffix}`, "d1"],
        [`d-${suffix}`, "d2"],
        [`d-${suffix}`, "d3"],
      ])) {
        ids.set(label, id);
      }
      const start = ctx.clock.now();
      // Every slot is taken, by leases that expire in another order than they were granted.
      for (const [queue, label, leaseMs] of [
        [single, "a1", 3_000],
        [single, "b1", 2_000],
        [single, "c1", 2_200],
        [double, "d1", 2_000],
        [double, "d2", 3_000],
      ] as const) {
        await claimOne(engine, queue, { taskId: ids.get(label) as string, leaseMs }, `claim ${label} for ${leaseMs} ms`);
      }
      // 200 leases in another queue expire first: each claim over the queues reclaims 100 of them.
      const count = DEFAULTS.reclaimLimit;
      await leaseBacklog(engine, fill, 2 * count, 1_000);
      advanceTo(ctx.clock, start + 2_000);
      const queues = [fill, single, double];
      const granted = await succeeds(engine.claim({ workerId: "w", queues, leaseMs: 60_000, limit: 10 }), "claim at b1's and d1's expiry");
      same(
        labelsOf(ids, granted.map((lease) => lease.taskId)).sort(),
        ["b2", "d3"],
        `tasks granted at exactly b1's and d1's expiry by a claim whose ${count} reclaims went to older leases (their slots are free; a1, c1 and d2 hold theirs)`,
      );
      await claimNothing(engine, queues, `a second claim at the same instant, whose ${count} reclaims again go to older leases (every slot is held)`);
    },
  }),
  defineCheck({
    id: "E20.fair-order",
    rule: "E20",
    title: "equal priority: the key granted least recently first (never granted oldest), ties by first ready task, FIFO in a key; one claim of n the same",
    requires: ["leases", "concurrencyKeys"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      // Key names sort opposite to the fair order, so an order by name is told apart.
      const suffix = ctx.unique("");
      const keys = { a: `z-${suffix}`, b: `m-${suffix}`, c: `a-${suffix}` };
      const scenario: (readonly [string, string])[] = [
        [keys.a, "a1"],
        [keys.a, "a2"],
        [keys.a, "a3"],
        [keys.b, "b1"],
        [keys.b, "b2"],
        [keys.c, "c1"],
      ];
      const expected = ["a1", "b1", "c1", "a2", "b2", "a3"];
      const oneByOne = ctx.unique("queue");
      const ids = await enqueueKeyed(engine, oneByOne, scenario);
      same(
        labelsOf(ids, await claimInOrder(engine, oneByOne, 6, "claim one")),
        expected,
        "claim order, one task per claim (a granted first, then never-granted b and c, then a before b as granted less recently)",
      );
      const batched = ctx.unique("queue");
      const batchIds = await enqueueKeyed(engine, batched, scenario);
      const leases = await succeeds(engine.claim({ workerId: "w", queues: [batched], leaseMs: 60_000, limit: 6 }), "claim limit 6");
      same(labelsOf(batchIds, leases.map((lease) => lease.taskId)), expected, "the order of the leases of one claim of 6");
    },
  }),
  defineCheck({
    id: "E20.fair-order-after-head-leaves",
    rule: "E20",
    title: "a key whose first ready task is cancelled takes its place in fair order by its new first task, not the old one",
    requires: ["leases", "concurrencyKeys"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const suffix = ctx.unique("");
      // Never granted, equal priority: the keys tie and go by their first ready task's E3 order.
      const keys = { a: `a-${suffix}`, b: `b-${suffix}` };
      const queue = ctx.unique("queue");
      const ids = await enqueueKeyed(engine, queue, [
        [keys.a, "a1"],
        [keys.b, "b1"],
        [keys.a, "a2"],
      ]);
      same(await succeeds(engine.cancel(ids.get("a1") as string), "cancel a1"), true, "cancel of key a's first ready task");
      same(
        labelsOf(ids, await claimInOrder(engine, queue, 2, "claim one")),
        ["b1", "a2"],
        "claim order once a1 (key a's first task, enqueued before b1) was cancelled: a's first task is now a2, enqueued after b1",
      );
    },
  }),
  defineCheck({
    id: "E20.fair-order-late-key",
    rule: "E20",
    title: "a key that first gets a ready task after another key was granted goes before that key, though its task is younger",
    requires: ["leases", "concurrencyKeys"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const suffix = ctx.unique("");
      const keys = { a: `a-${suffix}`, b: `b-${suffix}` };
      const queue = ctx.unique("queue");
      const ids = await enqueueKeyed(engine, queue, [
        [keys.a, "a1"],
        [keys.a, "a2"],
      ]);
      same(labelsOf(ids, await claimInOrder(engine, queue, 1, "claim one")), ["a1"], "the first claim");
      for (const [label, id] of await enqueueKeyed(engine, queue, [[keys.b, "b1"]])) ids.set(label, id);
      same(
        labelsOf(ids, await claimInOrder(engine, queue, 2, "claim one")),
        ["b1", "a2"],
        "claim order once key a was granted and key b's first task was enqueued after a2 (b never granted goes first)",
      );
    },
  }),
  defineCheck({
    id: "E20.keyless-task",
    rule: "E20",
    title: "a task without a key is a key of its own, never granted: it goes before a key already granted",
    requires: ["leases", "concurrencyKeys"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const key = ctx.unique("key");
      const ids = await enqueueKeyed(engine, queue, [
        [key, "k1"],
        [key, "k2"],
        [undefined, "plain"],
      ]);
      same(labelsOf(ids, await claimInOrder(engine, queue, 3)), ["k1", "plain", "k2"], "claim order of k1, k2 (one key) and a keyless task enqueued last");
      same(await succeeds(engine.getTask(ids.get("plain") as string), "getTask").then((task) => task?.concurrencyKey), undefined, "getTask of a keyless task: concurrencyKey");
    },
  }),
  defineCheck({
    id: "E20.priority-first",
    rule: "E20",
    title: "priority comes before fairness: a higher-priority task of a recently granted key goes first, and a key is placed by its highest-priority task",
    requires: ["leases", "concurrencyKeys", "priorities"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const busy = ctx.unique("busy");
      const idle = ctx.unique("idle");
      const first = await enqueueTask(engine, { queue, concurrencyKey: busy });
      await claimOne(engine, queue, { taskId: first, leaseMs: 60_000 }, "claim the busy key's first task");
      const ids = new Map([
        ["idle (priority 1)", await enqueueTask(engine, { queue, concurrencyKey: idle, priority: 1 })],
        ["urgent (busy key, priority 5)", await enqueueTask(engine, { queue, concurrencyKey: busy, priority: 5 })],
        // Enqueued after the busy key's priority-5 task: it must not move the key back.
        ["low (busy key, priority 0)", await enqueueTask(engine, { queue, concurrencyKey: busy, priority: 0 })],
      ]);
      same(
        labelsOf(ids, await claimInOrder(engine, queue, 3)),
        ["urgent (busy key, priority 5)", "idle (priority 1)", "low (busy key, priority 0)"],
        "claim order: the busy key's priority-5 task before the never-granted key's priority-1 task, then the busy key's priority-0 task",
      );
    },
  }),
  defineCheck({
    id: "E20.wait-wakes-when-slot-frees",
    rule: "E20",
    title: "waitForWork does not wake for work only a full key holds, and wakes when that key's lease ends on another client",
    requires: ["leases", "queueControl", "concurrencyKeys", "notifications"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const other = (await ctx.connect()).engine;
      const queue = ctx.unique("queue");
      const key = ctx.unique("key");
      const ids = await keyWithTwoTasks(engine, queue, key, 1);
      const held = await claimOne(engine, queue, { taskId: ids.get("k1") as string, leaseMs: 600_000 }, "claim k1");
      await expectWakeWhenLeaseEnds(engine, other, queue, held, "key");
      await claimOne(other, queue, { taskId: ids.get("k2") as string }, "the claim after the wake-up");
    },
  }),
  defineCheck({
    id: "E20.wait-wakes-when-key-lease-expires",
    rule: "E20",
    title: "waitForWork wakes when the lease that fills a key expires, with no write to announce it",
    requires: ["leases", "queueControl", "concurrencyKeys", "notifications"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const key = ctx.unique("key");
      const ids = await keyWithTwoTasks(engine, queue, key, 1);
      const held = await claimOne(engine, queue, { taskId: ids.get("k1") as string, leaseMs: DUE_IN_MS }, "claim k1 for 50 ms");
      await expectWakeWhenDue(engine, ctx.clock, queue, held.expiresAt, "the key's one lease has expired");
      await claimOne(engine, queue, {}, "the claim after the wake-up");
    },
  }),
  defineCheck({
    id: "E20.keys-per-queue",
    rule: "E20",
    title: "a key is scoped to its queue: the same key in two queues has a limit in each",
    requires: ["leases", "queueControl", "concurrencyKeys"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const one = ctx.unique("queue");
      const two = ctx.unique("queue");
      const key = ctx.unique("key");
      for (const queue of [one, two]) {
        await succeeds(engine.setQueue(queue, { keyConcurrency: 1 }), `setQueue ${queue}`);
        await enqueueTask(engine, { queue, concurrencyKey: key });
        await enqueueTask(engine, { queue, concurrencyKey: key });
      }
      const leases = await succeeds(engine.claim({ workerId: "w", queues: [one, two], leaseMs: 60_000, limit: 10 }), "claim over both queues");
      same(
        { one: leases.filter((lease) => lease.queue === one).length, two: leases.filter((lease) => lease.queue === two).length },
        { one: 1, two: 1 },
        "leases per queue for one key name with keyConcurrency 1 in each",
      );
    },
  }),
];
