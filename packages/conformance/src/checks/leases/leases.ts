/**
 * Leases: claim order (E3), exclusivity (E4), fencing (E5), renew (E6), complete (E7), fail (E8)
 * and release (E9). The E5 checks are a matrix: every holder call against every way a lease can
 * stop being valid, each expecting the error code of docs/decisions.md's fence order and verifying
 * that the rejected call wrote nothing (SPEC §10.3, §10.4, §10.6, §10.7).
 */
import { type CapabilityName, DEFAULTS, type EngineBackend, type ErrorCode, type Lease } from "@mooring/core";
import { type Check, type CheckContext, defineCheck } from "../../registry.js";
import { advanceTo, capabilitiesOf, claimInOrder, claimNothing, claimOne, enqueueTask, ensure, expectRejectedHolderCall, expectTask, forgedLease, HOLDER_CALLS, LEASE_MS, rejectsWith, same, sameMembers, show, succeeds, taskOf } from "../support/index.js";

/** Deeper than any batch or buffer a store is likely to use internally (1,000, 1,024). */
const DEEP_QUEUE = 1_100;

// ---------------------------------------------------------------------------------------------
// E3 claim order

const claimOrder: Check[] = [
  defineCheck({
    id: "E3.priority-order",
    rule: "E3",
    title: "claim grants higher priority first, equal priorities in enqueue order",
    requires: ["leases", "priorities"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const low = await enqueueTask(engine, { queue, priority: -1, payload: "low" });
      const normal = await enqueueTask(engine, { queue, payload: "normal" });
      const highFirst = await enqueueTask(engine, { queue, priority: 5, payload: "high, first" });
      const highSecond = await enqueueTask(engine, { queue, priority: 5, payload: "high, second" });
      const top = await enqueueTask(engine, { queue, priority: 10, payload: "top" });
      const order = await claimInOrder(engine, queue, 5);
      same(order, [top, highFirst, highSecond, normal, low], "claim order (priority 10, 5, 5, 0, -1)");
      await claimNothing(engine, queue, "claim after every task was leased");
    },
  }),
  defineCheck({
    id: "E3.priority-batch",
    rule: "E3",
    title: "a claim with a limit takes the highest-priority tasks",
    requires: ["leases", "priorities"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      await enqueueTask(engine, { queue, priority: 1 });
      const best = await enqueueTask(engine, { queue, priority: 9 });
      await enqueueTask(engine, { queue, priority: 2 });
      const second = await enqueueTask(engine, { queue, priority: 7 });
      const leases = await succeeds(engine.claim({ workerId: "worker", queues: [queue], leaseMs: LEASE_MS, limit: 2 }), "claim limit 2");
      sameMembers(
        leases.map((lease) => lease.taskId),
        [best, second],
        "a claim of 2 out of priorities 1, 9, 2, 7 (the tasks of priority 9 and 7)",
      );
    },
  }),
  defineCheck({
    id: "E3.ready-time-order",
    rule: "E3",
    title: "among equal priorities, the earlier runAt is claimed first",
    requires: ["leases", "delays"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const start = ctx.clock.now();
      const latest = await enqueueTask(engine, { queue, runAt: start + 200 });
      const middle = await enqueueTask(engine, { queue, runAt: start + 100 });
      const earliest = await enqueueTask(engine, { queue });
      ctx.clock.advance(200);
      same(await claimInOrder(engine, queue, 3), [earliest, middle, latest], "claim order of runAt now, +100, +200 (enqueued in reverse)");
    },
  }),
  defineCheck({
    id: "E3.fifo",
    rule: "E3",
    title: "equal priority and runAt are claimed in enqueue order, batches included",
    requires: ["leases"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const first = await enqueueTask(engine, { queue, payload: 1 });
      const second = await enqueueTask(engine, { queue, payload: 2 });
      const batch = await succeeds(engine.enqueueMany([{ queue, payload: 3 }, { queue, payload: 4 }, { queue, payload: 5 }]), "enqueueMany");
      const last = await enqueueTask(engine, { queue, payload: 6 });
      const expected = [first, second, ...batch.map((result) => result.id), last];
      same(await claimInOrder(engine, queue, expected.length), expected, "claim order of tasks enqueued at one instant");
    },
  }),
  defineCheck({
    id: "E3.fifo-deep-queue",
    rule: "E3",
    title: "1,100 tasks of equal priority and runAt are claimed in enqueue order, 100 a claim, until the queue is empty",
    requires: ["leases"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const ids: string[] = [];
      for (let batch = 0; batch < DEEP_QUEUE / 100; batch++) {
        const results = await succeeds(engine.enqueueMany(Array.from({ length: 100 }, (_, i) => ({ queue, payload: batch * 100 + i }))), `enqueueMany #${batch + 1}`);
        ids.push(...results.map((result) => result.id));
      }
      for (let claimed = 0; claimed < DEEP_QUEUE; claimed += 100) {
        const leases = await succeeds(engine.claim({ workerId: "drain", queues: [queue], leaseMs: LEASE_MS, limit: 100 }), `claim of tasks ${claimed + 1}–${claimed + 100}`);
        sameMembers(leases.map((lease) => lease.taskId), ids.slice(claimed, claimed + 100), `the claim of tasks ${claimed + 1}–${claimed + 100} in enqueue order`);
      }
      await claimNothing(engine, queue, "a claim once all 1,100 tasks are leased");
      const late = await enqueueTask(engine, { queue });
      await claimOne(engine, queue, { taskId: late }, "a task enqueued after the queue was drained");
    },
  }),
  defineCheck({
    id: "E3.order-across-queues",
    rule: "E3",
    title: "a claim over several queues follows one order: priority, then runAt, then enqueue order",
    requires: ["leases", "priorities", "delays"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const a = ctx.unique("queue-a");
      const b = ctx.unique("queue-b");
      const start = ctx.clock.now();
      const aLate = await enqueueTask(engine, { queue: a, runAt: start + 50 });
      const bFirst = await enqueueTask(engine, { queue: b });
      const aSecond = await enqueueTask(engine, { queue: a });
      const bUrgent = await enqueueTask(engine, { queue: b, priority: 3, runAt: start + 50 });
      ctx.clock.advance(50);
      same(
        await claimInOrder(engine, [a, b], 4),
        [bUrgent, bFirst, aSecond, aLate],
        "claim order over two queues (priority 3 first; then runAt now in enqueue order; then runAt +50)",
      );
    },
  }),
  defineCheck({
    id: "E3.scheduled-run-at",
    rule: "E3",
    title: "a task is not claimable before runAt and is claimable exactly at runAt",
    requires: ["leases", "delays"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const runAt = ctx.clock.now() + 1_000;
      const id = await enqueueTask(engine, { queue, runAt });
      await expectTask(engine, id, { state: "scheduled", runAt }, "a task enqueued for the future");
      await claimNothing(engine, queue, "claim before runAt");
      ctx.clock.advance(999);
      await claimNothing(engine, queue, "claim 1 ms before runAt");
      ctx.clock.advance(1);
      await expectTask(engine, id, { state: "ready" }, "the task at runAt (effective state)");
      await claimOne(engine, queue, { taskId: id }, "claim at exactly runAt");
    },
  }),
  defineCheck({
    id: "E3.claim-limit",
    rule: "E3",
    title: "claim returns at most limit leases (default 1) with the lease fields filled in",
    requires: ["leases"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push(await enqueueTask(engine, { queue, payload: { n: i } }));
      const one = await succeeds(engine.claim({ workerId: "w1", queues: [queue], leaseMs: 5_000 }), "claim without a limit");
      same(one.length, 1, "leases of a claim without limit (default 1)");
      const now = ctx.clock.now();
      const [lease] = one as [Lease];
      same(
        {
          taskId: lease.taskId,
          queue: lease.queue,
          payload: lease.payload,
          attempt: lease.attempt,
          epoch: lease.epoch,
          workerId: lease.workerId,
          expiresAt: lease.expiresAt,
        },
        { taskId: ids[0], queue, payload: { n: 0 }, attempt: 1, epoch: 1, workerId: "w1", expiresAt: now + 5_000 },
        "the first lease",
      );
      ensure(lease.signals === undefined || lease.signals.length === 0, `a first lease carries no signals, got ${show(lease.signals)}`);
      ensure(lease.timedOut !== true, "a first lease is not timedOut");
      const three = await succeeds(engine.claim({ workerId: "w2", queues: [queue], leaseMs: 5_000, limit: 3 }), "claim limit 3");
      same(
        three.map((l) => l.taskId),
        ids.slice(1, 4),
        "leases of a claim with limit 3",
      );
      const rest = await succeeds(engine.claim({ workerId: "w3", queues: [queue], leaseMs: 5_000, limit: 10 }), "claim limit 10");
      same(
        rest.map((l) => l.taskId),
        ids.slice(4),
        "a claim with limit 10 when one task is left",
      );
    },
  }),
  defineCheck({
    id: "E3.only-listed-queues",
    rule: "E3",
    title: "claim takes tasks of the listed queues only",
    requires: ["leases"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const mine = ctx.unique("queue");
      const other = ctx.unique("other-queue");
      const foreign = await enqueueTask(engine, { queue: other });
      await claimNothing(engine, mine, "claim from a queue with no tasks while another queue has one");
      await expectTask(engine, foreign, { state: "ready", epoch: 0 }, "the other queue's task");
    },
  }),
];

// ---------------------------------------------------------------------------------------------
// E4 exclusivity

const exclusivity: Check[] = [
  defineCheck({
    id: "E4.no-second-lease",
    rule: "E4",
    title: "a leased task is granted to nobody else until its lease expires, from any client",
    requires: ["leases"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const other = (await ctx.connect()).engine;
      const queue = ctx.unique("queue");
      const id = await enqueueTask(engine, { queue });
      const lease = await claimOne(engine, queue, { taskId: id, workerId: "holder" });
      await claimNothing(engine, queue, "a second claim on the same client");
      await claimNothing(other, queue, "a claim on another client");
      advanceTo(ctx.clock, lease.expiresAt - 1);
      await claimNothing(engine, queue, "a claim 1 ms before the lease expires");
      await claimNothing(other, queue, "a claim on another client 1 ms before the lease expires");
      await expectTask(engine, id, { state: "leased", epoch: 1, workerId: "holder", leaseExpiresAt: lease.expiresAt }, "the leased task");
    },
  }),
  defineCheck({
    id: "E4.batch-distinct",
    rule: "E4",
    title: "one claim never returns a task twice, and a second claim gets none of the first's tasks",
    requires: ["leases"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const ids = [await enqueueTask(engine, { queue }), await enqueueTask(engine, { queue }), await enqueueTask(engine, { queue })];
      const leases = await succeeds(engine.claim({ workerId: "w", queues: [queue, queue], leaseMs: LEASE_MS, limit: 10 }), "claim limit 10");
      sameMembers(
        leases.map((lease) => lease.taskId),
        ids,
        "tasks of a claim with limit 10 over three tasks (queue listed twice)",
      );
      await claimNothing(engine, queue, "a claim after all three were leased");
    },
  }),
];

// ---------------------------------------------------------------------------------------------
// E5 fencing

interface FenceSetup {
  /** The lease the holder presents. */
  readonly lease: Lease;
  /** Checks run after the rejected call, e.g. that the current holder was not disturbed. */
  readonly afterwards?: () => Promise<void>;
}

/** One way a lease stops being valid, and the code the fence order of docs/decisions.md gives. */
interface FenceScenario {
  readonly slug: string;
  readonly title: string;
  readonly code: ErrorCode;
  readonly requires: readonly CapabilityName[];
  setup(ctx: CheckContext, engine: EngineBackend, queue: string): Promise<FenceSetup>;
}

/** Claims a fresh task, lets its lease expire and has the sweeper reclaim it. */
async function expiredAndReclaimed(ctx: CheckContext, engine: EngineBackend, queue: string, taskId: string, label: string): Promise<Lease> {
  const lease = await claimOne(engine, queue, { taskId }, `setup: ${label} claim`);
  advanceTo(ctx.clock, lease.expiresAt);
  const reclaimed = await succeeds(engine.reclaimExpired(), `setup: reclaimExpired after the ${label} lease expired`);
  ensure(reclaimed.retried.includes(taskId), `setup: reclaimExpired must retry the expired task, got ${show(reclaimed)}`);
  advanceTo(ctx.clock, (await taskOf(engine, taskId, "setup: getTask after reclaim")).runAt);
  return lease;
}

const renewStillWorks = (engine: EngineBackend, lease: Lease, label: string) => async (): Promise<void> => {
  await succeeds(engine.renew(lease), `the ${label} lease must be unaffected by the rejected call (renew)`);
};

const FENCE_SCENARIOS: readonly FenceScenario[] = [
  {
    slug: "unknown-task",
    title: "a lease on a task that does not exist",
    code: "NOT_FOUND",
    requires: [],
    async setup(ctx) {
      return { lease: forgedLease(ctx.unique("no-such-task"), 1, ctx.clock.now() + LEASE_MS) };
    },
  },
  {
    slug: "stale-after-reclaim",
    title: "a lease reclaimed after expiry while a newer lease is held",
    code: "STALE_LEASE",
    requires: ["reclaim"],
    async setup(ctx, engine, queue) {
      const id = await enqueueTask(engine, { queue });
      const first = await expiredAndReclaimed(ctx, engine, queue, id, "first");
      const second = await claimOne(engine, queue, { taskId: id }, "setup: second claim");
      return { lease: first, afterwards: renewStillWorks(engine, second, "newer") };
    },
  },
  {
    slug: "stale-after-two-reclaims",
    title: "a lease two reclaims old (the newer lease expired and was reclaimed too)",
    code: "STALE_LEASE",
    requires: ["reclaim"],
    async setup(ctx, engine, queue) {
      const id = await enqueueTask(engine, { queue });
      const first = await expiredAndReclaimed(ctx, engine, queue, id, "first");
      await expiredAndReclaimed(ctx, engine, queue, id, "second");
      return { lease: first };
    },
  },
  {
    slug: "stale-over-revoked",
    title: "a revoked lease whose successor's task was then cancelled (STALE_LEASE comes before LEASE_REVOKED)",
    code: "STALE_LEASE",
    requires: [],
    async setup(ctx, engine, queue) {
      const id = await enqueueTask(engine, { queue });
      const first = await claimOne(engine, queue, { taskId: id }, "setup: first claim");
      ensure(await succeeds(engine.revokeLease(id), "setup: revokeLease"), "setup: revokeLease of a leased task must return true");
      await claimOne(engine, queue, { taskId: id }, "setup: second claim");
      ensure(await succeeds(engine.cancel(id), "setup: cancel"), "setup: cancel of a leased task must return true");
      return { lease: first };
    },
  },
  {
    slug: "forged-epoch",
    title: "a lease with an epoch never granted (current epoch + 1)",
    code: "INVALID_STATE",
    requires: [],
    async setup(ctx, engine, queue) {
      const id = await enqueueTask(engine, { queue });
      const real = await claimOne(engine, queue, { taskId: id }, "setup: claim");
      return { lease: { ...real, epoch: real.epoch + 1 }, afterwards: renewStillWorks(engine, real, "real") };
    },
  },
  {
    slug: "never-claimed-epoch-0",
    title: "a fence of 0 on a task that was never claimed",
    code: "INVALID_STATE",
    requires: [],
    async setup(ctx, engine, queue) {
      const id = await enqueueTask(engine, { queue });
      return { lease: forgedLease(id, 0, ctx.clock.now() + LEASE_MS, queue) };
    },
  },
  {
    slug: "never-claimed-forged-epoch",
    title: "a forged epoch 1 on a task that was never claimed",
    code: "INVALID_STATE",
    requires: [],
    async setup(ctx, engine, queue) {
      const id = await enqueueTask(engine, { queue });
      return { lease: forgedLease(id, 1, ctx.clock.now() + LEASE_MS, queue) };
    },
  },
  {
    slug: "cancelled",
    title: "the lease of a task that was cancelled",
    code: "LEASE_REVOKED",
    requires: [],
    async setup(ctx, engine, queue) {
      const id = await enqueueTask(engine, { queue });
      const lease = await claimOne(engine, queue, { taskId: id }, "setup: claim");
      ensure(await succeeds(engine.cancel(id, "operator"), "setup: cancel"), "setup: cancel of a leased task must return true");
      return { lease };
    },
  },
  {
    slug: "revoked",
    title: "a lease revoked by revokeLease",
    code: "LEASE_REVOKED",
    requires: [],
    async setup(ctx, engine, queue) {
      const id = await enqueueTask(engine, { queue });
      const lease = await claimOne(engine, queue, { taskId: id }, "setup: claim");
      ensure(await succeeds(engine.revokeLease(id), "setup: revokeLease"), "setup: revokeLease of a leased task must return true");
      return { lease };
    },
  },
  {
    slug: "cancelled-then-expired",
    title: "the lease of a cancelled task, past its expiry (LEASE_REVOKED comes before LEASE_EXPIRED)",
    code: "LEASE_REVOKED",
    requires: [],
    async setup(ctx, engine, queue) {
      const id = await enqueueTask(engine, { queue });
      const lease = await claimOne(engine, queue, { taskId: id }, "setup: claim");
      ensure(await succeeds(engine.cancel(id), "setup: cancel"), "setup: cancel of a leased task must return true");
      advanceTo(ctx.clock, lease.expiresAt + 1);
      return { lease };
    },
  },
  {
    slug: "expired-at-boundary",
    title: "a lease at exactly now = expiresAt, before any sweep",
    code: "LEASE_EXPIRED",
    requires: [],
    async setup(ctx, engine, queue) {
      const id = await enqueueTask(engine, { queue });
      const lease = await claimOne(engine, queue, { taskId: id }, "setup: claim");
      advanceTo(ctx.clock, lease.expiresAt);
      return { lease };
    },
  },
  {
    slug: "expired-and-reclaimed",
    title: "an expired lease after reclaimExpired, with no newer lease",
    code: "LEASE_EXPIRED",
    requires: ["reclaim"],
    async setup(ctx, engine, queue) {
      const id = await enqueueTask(engine, { queue });
      const lease = await claimOne(engine, queue, { taskId: id }, "setup: claim");
      advanceTo(ctx.clock, lease.expiresAt);
      const reclaimed = await succeeds(engine.reclaimExpired(), "setup: reclaimExpired");
      ensure(reclaimed.retried.includes(id), `setup: reclaimExpired must retry the expired task, got ${show(reclaimed)}`);
      return { lease };
    },
  },
  {
    slug: "released",
    title: "a lease after release (the task is ready, not leased)",
    code: "INVALID_STATE",
    requires: [],
    async setup(ctx, engine, queue) {
      const id = await enqueueTask(engine, { queue });
      const lease = await claimOne(engine, queue, { taskId: id }, "setup: claim");
      await succeeds(engine.release(lease), "setup: release");
      return { lease };
    },
  },
];

const fenceMatrix: Check[] = FENCE_SCENARIOS.flatMap((scenario) =>
  HOLDER_CALLS.map((call) =>
    defineCheck({
      id: `E5.${call.name}.${scenario.slug}`,
      rule: "E5",
      title: `${call.name} with ${scenario.title} is ${scenario.code} and writes nothing`,
      requires: capabilitiesOf(call.requires, scenario.requires),
      kind: "example",
      async run(ctx) {
        const engine = ctx.backend.engine;
        const { lease, afterwards } = await scenario.setup(ctx, engine, ctx.unique("queue"));
        await expectRejectedHolderCall({
          engine,
          call,
          lease,
          code: scenario.code,
          signalKey: ctx.unique("signal"),
          what: `${call.name} with ${scenario.title}`,
        });
        await afterwards?.();
      },
    }),
  ),
);

const fencing: Check[] = [
  ...fenceMatrix,
  defineCheck({
    id: "E5.epoch-increases",
    rule: "E5",
    title: "the epoch is 0 before the first lease and grows by one with every lease granted, whatever ended the last",
    requires: ["leases"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const id = await enqueueTask(engine, { queue, maxAttempts: 5 });
      await expectTask(engine, id, { epoch: 0, attempt: 0 }, "a task never leased");
      const seen: { epoch: number; attempt: number }[] = [];
      const next = async (step: string): Promise<Lease> => {
        const lease = await claimOne(engine, queue, { taskId: id }, `claim after ${step}`);
        seen.push({ epoch: lease.epoch, attempt: lease.attempt });
        await expectTask(engine, id, { epoch: lease.epoch, attempt: lease.attempt, state: "leased" }, `the task after the claim after ${step}`);
        return lease;
      };
      const first = await next("enqueue");
      await succeeds(engine.release(first), "release");
      const second = await next("release");
      const failed = await succeeds(engine.fail(second, { error: "boom" }), "fail");
      ensure(failed.outcome === "retry", `fail at attempt 1 of 5 must retry, got ${show(failed)}`);
      advanceTo(ctx.clock, failed.runAt);
      await next("fail");
      await succeeds(engine.revokeLease(id), "revokeLease");
      const fourth = await next("revokeLease");
      await succeeds(engine.release(fourth), "second release");
      await next("second release");
      same(
        seen,
        [
          { epoch: 1, attempt: 1 },
          { epoch: 2, attempt: 1 },
          { epoch: 3, attempt: 2 },
          { epoch: 4, attempt: 2 },
          { epoch: 5, attempt: 2 },
        ],
        "epoch and attempt of successive leases (claim, release, fail, revokeLease, release)",
      );
    },
  }),
];

// ---------------------------------------------------------------------------------------------
// E6 renew

const renewal: Check[] = [
  defineCheck({
    id: "E6.renew-extends",
    rule: "E6",
    title: "renew keeps the epoch and moves expiresAt to now + leaseMs; the renewed lease outlives the old expiry",
    requires: ["leases"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const id = await enqueueTask(engine, { queue });
      const lease = await claimOne(engine, queue, { taskId: id, leaseMs: 1_000 });
      ctx.clock.advance(600);
      const renewed = await succeeds(engine.renew(lease, { leaseMs: 2_000 }), "renew with leaseMs 2000");
      same(
        { taskId: renewed.taskId, epoch: renewed.epoch, attempt: renewed.attempt, expiresAt: renewed.expiresAt },
        { taskId: id, epoch: lease.epoch, attempt: lease.attempt, expiresAt: ctx.clock.now() + 2_000 },
        "the renewed lease",
      );
      await expectTask(engine, id, { state: "leased", epoch: lease.epoch, leaseExpiresAt: renewed.expiresAt }, "the task after renew");
      advanceTo(ctx.clock, lease.expiresAt);
      await claimNothing(engine, queue, "a claim at the original expiry of a renewed lease");
      advanceTo(ctx.clock, renewed.expiresAt - 1);
      await succeeds(engine.complete(lease), "complete with the original lease object 1 ms before the renewed expiry");
      await expectTask(engine, id, { state: "completed" }, "the task after complete");
    },
  }),
  defineCheck({
    id: "E6.renew-default-duration",
    rule: "E6",
    title: "renew without leaseMs extends by the claim's lease duration",
    requires: ["leases"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const id = await enqueueTask(engine, { queue });
      const lease = await claimOne(engine, queue, { taskId: id, leaseMs: 3_000 });
      ctx.clock.advance(1_000);
      const renewed = await succeeds(engine.renew(lease), "renew without options");
      same(renewed.expiresAt, ctx.clock.now() + 3_000, "expiresAt after renew without leaseMs (claimed for 3000 ms)");
      ctx.clock.advance(1_000);
      await succeeds(engine.renew(lease, { leaseMs: 10_000 }), "renew with leaseMs 10000");
      ctx.clock.advance(1_000);
      const again = await succeeds(engine.renew(lease), "renew without options after a longer renew");
      same(again.expiresAt, ctx.clock.now() + 3_000, "expiresAt after renew without leaseMs (still the claim's 3000 ms)");
      same(again.epoch, lease.epoch, "epoch after renewals");
    },
  }),
  defineCheck({
    id: "E6.renew-after-expiry",
    rule: "E6",
    title: "renew succeeds 1 ms before expiry and is LEASE_EXPIRED at expiry, writing nothing (SPEC §10.7)",
    requires: ["leases"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const id = await enqueueTask(engine, { queue });
      const lease = await claimOne(engine, queue, { taskId: id });
      advanceTo(ctx.clock, lease.expiresAt - 1);
      const renewed = await succeeds(engine.renew(lease), "renew 1 ms before expiry");
      advanceTo(ctx.clock, renewed.expiresAt);
      const before = await taskOf(engine, id);
      await rejectsWith(engine.renew(renewed), "LEASE_EXPIRED", "renew at exactly expiresAt");
      await rejectsWith(engine.renew(lease, { leaseMs: 60_000 }), "LEASE_EXPIRED", "renew with the older lease object at expiresAt");
      same(await taskOf(engine, id), before, "the task after the rejected renewals");
    },
  }),
];

// ---------------------------------------------------------------------------------------------
// E7 complete

const completion: Check[] = [
  defineCheck({
    id: "E7.complete-once",
    rule: "E7",
    title: "complete settles once; repeating it with the same lease succeeds and changes nothing",
    requires: ["leases"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const id = await enqueueTask(engine, { queue, payload: { job: 1 } });
      const lease = await claimOne(engine, queue, { taskId: id });
      ctx.clock.advance(10);
      await succeeds(engine.complete(lease, { result: { answer: 42 } }), "complete");
      const done = await expectTask(
        engine,
        id,
        { state: "completed", result: { answer: 42 }, leaseExpiresAt: null, workerId: null, epoch: 1, attempt: 1 },
        "the completed task",
      );
      ctx.clock.advance(10);
      await succeeds(engine.complete(lease, { result: { answer: 42 } }), "the same complete repeated");
      await succeeds(engine.complete(lease, { result: "a different result" }), "complete repeated with another result");
      await succeeds(engine.complete(lease), "complete repeated without a result");
      same(await taskOf(engine, id), done, "the task after repeated completes (nothing may change)");
      await claimNothing(engine, queue, "a claim after the task completed");
    },
  }),
  defineCheck({
    id: "E7.no-settlement-after-complete",
    rule: "E7",
    title: "after complete, fail, release and renew with the same lease are INVALID_STATE",
    requires: ["leases"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const id = await enqueueTask(engine, { queue });
      const lease = await claimOne(engine, queue, { taskId: id });
      await succeeds(engine.complete(lease, { result: "done" }), "complete");
      const done = await taskOf(engine, id);
      await rejectsWith(engine.fail(lease, { error: "late" }), "INVALID_STATE", "fail after complete");
      await rejectsWith(engine.release(lease), "INVALID_STATE", "release after complete");
      await rejectsWith(engine.renew(lease), "INVALID_STATE", "renew after complete");
      same(await taskOf(engine, id), done, "the completed task after the rejected calls");
    },
  }),
  defineCheck({
    id: "E7.complete-after-fail",
    rule: "E7",
    title: "complete after fail (retry or dead) is INVALID_STATE",
    requires: ["leases"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const id = await enqueueTask(engine, { queue, maxAttempts: 2 });
      const first = await claimOne(engine, queue, { taskId: id });
      const retry = await succeeds(engine.fail(first, { error: "first" }), "fail at attempt 1 of 2");
      ensure(retry.outcome === "retry", `fail at attempt 1 of 2 must retry, got ${show(retry)}`);
      const scheduled = await taskOf(engine, id);
      await rejectsWith(engine.complete(first), "INVALID_STATE", "complete after a retried fail");
      same(await taskOf(engine, id), scheduled, "the task after the rejected complete");
      advanceTo(ctx.clock, retry.runAt);
      const second = await claimOne(engine, queue, { taskId: id });
      same(await succeeds(engine.fail(second, { error: "second" }), "fail at attempt 2 of 2"), { outcome: "dead" }, "fail at attempt 2 of 2");
      const dead = await taskOf(engine, id);
      await rejectsWith(engine.complete(second), "INVALID_STATE", "complete after a dead-lettering fail");
      same(await taskOf(engine, id), dead, "the dead task after the rejected complete");
    },
  }),
  defineCheck({
    id: "E7.complete-after-release",
    rule: "E7",
    title: "complete after release is INVALID_STATE; after the next claim it is STALE_LEASE",
    requires: ["leases"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const id = await enqueueTask(engine, { queue });
      const first = await claimOne(engine, queue, { taskId: id });
      await succeeds(engine.release(first), "release");
      await rejectsWith(engine.complete(first), "INVALID_STATE", "complete after release");
      const second = await claimOne(engine, queue, { taskId: id });
      await rejectsWith(engine.complete(first), "STALE_LEASE", "complete with the released lease after a new claim");
      await succeeds(engine.complete(second, { result: "second" }), "complete with the new lease");
      await expectTask(engine, id, { state: "completed", result: "second", epoch: second.epoch }, "the task after the new holder completed");
    },
  }),
  defineCheck({
    id: "E7.complete-after-reclaim",
    rule: "E7",
    title: "a reclaimed holder cannot complete: LEASE_EXPIRED, then STALE_LEASE once re-leased (SPEC §10.3)",
    requires: ["leases", "reclaim"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const id = await enqueueTask(engine, { queue });
      const first = await claimOne(engine, queue, { taskId: id });
      advanceTo(ctx.clock, first.expiresAt);
      const reclaimed = await succeeds(engine.reclaimExpired(), "reclaimExpired");
      same(reclaimed, { retried: [id], deadLettered: [] }, "reclaimExpired after the lease expired");
      const retried = await taskOf(engine, id);
      await rejectsWith(engine.complete(first), "LEASE_EXPIRED", "complete by the reclaimed holder");
      same(await taskOf(engine, id), retried, "the task after the rejected complete");
      advanceTo(ctx.clock, retried.runAt);
      const second = await claimOne(engine, queue, { taskId: id });
      await rejectsWith(engine.complete(first, { result: "stale" }), "STALE_LEASE", "complete by the reclaimed holder after a new claim");
      await succeeds(engine.complete(second, { result: "fresh" }), "complete by the new holder");
      await rejectsWith(engine.complete(first, { result: "stale" }), "STALE_LEASE", "complete by the reclaimed holder after the new holder completed");
      await expectTask(engine, id, { state: "completed", result: "fresh" }, "the task");
    },
  }),
];

// ---------------------------------------------------------------------------------------------
// E8 fail

/**
 * Claims and fails task `id` `count` times, each retry claimed at its runAt; returns each retry's
 * delay (runAt − the time of the fail).
 */
async function retryDelays(ctx: CheckContext, queue: string, id: string, count: number, maxAttempts: number): Promise<number[]> {
  const engine = ctx.backend.engine;
  const delays: number[] = [];
  for (let attempt = 1; attempt <= count; attempt++) {
    const lease = await claimOne(engine, queue, { taskId: id }, `claim for attempt ${attempt}`);
    const now = ctx.clock.now();
    const result = await succeeds(engine.fail(lease, { error: "boom" }), `fail at attempt ${attempt}`);
    ensure(result.outcome === "retry", `fail at attempt ${attempt} of ${maxAttempts} must retry, got ${show(result)}`);
    delays.push(result.runAt - now);
    advanceTo(ctx.clock, result.runAt);
  }
  return delays;
}

const failure: Check[] = [
  defineCheck({
    id: "E8.backoff-schedule",
    rule: "E8",
    title: "each retry is scheduled at now + min(baseMs·factor^(attempt−1), maxMs), claimable exactly then",
    requires: ["leases"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const id = await enqueueTask(engine, { queue, maxAttempts: 5, backoff: { baseMs: 100, factor: 3, maxMs: 1_000 } });
      const delays = [100, 300, 900, 1_000];
      for (const [index, delay] of delays.entries()) {
        const attempt = index + 1;
        const lease = await claimOne(engine, queue, { taskId: id }, `claim for attempt ${attempt}`);
        same(lease.attempt, attempt, `lease.attempt of claim ${attempt}`);
        ctx.clock.advance(7);
        const now = ctx.clock.now();
        const result = await succeeds(engine.fail(lease, { error: { attempt } }), `fail at attempt ${attempt}`);
        same(result, { outcome: "retry", runAt: now + delay }, `fail at attempt ${attempt} of 5 (backoff 100·3^${attempt - 1} capped at 1000)`);
        await expectTask(
          engine,
          id,
          { state: "scheduled", runAt: now + delay, attempt, lastError: { attempt }, leaseExpiresAt: null, workerId: null },
          `the task after fail at attempt ${attempt}`,
        );
        advanceTo(ctx.clock, now + delay - 1);
        await claimNothing(engine, queue, `a claim 1 ms before the retry of attempt ${attempt}`);
        ctx.clock.advance(1);
      }
      const last = await claimOne(engine, queue, { taskId: id }, "claim for attempt 5");
      same(last.attempt, 5, "lease.attempt of the last claim");
      same(await succeeds(engine.fail(last, { error: "last" }), "fail at attempt 5"), { outcome: "dead" }, "fail at attempt 5 of 5");
      await expectTask(engine, id, { state: "dead", attempt: 5, lastError: "last" }, "the task after its last attempt failed");
      await claimNothing(engine, queue, "a claim after the task died");
    },
  }),
  defineCheck({
    id: "E8.backoff-one-field-from-default",
    rule: "E8",
    title: "a backoff that differs from the default in one field only is used as given, not as the default",
    requires: ["leases"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const standard = DEFAULTS.backoff;
      const cases = [
        { backoff: { ...standard, factor: 3 }, delays: [1_000, 3_000] },
        { backoff: { ...standard, baseMs: 500 }, delays: [500, 1_000] },
        { backoff: { ...standard, maxMs: 1_500 }, delays: [1_000, 1_500] },
      ];
      for (const { backoff, delays } of cases) {
        const queue = ctx.unique("queue");
        const id = await enqueueTask(engine, { queue, maxAttempts: 3, backoff }, `enqueue with backoff ${show(backoff)}`);
        same(await retryDelays(ctx, queue, id, delays.length, 3), delays, `retry delays with backoff ${show(backoff)}`);
      }
    },
  }),
  defineCheck({
    id: "E8.default-backoff",
    rule: "E8",
    title: "without options, retries wait 1000, 2000, 4000… ms up to 300000 ms",
    requires: ["leases"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const id = await enqueueTask(engine, { queue, maxAttempts: 12 });
      same(
        await retryDelays(ctx, queue, id, 11, 12),
        [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 256_000, 300_000, 300_000],
        "retry delays of attempts 1..11",
      );
    },
  }),
  defineCheck({
    id: "E8.dead-at-max-attempts",
    rule: "E8",
    title: "fail at attempt = maxAttempts dead-letters with lastError",
    requires: ["leases"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const id = await enqueueTask(engine, { queue, maxAttempts: 1 });
      const lease = await claimOne(engine, queue, { taskId: id });
      const error = { message: "out of coffee", code: 7, nested: { list: [1, "two", null] } };
      same(await succeeds(engine.fail(lease, { error }), "fail"), { outcome: "dead" }, "fail at attempt 1 of 1");
      await expectTask(engine, id, { state: "dead", attempt: 1, lastError: error, leaseExpiresAt: null, workerId: null }, "the dead task");
      await claimNothing(engine, queue, "a claim after the task died");
    },
  }),
  defineCheck({
    id: "E8.not-retryable",
    rule: "E8",
    title: "fail with retryable: false dead-letters even with attempts left",
    requires: ["leases"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const id = await enqueueTask(engine, { queue, maxAttempts: 5 });
      const lease = await claimOne(engine, queue, { taskId: id });
      same(await succeeds(engine.fail(lease, { error: "fatal", retryable: false }), "fail"), { outcome: "dead" }, "fail with retryable: false at attempt 1 of 5");
      await expectTask(engine, id, { state: "dead", lastError: "fatal" }, "the task");
      const retryable = await enqueueTask(engine, { queue, maxAttempts: 5 });
      const other = await claimOne(engine, queue, { taskId: retryable });
      const result = await succeeds(engine.fail(other, { error: "transient", retryable: true }), "fail with retryable: true");
      same(result.outcome, "retry", "fail with retryable: true at attempt 1 of 5");
    },
  }),
];

// ---------------------------------------------------------------------------------------------
// E9 release

const releasing: Check[] = [
  defineCheck({
    id: "E9.release-keeps-attempt",
    rule: "E9",
    title: "release consumes no attempt: a task with maxAttempts 1 can be released again and again",
    requires: ["leases"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const id = await enqueueTask(engine, { queue, maxAttempts: 1 });
      for (let round = 1; round <= 3; round++) {
        const lease = await claimOne(engine, queue, { taskId: id }, `claim ${round}`);
        same({ attempt: lease.attempt, epoch: lease.epoch }, { attempt: 1, epoch: round }, `attempt and epoch of claim ${round}`);
        ctx.clock.advance(5);
        await succeeds(engine.release(lease), `release ${round}`);
        await expectTask(
          engine,
          id,
          { state: "ready", attempt: 1, runAt: ctx.clock.now(), leaseExpiresAt: null, workerId: null, lastError: null },
          `the task after release ${round}`,
        );
      }
      const last = await claimOne(engine, queue, { taskId: id }, "claim after three releases");
      same(last.attempt, 1, "attempt after three releases");
      same(await succeeds(engine.fail(last, { error: "x" }), "fail"), { outcome: "dead" }, "fail at attempt 1 of 1 after releases");
    },
  }),
  defineCheck({
    id: "E9.release-run-at",
    rule: "E9",
    title: "release with runAt schedules the task for then",
    requires: ["leases"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const id = await enqueueTask(engine, { queue });
      const lease = await claimOne(engine, queue, { taskId: id });
      const runAt = ctx.clock.now() + 500;
      await succeeds(engine.release(lease, { runAt }), "release with runAt");
      await expectTask(engine, id, { state: "scheduled", runAt, attempt: 1 }, "the released task");
      ctx.clock.advance(499);
      await claimNothing(engine, queue, "a claim 1 ms before the release's runAt");
      ctx.clock.advance(1);
      const again = await claimOne(engine, queue, { taskId: id }, "a claim at the release's runAt");
      same({ attempt: again.attempt, epoch: again.epoch }, { attempt: 1, epoch: 2 }, "the lease after a delayed release");
    },
  }),
  defineCheck({
    id: "E9.release-ready-time",
    rule: "E9",
    title: "a released task is ready from the release time, behind tasks ready earlier",
    requires: ["leases"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const first = await enqueueTask(engine, { queue });
      const second = await enqueueTask(engine, { queue });
      const lease = await claimOne(engine, queue, { taskId: first });
      ctx.clock.advance(10);
      await succeeds(engine.release(lease), "release");
      same(await claimInOrder(engine, queue, 2), [second, first], "claim order after the first task was released later");
    },
  }),
];

export const checks: Check[] = [...claimOrder, ...exclusivity, ...fencing, ...renewal, ...completion, ...failure, ...releasing];
