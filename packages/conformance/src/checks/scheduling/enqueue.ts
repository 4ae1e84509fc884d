/**
 * Enqueue (E1): defaults, payloads, batches that are atomic; idempotency keys (E2) scoped to
 * (tenant, queue) and deduplicating for `dedupTtlMs` from the first enqueue.
 */
import { DEFAULTS, type Json } from "@mooring/core";
import { type Check, defineCheck } from "../../registry.js";
import { advanceTo, claimInOrder, claimNothing, claimOne, enqueueTask, ensure, expectTask, EXPIRY_BACKLOG, EXPIRY_REPEATS, rejectsWith, same, show, succeeds } from "../support/index.js";

const enqueueing: Check[] = [
  defineCheck({
    id: "E1.defaults",
    rule: "E1",
    title: "a task enqueued with only a queue gets the documented defaults",
    requires: ["leases"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const now = ctx.clock.now();
      const result = await succeeds(engine.enqueue({ queue }), "enqueue");
      same(result.created, true, "created of a first enqueue");
      ensure(typeof result.id === "string" && result.id.length > 0, `enqueue must return an id, got ${show(result)}`);
      await expectTask(
        engine,
        result.id,
        {
          id: result.id,
          queue,
          state: "ready",
          payload: null,
          attempt: 0,
          maxAttempts: DEFAULTS.maxAttempts,
          epoch: 0,
          priority: DEFAULTS.priority,
          runAt: now,
          leaseExpiresAt: null,
          workerId: null,
          lastError: null,
          result: null,
          progress: null,
          pendingDependencies: [],
          cancelReason: null,
          runId: null,
          idempotencyKey: null,
          createdAt: now,
          updatedAt: now,
        },
        "a task enqueued with defaults",
      );
    },
  }),
  defineCheck({
    id: "E1.default-backoff",
    rule: "E1",
    title: "the default backoff is baseMs 1000, factor 2, maxMs 300000 and default maxAttempts is 3",
    requires: ["leases"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const id = await enqueueTask(engine, { queue });
      const delays: number[] = [];
      for (let attempt = 1; attempt <= 2; attempt++) {
        const lease = await claimOne(engine, queue, { taskId: id }, `claim for attempt ${attempt}`);
        const now = ctx.clock.now();
        const result = await succeeds(engine.fail(lease, { error: "boom" }), `fail at attempt ${attempt}`);
        ensure(result.outcome === "retry", `fail at attempt ${attempt} of the default 3 must retry, got ${show(result)}`);
        delays.push(result.runAt - now);
        advanceTo(ctx.clock, result.runAt);
      }
      same(delays, [1_000, 2_000], "retry delays with the default backoff");
      const last = await claimOne(engine, queue, { taskId: id }, "claim for attempt 3");
      same(await succeeds(engine.fail(last, { error: "boom" }), "fail at attempt 3"), { outcome: "dead" }, "fail at attempt 3 with the default maxAttempts");

      // maxMs: a task with many attempts reaches the cap; a partial backoff keeps the other defaults.
      const capped = await enqueueTask(engine, { queue, maxAttempts: 20, backoff: { baseMs: 100_000 } });
      const observed: number[] = [];
      for (let attempt = 1; attempt <= 3; attempt++) {
        const lease = await claimOne(engine, queue, { taskId: capped }, `claim ${attempt} of the task with baseMs 100000`);
        const now = ctx.clock.now();
        const result = await succeeds(engine.fail(lease, { error: "boom" }), `fail ${attempt} of the task with baseMs 100000`);
        ensure(result.outcome === "retry", `fail ${attempt} of 20 must retry, got ${show(result)}`);
        observed.push(result.runAt - now);
        advanceTo(ctx.clock, result.runAt);
      }
      same(observed, [100_000, 200_000, 300_000], "retry delays with backoff { baseMs: 100000 } (default factor 2 and maxMs 300000)");
    },
  }),
  defineCheck({
    id: "E1.fields-round-trip",
    rule: "E1",
    title: "payload, priority, runAt, maxAttempts, runId and idempotencyKey are recorded as given",
    requires: ["leases", "priorities", "delays", "idempotency"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue: {weird} %*?\\/\n🚢");
      const payload: Json = { text: "quotes \" ' and emoji 🚢", numbers: [0, -1, 1.5, 1e21], nested: { ok: true, nothing: null }, empty: {} };
      const runAt = ctx.clock.now() + 250;
      const runId = ctx.unique("run");
      const key = ctx.unique("key");
      const id = await enqueueTask(engine, { queue, payload, priority: -7, runAt, maxAttempts: 9, runId, idempotencyKey: key });
      await expectTask(
        engine,
        id,
        { queue, payload, priority: -7, runAt, maxAttempts: 9, runId, idempotencyKey: key, state: "scheduled" },
        "the enqueued task",
      );
      advanceTo(ctx.clock, runAt);
      const lease = await claimOne(engine, queue, { taskId: id });
      same(lease.payload, payload, "the lease's payload");
      same(lease.queue, queue, "the lease's queue");
    },
  }),
  defineCheck({
    id: "E1.enqueue-many",
    rule: "E1",
    title: "enqueueMany creates every task and returns results in input order",
    requires: ["leases", "priorities"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const a = ctx.unique("queue-a");
      const b = ctx.unique("queue-b");
      const inputs = [
        { queue: a, payload: 1 },
        { queue: b, payload: 2, priority: 4 },
        { queue: a, payload: 3, maxAttempts: 1 },
      ];
      const results = await succeeds(engine.enqueueMany(inputs), "enqueueMany");
      same(results.length, 3, "number of enqueueMany results");
      same(new Set(results.map((result) => result.id)).size, 3, "distinct ids of three enqueued tasks");
      for (const [index, input] of inputs.entries()) {
        const result = results[index];
        ensure(result?.created === true, `enqueueMany result ${index} must be created, got ${show(result)}`);
        await expectTask(
          engine,
          result.id,
          { queue: input.queue, payload: input.payload, priority: input.priority ?? 0, maxAttempts: input.maxAttempts ?? 3, state: "ready" },
          `task ${index} of the batch`,
        );
      }
      same(await succeeds(engine.enqueueMany([]), "enqueueMany of an empty batch"), [], "enqueueMany([])");
    },
  }),
  defineCheck({
    id: "E1.enqueue-many-atomic",
    rule: "E1",
    title: "an enqueueMany with an unknown dependency is NOT_FOUND and enqueues nothing",
    requires: ["leases", "dependencies", "idempotency"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const key = ctx.unique("key");
      const batch = [
        { queue, payload: "first", idempotencyKey: key },
        { queue, payload: "second" },
        { queue, payload: "bad", dependsOn: [ctx.unique("no-such-task")] },
        { queue, payload: "after" },
      ];
      await rejectsWith(engine.enqueueMany(batch), "NOT_FOUND", "enqueueMany with an unknown dependency");
      await claimNothing(engine, queue, "a claim after the rejected batch");
      const again = await succeeds(engine.enqueue({ queue, payload: "retry", idempotencyKey: key }), "enqueue with the batch's idempotency key");
      same(again.created, true, "created of an enqueue reusing a key from a rejected batch (the batch must have kept nothing)");
    },
  }),
];

const idempotency: Check[] = [
  defineCheck({
    id: "E2.same-key-same-task",
    rule: "E2",
    title: "a second enqueue with the key returns the first task's id with created: false and creates nothing",
    requires: ["leases", "idempotency"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const key = ctx.unique("key");
      const first = await succeeds(engine.enqueue({ queue, payload: "first", idempotencyKey: key }), "first enqueue");
      same(first.created, true, "created of the first enqueue");
      ctx.clock.advance(1_000);
      const second = await succeeds(engine.enqueue({ queue, payload: "second", priority: 0, idempotencyKey: key }), "second enqueue");
      same(second, { id: first.id, created: false }, "the second enqueue with the same key");
      await expectTask(engine, first.id, { payload: "first", idempotencyKey: key }, "the first task (untouched)");
      const lease = await claimOne(engine, queue, { taskId: first.id });
      await claimNothing(engine, queue, "a claim after the one task was leased");
      await succeeds(engine.complete(lease), "complete");
      const third = await succeeds(engine.enqueue({ queue, idempotencyKey: key }), "an enqueue with the key after the task completed");
      same(third, { id: first.id, created: false }, "an enqueue with the key of a completed task (still within dedupTtlMs)");
    },
  }),
  defineCheck({
    id: "E2.scope-queue-and-tenant",
    rule: "E2",
    title: "the same key in another queue or another tenant creates another task",
    requires: ["leases", "idempotency", "tenancy"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const other = ctx.backend.forTenant(ctx.unique("tenant")).engine;
      const queue = ctx.unique("queue");
      const otherQueue = ctx.unique("queue");
      const key = ctx.unique("key");
      const first = await succeeds(engine.enqueue({ queue, idempotencyKey: key }), "enqueue");
      const inOtherQueue = await succeeds(engine.enqueue({ queue: otherQueue, idempotencyKey: key }), "the key in another queue");
      const inOtherTenant = await succeeds(other.enqueue({ queue, idempotencyKey: key }), "the key in another tenant");
      same([first.created, inOtherQueue.created, inOtherTenant.created], [true, true, true], "created of the key in queue, other queue, other tenant");
      same(new Set([first.id, inOtherQueue.id, inOtherTenant.id]).size, 3, "distinct ids across queues and tenants");
      same(
        await succeeds(other.enqueue({ queue, idempotencyKey: key }), "the key again in the other tenant"),
        { id: inOtherTenant.id, created: false },
        "a repeat in the other tenant",
      );
    },
  }),
  defineCheck({
    id: "E2.dedup-ttl",
    rule: "E2",
    title: "a key deduplicates for dedupTtlMs (default 24 h) from the first enqueue, then creates a new task",
    requires: ["leases", "idempotency"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const key = ctx.unique("key");
      const start = ctx.clock.now();
      const first = await enqueueTask(engine, { queue, idempotencyKey: key });
      advanceTo(ctx.clock, start + DEFAULTS.dedupTtlMs - 1);
      same(
        await succeeds(engine.enqueue({ queue, idempotencyKey: key }), "enqueue 1 ms before the key expires"),
        { id: first, created: false },
        "an enqueue 1 ms before dedupTtlMs has passed (a repeat does not extend the window)",
      );
      ctx.clock.advance(1);
      const later = await succeeds(engine.enqueue({ queue, idempotencyKey: key }), "enqueue when dedupTtlMs has passed");
      ensure(later.created && later.id !== first, `an enqueue dedupTtlMs after the first must create a new task, got ${show(later)}`);
      same(
        await succeeds(engine.enqueue({ queue, idempotencyKey: key }), "a repeat of the new enqueue"),
        { id: later.id, created: false },
        "a repeat after the key was reused",
      );
    },
  }),
  defineCheck({
    id: "E2.dedup-expiry-keeps-younger-key",
    rule: "E2",
    title: "each idempotency key lives its own dedupTtlMs: when an older key of the queue expires, a younger one still deduplicates",
    requires: ["leases", "idempotency"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const start = ctx.clock.now();
      await enqueueTask(engine, { queue, idempotencyKey: ctx.unique("older") }, "enqueue with the older key");
      ctx.clock.advance(1);
      const younger = ctx.unique("younger");
      const kept = await enqueueTask(engine, { queue, idempotencyKey: younger }, "enqueue with the younger key, 1 ms later");
      advanceTo(ctx.clock, start + DEFAULTS.dedupTtlMs);
      // A call after the older key expired, where a backend may clean expired keys up.
      await enqueueTask(engine, { queue, idempotencyKey: ctx.unique("unrelated") }, "an enqueue with another key at the older key's TTL");
      same(
        await succeeds(engine.enqueue({ queue, idempotencyKey: younger }), "enqueue with the younger key at the older key's TTL"),
        { id: kept, created: false },
        "a repeat of the younger key at the older key's TTL, 1 ms before its own",
      );
    },
  }),
  defineCheck({
    id: "E2.dedup-reuse-under-expiry-backlog",
    rule: "E2",
    title: "a key reused once it expired keeps deduplicating while the many keys that expired with it are cleaned up",
    requires: ["leases", "idempotency"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const key = ctx.unique("key");
      const start = ctx.clock.now();
      // A store that removes expired keys a few at a time still holds the key's old entry when it
      // is reused; removing that entry must not remove the new one.
      const others = Array.from({ length: EXPIRY_BACKLOG }, (_, index) => ({ queue, idempotencyKey: `${key}-other-${index}` }));
      await succeeds(engine.enqueueMany([...others, { queue, idempotencyKey: key }]), `enqueue ${EXPIRY_BACKLOG} keys, then the key`);
      advanceTo(ctx.clock, start + DEFAULTS.dedupTtlMs);
      const reused = await succeeds(engine.enqueue({ queue, idempotencyKey: key }), "enqueue with the expired key");
      ensure(reused.created, `an enqueue dedupTtlMs after the first must create a new task, got ${show(reused)}`);
      for (let repeat = 1; repeat <= EXPIRY_REPEATS; repeat++) {
        same(
          await succeeds(engine.enqueue({ queue, idempotencyKey: key }), `repeat ${repeat} of the reused key`),
          { id: reused.id, created: false },
          `repeat ${repeat} of the reused key, while ${EXPIRY_BACKLOG} keys that expired with its old entry are cleaned up`,
        );
      }
    },
  }),
  defineCheck({
    id: "E2.repeated-key-in-batch",
    rule: "E2",
    title: "within one enqueueMany, a repeated key returns the batch's first id",
    requires: ["leases", "idempotency"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const key = ctx.unique("key");
      const results = await succeeds(
        engine.enqueueMany([
          { queue, payload: 1, idempotencyKey: key },
          { queue, payload: 2 },
          { queue, payload: 3, idempotencyKey: key },
        ]),
        "enqueueMany with a repeated key",
      );
      const [first, second, third] = results;
      ensure(first !== undefined && second !== undefined && third !== undefined, `enqueueMany must return 3 results, got ${show(results)}`);
      same([first.created, second.created], [true, true], "created of the batch's first two tasks");
      same(third, { id: first.id, created: false }, "the batch's repeat of the key");
      same(await claimInOrder(engine, queue, 2), [first.id, second.id], "tasks of the batch");
      await claimNothing(engine, queue, "a claim after the batch's two tasks");
    },
  }),
];

export const checks: Check[] = [...enqueueing, ...idempotency];
