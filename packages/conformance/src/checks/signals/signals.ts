/**
 * Suspend and signals: a suspension satisfied by buffered signals keeps the lease; otherwise the
 * task waits for `any` or `all` of its keys or its timeout and resumes with the same attempt and a
 * new epoch (E14). Signals deliver to every waiter or buffer for `signalTtlMs`, and a repeated
 * idempotency key delivers nothing new (E15).
 */
import { DEFAULTS, type EngineBackend, type Lease, type Signal } from "@mooring/core";
import { type Check, type CheckContext, defineCheck } from "../../registry.js";
import { advanceTo, claimNothing, claimOne, DUE_IN_MS, enqueueTask, ensure, expectTask, expectWakeWhenDue, EXPIRY_BACKLOG, EXPIRY_REPEATS, rejectsWith, same, show, succeeds } from "../support/index.js";

/** The parts of signals a check can predict. */
function signalContents(signals: readonly Signal[] | undefined): { key: string; payload: unknown }[] {
  return (signals ?? []).map((signal) => ({ key: signal.key, payload: signal.payload }));
}

/** Enqueues and claims a task, then suspends it; asserts the lease ended. */
async function suspendedTask(engine: EngineBackend, queue: string, keys: string[], mode: "any" | "all" = "any", maxAttempts = 3): Promise<{ id: string; lease: Lease }> {
  const id = await enqueueTask(engine, { queue, maxAttempts });
  const lease = await claimOne(engine, queue, { taskId: id }, "claim of the task to suspend");
  same(await succeeds(engine.suspend(lease, { keys, mode }), `suspend on ${show(keys)} (${mode})`), { suspended: true }, "suspend with nothing buffered");
  return { id, lease };
}

/** Enqueues and claims a task, then suspends it on `key` until 1 s from now; returns its id and timeoutAt. */
async function suspendedWithTimeout(ctx: CheckContext, queue: string, key: string): Promise<{ id: string; timeoutAt: number }> {
  const engine = ctx.backend.engine;
  const id = await enqueueTask(engine, { queue });
  const lease = await claimOne(engine, queue, { taskId: id });
  const timeoutAt = ctx.clock.now() + 1_000;
  same(await succeeds(engine.suspend(lease, { keys: [key], timeoutAt }), "suspend with timeoutAt"), { suspended: true }, "suspend with a timeout");
  return { id, timeoutAt };
}

const suspension: Check[] = [
  defineCheck({
    id: "E14.buffered-satisfies",
    rule: "E14",
    title: "suspend satisfied by a buffered signal returns it with suspended: false and the lease stays valid",
    requires: ["leases", "signals"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const key = ctx.unique("key");
      const sentAt = ctx.clock.now();
      const sent = await succeeds(engine.signal({ key, payload: { approved: true } }), "signal");
      same({ duplicate: sent.duplicate, deliveredTo: sent.deliveredTo }, { duplicate: false, deliveredTo: [] }, "a signal nobody waits for (buffered)");
      ctx.clock.advance(10);
      const id = await enqueueTask(engine, { queue });
      const lease = await claimOne(engine, queue, { taskId: id });
      const result = await succeeds(engine.suspend(lease, { keys: [key] }), "suspend");
      same(
        result,
        { suspended: false, signals: [{ signalId: sent.signalId, key, payload: { approved: true }, createdAt: sentAt }] },
        "suspend on a key with a buffered signal",
      );
      await expectTask(engine, id, { state: "leased", epoch: lease.epoch, leaseExpiresAt: lease.expiresAt }, "the task after a satisfied suspend");
      await succeeds(engine.complete(lease), "complete with the lease after a satisfied suspend");
      const other = await enqueueTask(engine, { queue });
      const otherLease = await claimOne(engine, queue, { taskId: other });
      same(
        await succeeds(engine.suspend(otherLease, { keys: [key] }), "a second suspend on the key"),
        { suspended: true },
        "suspend on a key whose buffered signal was taken",
      );
    },
  }),
  defineCheck({
    id: "E14.resume-on-any",
    rule: "E14",
    title: "a suspended task resumes on one signal of any key, with the same attempt, a new epoch and the signal",
    requires: ["leases", "signals"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const a = ctx.unique("key-a");
      const b = ctx.unique("key-b");
      const { id, lease } = await suspendedTask(engine, queue, [a, b], "any", 1);
      await expectTask(engine, id, { state: "suspended", attempt: 1, epoch: 1, leaseExpiresAt: null, workerId: null }, "the suspended task");
      await claimNothing(engine, queue, "a claim while the task is suspended");
      await rejectsWith(engine.complete(lease), "INVALID_STATE", "complete with the lease that suspended");
      ctx.clock.advance(30);
      const sent = await succeeds(engine.signal({ key: b, payload: "go" }), "signal on b");
      same(sent.deliveredTo, [id], "deliveredTo of a signal on a key the task waits for");
      await expectTask(engine, id, { state: "ready", runAt: ctx.clock.now() }, "the task after the signal");
      const resumed = await claimOne(engine, queue, { taskId: id }, "the claim after the signal");
      same({ attempt: resumed.attempt, epoch: resumed.epoch }, { attempt: 1, epoch: 2 }, "attempt and epoch of the resumed lease");
      same(signalContents(resumed.signals), [{ key: b, payload: "go" }], "signals of the resumed lease");
      ensure(resumed.timedOut !== true, "a lease resumed by a signal is not timedOut");
      await rejectsWith(engine.complete(lease), "STALE_LEASE", "complete with the lease that suspended, after resume");
      same((await succeeds(engine.signal({ key: a }), "signal on a after resume")).deliveredTo, [], "a signal on the other key after resume (buffered)");
      await succeeds(engine.complete(resumed), "complete by the resumed holder");
    },
  }),
  defineCheck({
    id: "E14.resume-on-all",
    rule: "E14",
    title: "with mode all, the task resumes only when every key was signalled, with every signal in delivery order",
    requires: ["leases", "signals"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const a = ctx.unique("key-a");
      const b = ctx.unique("key-b");
      const c = ctx.unique("key-c");
      same((await succeeds(engine.signal({ key: a, payload: 1 }), "signal a before suspend")).deliveredTo, [], "a signal before the suspension (buffered)");
      const { id } = await suspendedTask(engine, queue, [a, b, c], "all");
      ctx.clock.advance(7);
      same((await succeeds(engine.signal({ key: c, payload: 3 }), "signal c")).deliveredTo, [id], "deliveredTo of the signal on c");
      // Collecting a signal is a write to the task, though it keeps waiting.
      await expectTask(engine, id, { state: "suspended", updatedAt: ctx.clock.now() }, "the task with a and c signalled (its updatedAt moves with the delivery)");
      await claimNothing(engine, queue, "a claim while b is missing");
      same((await succeeds(engine.signal({ key: b, payload: 2 }), "signal b")).deliveredTo, [id], "deliveredTo of the signal on b");
      const resumed = await claimOne(engine, queue, { taskId: id }, "the claim after every key was signalled");
      same(
        signalContents(resumed.signals),
        [
          { key: a, payload: 1 },
          { key: c, payload: 3 },
          { key: b, payload: 2 },
        ],
        "signals of the resumed lease (buffered first, then in delivery order)",
      );
    },
  }),
  defineCheck({
    id: "E14.timeout",
    rule: "E14",
    title: "a suspension resumes at exactly timeoutAt with timedOut: true, the same attempt and a new epoch",
    requires: ["leases", "signals"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const key = ctx.unique("key");
      const { id, timeoutAt } = await suspendedWithTimeout(ctx, queue, key);
      advanceTo(ctx.clock, timeoutAt - 1);
      await claimNothing(engine, queue, "a claim 1 ms before timeoutAt");
      await expectTask(engine, id, { state: "suspended" }, "the task 1 ms before timeoutAt");
      ctx.clock.advance(1);
      await expectTask(engine, id, { state: "ready" }, "the task at timeoutAt (effective state)");
      const resumed = await claimOne(engine, queue, { taskId: id }, "the claim at timeoutAt");
      same(
        { attempt: resumed.attempt, epoch: resumed.epoch, timedOut: resumed.timedOut, signals: signalContents(resumed.signals) },
        { attempt: 1, epoch: 2, timedOut: true, signals: [] },
        "the lease resumed by the timeout",
      );
    },
  }),
  defineCheck({
    id: "E14.timeout-unread",
    rule: "E14",
    title: "at exactly timeoutAt, with no read in between, a signal finds the task timed out and a claim resumes it",
    requires: ["leases", "signals"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const keys = [ctx.unique("signalled"), ctx.unique("quiet")];
      const ids: string[] = [];
      const timeoutAt = ctx.clock.now() + 1_000;
      for (const key of keys) {
        const id = await enqueueTask(engine, { queue });
        const lease = await claimOne(engine, queue, { taskId: id }, `claim of the task waiting on ${key}`);
        same(await succeeds(engine.suspend(lease, { keys: [key], timeoutAt }), "suspend with timeoutAt"), { suspended: true }, "suspend with a timeout");
        ids.push(id);
      }
      advanceTo(ctx.clock, timeoutAt);
      same((await succeeds(engine.signal({ key: keys[0] as string, payload: "late" }), "signal at timeoutAt")).deliveredTo, [], "deliveredTo of a signal sent at exactly the waiter's timeoutAt");
      const resumed = await succeeds(engine.claim({ workerId: "w", queues: [queue], leaseMs: 60_000, limit: 2 }), "claim at timeoutAt");
      same(
        [...resumed].sort((a, b) => (a.taskId < b.taskId ? -1 : 1)).map((lease) => ({ taskId: lease.taskId, timedOut: lease.timedOut, signals: signalContents(lease.signals) })),
        [...ids].sort().map((taskId) => ({ taskId, timedOut: true, signals: [] })),
        "the leases a claim at exactly timeoutAt grants (both suspensions timed out, no read of either before)",
      );
    },
  }),
  defineCheck({
    id: "E14.signal-before-timeout",
    rule: "E14",
    title: "a signal 1 ms before the waiter's timeoutAt is delivered and resumes it, not timed out",
    requires: ["leases", "signals"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const key = ctx.unique("key");
      const { id, timeoutAt } = await suspendedWithTimeout(ctx, queue, key);
      advanceTo(ctx.clock, timeoutAt - 1);
      same((await succeeds(engine.signal({ key, payload: "in time" }), "signal 1 ms before timeoutAt")).deliveredTo, [id], "deliveredTo of a signal 1 ms before the waiter's timeoutAt");
      const resumed = await claimOne(engine, queue, { taskId: id }, "the claim after the signal");
      same(signalContents(resumed.signals), [{ key, payload: "in time" }], "signals of the lease resumed 1 ms before timeoutAt");
      ensure(resumed.timedOut !== true, `a lease resumed by a signal before its timeout is not timedOut, got ${show(resumed)}`);
    },
  }),
  defineCheck({
    id: "E14.wait-wakes-at-timeout",
    rule: "E14",
    title: "waitForWork wakes when a suspension times out, with no write to announce it",
    requires: ["leases", "signals", "notifications"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const id = await enqueueTask(engine, { queue });
      const lease = await claimOne(engine, queue, { taskId: id }, "claim the task");
      const timeoutAt = ctx.clock.now() + DUE_IN_MS;
      same(await succeeds(engine.suspend(lease, { keys: [ctx.unique("quiet")], timeoutAt }), "suspend with timeoutAt"), { suspended: true }, "suspend with a timeout in 50 ms");
      await expectWakeWhenDue(engine, ctx.clock, queue, timeoutAt, "the suspension has timed out");
      await claimOne(engine, queue, { taskId: id }, "the claim that resumes it");
    },
  }),
  defineCheck({
    id: "E14.suspend-keeps-attempt",
    rule: "E14",
    title: "suspending and resuming consume no attempt",
    requires: ["leases", "signals"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const key = ctx.unique("key");
      const id = await enqueueTask(engine, { queue, maxAttempts: 1 });
      for (let round = 1; round <= 3; round++) {
        const lease = await claimOne(engine, queue, { taskId: id }, `claim ${round}`);
        same({ attempt: lease.attempt, epoch: lease.epoch }, { attempt: 1, epoch: round }, `attempt and epoch of claim ${round}`);
        same(await succeeds(engine.suspend(lease, { keys: [key] }), `suspend ${round}`), { suspended: true }, `suspend ${round}`);
        same((await succeeds(engine.signal({ key, payload: round }), `signal ${round}`)).deliveredTo, [id], `deliveredTo of signal ${round}`);
      }
      const last = await claimOne(engine, queue, { taskId: id }, "the last claim");
      same(await succeeds(engine.fail(last, { error: "x" }), "fail"), { outcome: "dead" }, "fail at attempt 1 of 1 after three suspensions");
    },
  }),
];

const signalling: Check[] = [
  defineCheck({
    id: "E15.delivers-to-every-waiter",
    rule: "E15",
    title: "a signal is delivered to every task suspended on its key, in enqueue order, and not buffered",
    requires: ["leases", "signals"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const key = ctx.unique("key");
      const first = await enqueueTask(engine, { queue });
      const second = await enqueueTask(engine, { queue });
      const unrelated = await enqueueTask(engine, { queue });
      const leases = await succeeds(engine.claim({ workerId: "w", queues: [queue], leaseMs: 60_000, limit: 3 }), "claim three");
      const leaseOf = (id: string): Lease => {
        const lease = leases.find((l) => l.taskId === id);
        ensure(lease !== undefined, `claim of three must include ${id}, got ${show(leases)}`);
        return lease;
      };
      // Suspended in the reverse of enqueue order: delivery follows enqueue order.
      await succeeds(engine.suspend(leaseOf(second), { keys: [key] }), "suspend the second task");
      await succeeds(engine.suspend(leaseOf(first), { keys: [key] }), "suspend the first task");
      await succeeds(engine.suspend(leaseOf(unrelated), { keys: [ctx.unique("other-key")] }), "suspend a task on another key");
      const sent = await succeeds(engine.signal({ key, payload: "all of you" }), "signal");
      same(sent.deliveredTo, [first, second], "deliveredTo of a signal with two waiters");
      await expectTask(engine, unrelated, { state: "suspended" }, "a task waiting on another key");
      const lateQueue = ctx.unique("late-queue");
      const late = await enqueueTask(engine, { queue: lateQueue });
      const lateLease = await claimOne(engine, lateQueue, { taskId: late }, "claim of a task that suspends after the signal");
      same(await succeeds(engine.suspend(lateLease, { keys: [key] }), "a later suspend"), { suspended: true }, "suspend after a delivered signal (it was not buffered)");
    },
  }),
  defineCheck({
    id: "E15.other-waiter-keeps-waiting",
    rule: "E15",
    title: "when one of two tasks waiting on a key stops waiting (its timeout), a signal on the key still reaches the other",
    requires: ["leases", "signals"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const key = ctx.unique("key");
      const { id: timesOut, timeoutAt } = await suspendedWithTimeout(ctx, queue, key);
      const { id: waits } = await suspendedTask(engine, queue, [key]);
      advanceTo(ctx.clock, timeoutAt);
      const resumed = await claimOne(engine, queue, { taskId: timesOut }, "the claim that resumes the timed-out task");
      same(resumed.timedOut, true, "timedOut of the lease resumed by its timeout");
      same((await succeeds(engine.signal({ key, payload: "still here" }), "signal after the other waiter timed out")).deliveredTo, [waits], "deliveredTo of a signal on the key once the other waiter timed out");
    },
  }),
  defineCheck({
    id: "E15.buffered-oldest-first",
    rule: "E15",
    title: "suspend takes every buffered signal on any of its keys, oldest first",
    requires: ["leases", "signals"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const a = ctx.unique("key-a");
      const b = ctx.unique("key-b");
      await succeeds(engine.signal({ key: a, payload: 1 }), "signal a 1");
      ctx.clock.advance(1);
      await succeeds(engine.signal({ key: b, payload: 2 }), "signal b 2");
      ctx.clock.advance(1);
      await succeeds(engine.signal({ key: a, payload: 3 }), "signal a 3");
      const id = await enqueueTask(engine, { queue });
      const lease = await claimOne(engine, queue, { taskId: id });
      const result = await succeeds(engine.suspend(lease, { keys: [b, a] }), "suspend on b and a");
      ensure(!result.suspended, `suspend on keys with buffered signals must be satisfied, got ${show(result)}`);
      same(
        signalContents(result.signals),
        [
          { key: a, payload: 1 },
          { key: b, payload: 2 },
          { key: a, payload: 3 },
        ],
        "signals taken by suspend",
      );
    },
  }),
  defineCheck({
    id: "E15.idempotent-buffered",
    rule: "E15",
    title: "a repeated idempotencyKey returns the first signalId with duplicate: true and buffers nothing new",
    requires: ["leases", "signals"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const key = ctx.unique("key");
      const idempotencyKey = ctx.unique("signal-id");
      const first = await succeeds(engine.signal({ key, payload: "first", idempotencyKey }), "signal");
      same(first.duplicate, false, "duplicate of the first signal");
      const again = await succeeds(engine.signal({ key, payload: "second", idempotencyKey }), "the repeated signal");
      same(again, { signalId: first.signalId, duplicate: true, deliveredTo: [] }, "a repeated signal");
      const id = await enqueueTask(engine, { queue });
      const lease = await claimOne(engine, queue, { taskId: id });
      const result = await succeeds(engine.suspend(lease, { keys: [key] }), "suspend");
      ensure(!result.suspended, `suspend on a key with a buffered signal must be satisfied, got ${show(result)}`);
      same(signalContents(result.signals), [{ key, payload: "first" }], "signals buffered by a signal sent twice");
    },
  }),
  defineCheck({
    id: "E15.idempotent-delivered",
    rule: "E15",
    title: "a repeated idempotencyKey of a delivered signal delivers nothing to a new waiter",
    requires: ["leases", "signals"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const key = ctx.unique("key");
      const idempotencyKey = ctx.unique("signal-id");
      const { id: first } = await suspendedTask(engine, queue, [key]);
      const sent = await succeeds(engine.signal({ key, idempotencyKey }), "signal");
      same(sent.deliveredTo, [first], "deliveredTo of the first signal");
      const { id: second } = await suspendedTask(engine, `${queue}-2`, [key]);
      const again = await succeeds(engine.signal({ key, idempotencyKey }), "the repeated signal");
      same(again, { signalId: sent.signalId, duplicate: true, deliveredTo: [] }, "a repeated signal with a new waiter");
      await expectTask(engine, second, { state: "suspended" }, "the new waiter after the repeated signal");
    },
  }),
  defineCheck({
    id: "E15.idempotency-window",
    rule: "E15",
    title: "a signal idempotencyKey deduplicates for dedupTtlMs, then names a new signal",
    requires: ["signals"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const key = ctx.unique("key");
      const idempotencyKey = ctx.unique("signal-id");
      const start = ctx.clock.now();
      const first = await succeeds(engine.signal({ key, idempotencyKey }), "signal");
      advanceTo(ctx.clock, start + DEFAULTS.dedupTtlMs - 1);
      same((await succeeds(engine.signal({ key, idempotencyKey }), "repeat before dedupTtlMs")).duplicate, true, "duplicate 1 ms before dedupTtlMs");
      ctx.clock.advance(1);
      const later = await succeeds(engine.signal({ key, idempotencyKey }), "repeat at dedupTtlMs");
      ensure(!later.duplicate && later.signalId !== first.signalId, `a signal dedupTtlMs after the first must be new, got ${show(later)}`);
    },
  }),
  defineCheck({
    id: "E15.idempotency-reuse-under-expiry-backlog",
    rule: "E15",
    title: "a signal idempotencyKey reused once it expired keeps deduplicating while the many keys that expired with it are cleaned up",
    requires: ["signals"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const key = ctx.unique("key");
      const idempotencyKey = ctx.unique("signal-id");
      const start = ctx.clock.now();
      for (let index = 0; index < EXPIRY_BACKLOG; index++) await succeeds(engine.signal({ key, idempotencyKey: `${idempotencyKey}-other-${index}` }), `signal ${index + 1}`);
      await succeeds(engine.signal({ key, idempotencyKey }), "signal with the key");
      advanceTo(ctx.clock, start + DEFAULTS.dedupTtlMs);
      const reused = await succeeds(engine.signal({ key, idempotencyKey }), "signal with the expired key");
      ensure(!reused.duplicate, `a signal dedupTtlMs after the first must be new, got ${show(reused)}`);
      for (let repeat = 1; repeat <= EXPIRY_REPEATS; repeat++) {
        const again = await succeeds(engine.signal({ key, idempotencyKey }), `repeat ${repeat} of the reused key`);
        same(
          { signalId: again.signalId, duplicate: again.duplicate },
          { signalId: reused.signalId, duplicate: true },
          `repeat ${repeat} of the reused key, while ${EXPIRY_BACKLOG} keys that expired with its old entry are cleaned up`,
        );
      }
    },
  }),
  defineCheck({
    id: "E15.buffer-ttl",
    rule: "E15",
    title: "a buffered signal lives signalTtlMs (default 24 h): present 1 ms before, gone at the TTL",
    requires: ["leases", "signals"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const early = ctx.unique("key-early");
      const late = ctx.unique("key-late");
      const start = ctx.clock.now();
      await succeeds(engine.signal({ key: early, payload: "e" }), "signal on the first key");
      await succeeds(engine.signal({ key: late, payload: "l" }), "signal on the second key");
      const first = await enqueueTask(engine, { queue });
      const second = await enqueueTask(engine, { queue });
      const leases = await succeeds(engine.claim({ workerId: "w", queues: [queue], leaseMs: 2 * DEFAULTS.signalTtlMs, limit: 2 }), "claim two");
      const [firstLease, secondLease] = [leases.find((l) => l.taskId === first), leases.find((l) => l.taskId === second)];
      ensure(firstLease && secondLease, `claim of two must return both tasks, got ${show(leases)}`);
      advanceTo(ctx.clock, start + DEFAULTS.signalTtlMs - 1);
      const before = await succeeds(engine.suspend(firstLease, { keys: [early] }), "suspend 1 ms before the TTL");
      same(before.suspended ? [] : signalContents(before.signals), [{ key: early, payload: "e" }], "signals of a suspend 1 ms before signalTtlMs");
      ctx.clock.advance(1);
      same(
        await succeeds(engine.suspend(secondLease, { keys: [late] }), "suspend at the TTL"),
        { suspended: true },
        "suspend when signalTtlMs has passed (the buffered signal expired)",
      );
    },
  }),
  defineCheck({
    id: "E15.buffer-expiry-keeps-younger",
    rule: "E15",
    title: "each buffered signal lives its own signalTtlMs: when the oldest on a key expires, a younger one on that key is still taken",
    requires: ["leases", "signals"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const key = ctx.unique("key");
      const start = ctx.clock.now();
      await succeeds(engine.signal({ key, payload: "old" }), "the older signal");
      ctx.clock.advance(1);
      await succeeds(engine.signal({ key, payload: "young" }), "the younger signal, 1 ms later");
      const id = await enqueueTask(engine, { queue });
      const lease = await claimOne(engine, queue, { taskId: id, leaseMs: 2 * DEFAULTS.signalTtlMs });
      advanceTo(ctx.clock, start + DEFAULTS.signalTtlMs);
      // A call after the older signal expired, where a backend may clean expired signals up.
      await succeeds(engine.signal({ key: ctx.unique("other-key"), payload: "other" }), "a signal on another key at the older one's TTL");
      const result = await succeeds(engine.suspend(lease, { keys: [key] }), "suspend at the older signal's TTL");
      same(result.suspended ? [] : signalContents(result.signals), [{ key, payload: "young" }], "signals taken at the older signal's TTL, 1 ms before the younger one's");
    },
  }),
];

export const checks: Check[] = [...suspension, ...signalling];
