/**
 * Notifications (E19): waitForWork wakes a worker when work arrives, at once when work is ready,
 * and gives up on abort or timeout; subscribe streams a tenant's task events, only its own (SPEC
 * §10.11), until unsubscribed.
 *
 * These are the only checks that wait on the wall clock, because delivery is asynchronous by
 * nature. Every wait is bounded (`within`, `eventually`) and ends at the first success; absence
 * of an event is established with a marker: a later event on the same subscription that must
 * arrive after every earlier one.
 */
import { type Backend, type EngineBackend, type ManualClock, TASK_EVENT_KINDS, type TaskEvent, type TaskEventKind, type Unsubscribe } from "@mooring/core";
import { type Check, defineCheck } from "../../registry.js";
import {
  advanceTo,
  claimOne,
  DUE_IN_MS,
  enqueueTask,
  ensure,
  eventually,
  expectWakeWhenDue,
  LONG_WAIT_MS,
  same,
  show,
  succeeds,
  within,
  yieldToEventLoop,
} from "../support/index.js";

/** A subscription that records what it receives. */
interface Recorder {
  readonly events: TaskEvent[];
  stop(): void;
  /** Waits, bounded, until an event of `kind` for `taskId` arrived. */
  waitFor(kind: TaskEventKind, taskId: string, what: string): Promise<TaskEvent>;
}

async function record(engine: EngineBackend, filter: { kinds: readonly TaskEventKind[]; queues?: readonly string[] }, label: string): Promise<Recorder> {
  const events: TaskEvent[] = [];
  const stop: Unsubscribe = await succeeds(
    engine.subscribe(filter, (event) => {
      events.push(event);
    }),
    `subscribe (${label})`,
  );
  const find = (kind: TaskEventKind, taskId: string): TaskEvent | undefined => events.find((event) => event.kind === kind && event.taskId === taskId);
  return {
    events,
    stop,
    async waitFor(kind, taskId, what) {
      await eventually(
        () => find(kind, taskId) !== undefined,
        `${label}: ${what} (a ${kind} event for ${taskId})`,
        () => events,
      );
      const event = find(kind, taskId);
      ensure(event, "the event was just found");
      return event;
    },
  };
}

/** Kind lists per task, each sorted, for comparisons that do not depend on delivery order. */
function kindsByTask(events: readonly TaskEvent[]): Record<string, TaskEventKind[]> {
  const byTask: Record<string, TaskEventKind[]> = {};
  for (const event of events) (byTask[event.taskId] ??= []).push(event.kind);
  for (const kinds of Object.values(byTask)) kinds.sort();
  return byTask;
}

/** Runs `body` with an AbortController that is aborted afterwards, so no wait outlives a check. */
async function withAbort<T>(body: (controller: AbortController) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  try {
    return await body(controller);
  } finally {
    controller.abort();
  }
}

/** Creates one task per outcome on `engine` in `queue`; returns the task ids and the events each must produce. */
async function produceEvents(
  clock: ManualClock,
  engine: EngineBackend,
  queue: string,
): Promise<{ expected: Record<string, TaskEventKind[]>; expiredId: string; completedId: string; completedAt: number }> {
  const completedId = await enqueueTask(engine, { queue });
  const lease = await claimOne(engine, queue, { taskId: completedId }, "claim of the task to complete");
  const completedAt = clock.now();
  await succeeds(engine.complete(lease), "complete");

  const failedId = await enqueueTask(engine, { queue, maxAttempts: 2, backoff: { baseMs: 1, factor: 1, maxMs: 1 } });
  const first = await claimOne(engine, queue, { taskId: failedId }, "claim of the task to fail");
  const retry = await succeeds(engine.fail(first, { error: "once" }), "fail (retry)");
  ensure(retry.outcome === "retry", `fail at attempt 1 of 2 must retry, got ${show(retry)}`);
  clock.advance(1);
  const second = await claimOne(engine, queue, { taskId: failedId }, "claim of the retry");
  await succeeds(engine.fail(second, { error: "twice" }), "fail (dead)");

  const cancelledId = await enqueueTask(engine, { queue });
  await succeeds(engine.cancel(cancelledId), "cancel");

  const expiredId = await enqueueTask(engine, { queue, maxAttempts: 5 });
  const doomed = await claimOne(engine, queue, { taskId: expiredId }, "claim of the task whose lease expires");
  advanceTo(clock, doomed.expiresAt);
  // The claim reclaims the expired lease lazily (E10), so no sweeper capability is needed.
  await succeeds(engine.claim({ workerId: "reclaimer", queues: [queue], leaseMs: 1_000 }), "the claim that reclaims the expired lease");

  return {
    completedId,
    completedAt,
    expiredId,
    expected: {
      [completedId]: ["completed", "enqueued"],
      [failedId]: ["dead", "enqueued", "failed"],
      [cancelledId]: ["cancelled", "enqueued"],
    },
  };
}

const waiting: Check[] = [
  defineCheck({
    id: "E19.wait-wakes-on-enqueue",
    rule: "E19",
    title: "waitForWork resolves true when another client enqueues into a watched queue",
    requires: ["leases", "notifications"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const other = (await ctx.connect()).engine;
      const queue = ctx.unique("queue");
      await withAbort(async (controller) => {
        const woken = engine.waitForWork([ctx.unique("unwatched"), queue], { timeoutMs: LONG_WAIT_MS, signal: controller.signal });
        await yieldToEventLoop();
        const id = await enqueueTask(other, { queue }, "enqueue on another client");
        same(await within(woken, "waitForWork after another client enqueued"), true, "waitForWork after an enqueue");
        await claimOne(engine, queue, { taskId: id }, "the claim after the wake-up");
      });
    },
  }),
  defineCheck({
    id: "E19.wait-wakes-when-due",
    rule: "E19",
    title: "waitForWork wakes when a scheduled task comes due, with no write to announce it",
    requires: ["leases", "delays", "notifications"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const runAt = ctx.clock.now() + DUE_IN_MS;
      const id = await enqueueTask(engine, { queue, runAt }, "enqueue a task due in 50 ms");
      await expectWakeWhenDue(engine, ctx.clock, queue, runAt, "the task's runAt has come");
      await claimOne(engine, queue, { taskId: id }, "the claim after the wake-up");
    },
  }),
  defineCheck({
    id: "E19.wait-wakes-at-earliest-due",
    rule: "E19",
    title: "waiting on two queues, waitForWork wakes when the earlier of their scheduled tasks comes due, not the later",
    requires: ["leases", "delays", "notifications"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const late = ctx.unique("late");
      const soon = ctx.unique("soon");
      // The later task is in the queue named first, and ten minutes away: a waiter that slept until
      // it would outlast any check.
      await enqueueTask(engine, { queue: late, runAt: ctx.clock.now() + 600_000 }, "enqueue a task due in 10 minutes");
      const runAt = ctx.clock.now() + DUE_IN_MS;
      const id = await enqueueTask(engine, { queue: soon, runAt }, "enqueue a task due in 50 ms");
      await expectWakeWhenDue(engine, ctx.clock, [late, soon], runAt, "the earlier task's runAt has come");
      await claimOne(engine, [late, soon], { taskId: id }, "the claim after the wake-up");
    },
  }),
  defineCheck({
    id: "E19.cancelled-before-due-does-not-wake",
    rule: "E19",
    title: "a scheduled task cancelled before it comes due does not wake waitForWork when its time comes: nothing is claimable",
    requires: ["leases", "delays", "notifications"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const runAt = ctx.clock.now() + DUE_IN_MS;
      const id = await enqueueTask(engine, { queue, runAt }, "enqueue a task due in 50 ms");
      const waiting = engine.waitForWork([queue], { timeoutMs: 200 });
      await yieldToEventLoop();
      await succeeds(engine.cancel(id), "cancel the scheduled task");
      advanceTo(ctx.clock, runAt);
      same(await within(waiting, "waitForWork past the cancelled task's runAt"), false, "waitForWork (200 ms timeout) when a cancelled task's runAt came during the wait");
    },
  }),
  defineCheck({
    id: "E19.wait-ready-at-once",
    rule: "E19",
    title: "waitForWork resolves true at once when a task is already claimable",
    requires: ["leases", "notifications"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      await enqueueTask(engine, { queue });
      await withAbort(async (controller) => {
        same(
          await within(engine.waitForWork([queue], { timeoutMs: LONG_WAIT_MS, signal: controller.signal }), "waitForWork with a ready task"),
          true,
          "waitForWork with a ready task",
        );
      });
    },
  }),
  defineCheck({
    id: "E19.wait-abort",
    rule: "E19",
    title: "waitForWork resolves false when aborted, or at once when the signal was already aborted",
    requires: ["notifications"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const controller = new AbortController();
      const waiting = engine.waitForWork([queue], { timeoutMs: LONG_WAIT_MS, signal: controller.signal });
      await yieldToEventLoop();
      controller.abort();
      same(await within(waiting, "waitForWork after abort"), false, "waitForWork after abort");
      same(
        await within(engine.waitForWork([queue], { timeoutMs: LONG_WAIT_MS, signal: controller.signal }), "waitForWork with an aborted signal"),
        false,
        "waitForWork with a signal aborted before the call",
      );
    },
  }),
  defineCheck({
    id: "E19.aborted-before-ready-work",
    rule: "E19",
    title: "a signal aborted before the call makes waitForWork resolve false even when a task is ready: the caller has stopped waiting",
    requires: ["leases", "notifications"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      await enqueueTask(engine, { queue });
      const controller = new AbortController();
      controller.abort();
      same(
        await within(engine.waitForWork([queue], { timeoutMs: LONG_WAIT_MS, signal: controller.signal }), "waitForWork with an aborted signal and a ready task"),
        false,
        "waitForWork with a signal aborted before the call and a ready task",
      );
    },
  }),
  defineCheck({
    id: "E19.other-waiters-keep-waiting",
    rule: "E19",
    title: "when one waitForWork ends, the tenant's others keep waiting (on the same queue and on another) and wake on their queue's work",
    requires: ["leases", "notifications"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const shared = ctx.unique("shared");
      const other = ctx.unique("other");
      const leaving = new AbortController();
      try {
        await withAbort(async (controller) => {
          // The waiters that stay start first, so that the one that leaves is the last registered.
          const sameQueue = engine.waitForWork([shared], { timeoutMs: LONG_WAIT_MS, signal: controller.signal });
          const otherQueue = engine.waitForWork([other], { timeoutMs: LONG_WAIT_MS, signal: controller.signal });
          const ended = engine.waitForWork([shared], { timeoutMs: LONG_WAIT_MS, signal: leaving.signal });
          await yieldToEventLoop();
          leaving.abort();
          same(await within(ended, "the aborted waitForWork"), false, "the waitForWork that was aborted");
          await enqueueTask(engine, { queue: shared });
          same(await within(sameQueue, "the other waitForWork on the same queue"), true, "a waitForWork on the queue after another waiter on it was aborted");
          await enqueueTask(engine, { queue: other });
          same(await within(otherQueue, "the waitForWork on another queue"), true, "a waitForWork on another queue after a waiter was aborted");
        });
      } finally {
        leaving.abort();
      }
    },
  }),
  defineCheck({
    id: "E19.wait-timeout",
    rule: "E19",
    title: "waitForWork resolves false at its timeout when no work comes",
    requires: ["notifications"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      same(
        await within(engine.waitForWork([ctx.unique("queue")], { timeoutMs: 20 }), "waitForWork with a 20 ms timeout"),
        false,
        "waitForWork with nothing to do and a 20 ms timeout",
      );
    },
  }),
  defineCheck({
    id: "E19.wait-close",
    rule: "E19",
    title: "close() ends a waitForWork in flight with false at any point of the wait, never with an error a worker would retry",
    requires: ["notifications"],
    kind: "example",
    async run(ctx) {
      // Closed after 0, 1 and 5 turns of the event loop: during the wait's first look for work,
      // while it starts listening, and while it waits.
      for (const turns of [0, 1, 5]) {
        const client = await ctx.connect();
        const waiting = client.engine.waitForWork([ctx.unique("queue")], { timeoutMs: LONG_WAIT_MS });
        const outcome = waiting.then(
          (value) => ({ value }),
          (error: unknown) => ({ error: show(error) }),
        );
        await yieldToEventLoop(turns);
        await client.close();
        same(await within(outcome, `waitForWork closed after ${turns} turns`), { value: false }, `waitForWork when close() came after ${turns} turns of the event loop`);
      }
    },
  }),
];

const subscriptions: Check[] = [
  defineCheck({
    id: "E19.subscribe-events",
    rule: "E19",
    title: "subscribe streams enqueued, completed, failed, dead, cancelled and lease_expired events with their fields",
    requires: ["leases", "subscriptions"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const recorder = await record(engine, { kinds: TASK_EVENT_KINDS }, "subscriber");
      try {
        const { expected, expiredId, completedId, completedAt } = await produceEvents(ctx.clock, engine, queue);
        const marker = await enqueueTask(engine, { queue: ctx.unique("marker") });
        await recorder.waitFor("enqueued", marker, "the marker enqueued last");
        await recorder.waitFor("lease_expired", expiredId, "the reclaimed lease");
        const byTask = kindsByTask(recorder.events);
        for (const [taskId, kinds] of Object.entries(expected)) same(byTask[taskId], kinds, `events of task ${taskId}`);
        const expiredKinds = byTask[expiredId] ?? [];
        same(expiredKinds.filter((kind) => kind === "lease_expired").length, 1, `lease_expired events of the reclaimed task (got ${show(expiredKinds)})`);
        ensure(
          !expiredKinds.some((kind) => kind === "completed" || kind === "cancelled" || kind === "dead"),
          `a retried expiry must not report completed, cancelled or dead, got ${show(expiredKinds)}`,
        );
        const completed = recorder.events.find((event) => event.kind === "completed");
        same(completed, { kind: "completed", taskId: completedId, queue, tenantId: ctx.backend.tenantId, at: completedAt }, "the completed event");
      } finally {
        recorder.stop();
      }
    },
  }),
  defineCheck({
    id: "E19.subscribe-tenant-only",
    rule: "E19",
    title: "two consumers in two tenants with the same queue names receive only their own tenant's events (SPEC §10.11)",
    requires: ["leases", "subscriptions", "tenancy"],
    kind: "example",
    async run(ctx) {
      const second: Backend = await ctx.connect();
      const tenantA = ctx.unique("tenant-a");
      const tenantB = ctx.unique("tenant-b");
      const a = ctx.backend.forTenant(tenantA).engine;
      const b = second.forTenant(tenantB).engine;
      const queue = ctx.unique("shared-queue-name");
      const markerQueue = ctx.unique("marker");
      const recorderA = await record(a, { kinds: TASK_EVENT_KINDS }, `tenant ${tenantA}`);
      const recorderB = await record(b, { kinds: TASK_EVENT_KINDS, queues: [queue, markerQueue] }, `tenant ${tenantB}`);
      try {
        const inA = await produceEvents(ctx.clock, a, queue);
        const inB = await produceEvents(ctx.clock, b, queue);
        const markerB = await enqueueTask(b, { queue: markerQueue });
        const markerA = await enqueueTask(a, { queue: markerQueue });
        await recorderA.waitFor("enqueued", markerA, "tenant A's marker");
        await recorderB.waitFor("enqueued", markerB, "tenant B's marker");
        // Both markers were enqueued after every other event: anything cross-tenant would be here by now.
        const ownA = new Set([...Object.keys(inA.expected), inA.expiredId, markerA]);
        const ownB = new Set([...Object.keys(inB.expected), inB.expiredId, markerB]);
        const strangersOfA = recorderA.events.filter((event) => event.tenantId !== tenantA || !ownA.has(event.taskId));
        const strangersOfB = recorderB.events.filter((event) => event.tenantId !== tenantB || !ownB.has(event.taskId));
        same(strangersOfA, [], `events tenant ${tenantA} received that are not its own`);
        same(strangersOfB, [], `events tenant ${tenantB} received that are not its own`);
        await recorderA.waitFor("lease_expired", inA.expiredId, "tenant A's reclaimed lease");
        await recorderB.waitFor("lease_expired", inB.expiredId, "tenant B's reclaimed lease");
        for (const [recorder, produced] of [
          [recorderA, inA],
          [recorderB, inB],
        ] as const) {
          const byTask = kindsByTask(recorder.events);
          for (const [taskId, kinds] of Object.entries(produced.expected)) same(byTask[taskId], kinds, `events of task ${taskId}`);
        }
      } finally {
        recorderA.stop();
        recorderB.stop();
      }
    },
  }),
  defineCheck({
    id: "E19.unsubscribe",
    rule: "E19",
    title: "after unsubscribe a subscriber receives nothing more",
    requires: ["leases", "subscriptions"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const leaving = await record(engine, { kinds: TASK_EVENT_KINDS }, "the subscriber that leaves");
      const staying = await record(engine, { kinds: TASK_EVENT_KINDS }, "the subscriber that stays");
      try {
        const before = await enqueueTask(engine, { queue });
        await leaving.waitFor("enqueued", before, "the event before unsubscribe");
        leaving.stop();
        const seen = leaving.events.length;
        const after = await enqueueTask(engine, { queue });
        await succeeds(engine.complete(await claimOne(engine, queue, { taskId: before })), "complete");
        await staying.waitFor("completed", before, "the event after unsubscribe, on the staying subscriber");
        await staying.waitFor("enqueued", after, "the enqueue after unsubscribe, on the staying subscriber");
        same(leaving.events.slice(seen), [], "events delivered after unsubscribe");
      } finally {
        leaving.stop();
        staying.stop();
      }
    },
  }),
  defineCheck({
    id: "E19.close-ends-only-its-own",
    rule: "E19",
    title: "close() ends the closing client's waits and subscriptions only: another client of the store keeps waiting and receiving",
    requires: ["leases", "notifications", "subscriptions"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const closing = await ctx.connect();
      const queue = ctx.unique("queue");
      const staying = await record(engine, { kinds: ["enqueued"] }, "the subscriber of the client that stays");
      const closed = await record(closing.engine, { kinds: ["enqueued"] }, "the subscriber of the client that closes");
      try {
        await withAbort(async (controller) => {
          const stayingWait = engine.waitForWork([queue], { timeoutMs: LONG_WAIT_MS, signal: controller.signal });
          const closingWait = closing.engine.waitForWork([queue], { timeoutMs: LONG_WAIT_MS, signal: controller.signal });
          await yieldToEventLoop();
          await closing.close();
          same(await within(closingWait, "the closed client's waitForWork"), false, "the waitForWork of the client that closed");
          const id = await enqueueTask(engine, { queue });
          same(await within(stayingWait, "the other client's waitForWork"), true, "the waitForWork of the client that stays, after another client closed");
          await staying.waitFor("enqueued", id, "the enqueue after the other client closed");
          same(closed.events, [], "events delivered to a subscriber of a closed client");
        });
      } finally {
        staying.stop();
        closed.stop();
      }
    },
  }),
  defineCheck({
    id: "E19.unsubscribe-drops-pending",
    rule: "E19",
    title: "an event on its way when unsubscribe is called is not delivered: nothing reaches the subscriber once unsubscribe returns",
    requires: ["leases", "subscriptions"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const leaving = await record(engine, { kinds: ["enqueued"] }, "the subscriber that leaves");
      const staying = await record(engine, { kinds: ["enqueued"] }, "the subscriber that stays");
      try {
        // Not awaited: the enqueue runs, and its event may be on its way, when unsubscribe comes.
        const pending = engine.enqueue({ queue });
        leaving.stop();
        const { id } = await succeeds(pending, "the enqueue made before unsubscribe");
        await staying.waitFor("enqueued", id, "the enqueue, on the subscriber that stays");
        const marker = await enqueueTask(engine, { queue });
        await staying.waitFor("enqueued", marker, "the marker enqueued after it");
        same(leaving.events, [], "events delivered after unsubscribe returned");
      } finally {
        leaving.stop();
        staying.stop();
      }
    },
  }),
  defineCheck({
    id: "E19.subscribe-filter",
    rule: "E19",
    title: "subscribe delivers only the kinds and queues of its filter",
    requires: ["leases", "subscriptions"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const watched = ctx.unique("watched");
      const ignored = ctx.unique("ignored");
      const recorder = await record(engine, { kinds: ["completed"], queues: [watched] }, "filtered subscriber");
      try {
        await succeeds(engine.complete(await claimOne(engine, ignored, { taskId: await enqueueTask(engine, { queue: ignored }) })), "complete in the ignored queue");
        const failing = await enqueueTask(engine, { queue: watched, maxAttempts: 1 });
        await succeeds(engine.fail(await claimOne(engine, watched, { taskId: failing }), { error: "x" }), "fail in the watched queue");
        const done = await enqueueTask(engine, { queue: watched });
        await succeeds(engine.complete(await claimOne(engine, watched, { taskId: done })), "complete in the watched queue");
        await recorder.waitFor("completed", done, "the watched completion");
        same(
          recorder.events.map((event) => ({ kind: event.kind, taskId: event.taskId })),
          [{ kind: "completed", taskId: done }],
          "events received through a filter of kinds [completed] and one queue",
        );
      } finally {
        recorder.stop();
      }
    },
  }),
];

export const checks: Check[] = [...waiting, ...subscriptions];
