/**
 * Reclaim: an expired lease consumes its attempt, by sweep or lazily at claim, exactly at
 * now = expiresAt (E10; SPEC §10.5, §10.10); each expiry is counted once, a renewed lease is never
 * reclaimed and the old holder is fenced off (E11; SPEC §10.3, §10.6).
 */
import { DEFAULTS, type EngineBackend, type Lease } from "@mooring/core";
import { type Check, type CheckContext, defineCheck } from "../../registry.js";
import { advanceTo, claimNothing, claimOne, enqueueTask, ensure, expectTask, leaseBacklog, rejectsWith, same, sameMembers, show, succeeds, taskOf } from "../support/index.js";

const EXPIRED = DEFAULTS.leaseExpiredError;

/** Claims the task and lets its lease expire: the clock ends at exactly `expiresAt`. */
async function claimAndExpire(ctx: CheckContext, engine: EngineBackend, queue: string, taskId: string, what: string): Promise<Lease> {
  const lease = await claimOne(engine, queue, { taskId }, what);
  advanceTo(ctx.clock, lease.expiresAt);
  return lease;
}

/** Enqueues `count` tasks of `maxAttempts`, leases them all in one claim and lets the leases expire. */
async function expiredLeases(ctx: CheckContext, queue: string, count: number, maxAttempts: number): Promise<string[]> {
  const engine = ctx.backend.engine;
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push(await enqueueTask(engine, { queue, maxAttempts }));
  const leases = await succeeds(engine.claim({ workerId: "w", queues: [queue], leaseMs: 1_000, limit: count }), `claim ${count}`);
  same(leases.length, count, "leases granted");
  ctx.clock.advance(1_000);
  return ids;
}

const expiry: Check[] = [
  defineCheck({
    id: "E10.expiry-consumes-attempt",
    rule: "E10",
    title: "each expiry swept by reclaimExpired consumes an attempt, retries with backoff and dead-letters the last",
    requires: ["leases", "reclaim"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const id = await enqueueTask(engine, { queue, maxAttempts: 3, backoff: { baseMs: 100, factor: 2, maxMs: 10_000 } });
      for (const [index, delay] of [100, 200].entries()) {
        const attempt = index + 1;
        const lease = await claimAndExpire(ctx, engine, queue, id, `claim for attempt ${attempt}`);
        same({ attempt: lease.attempt, epoch: lease.epoch }, { attempt, epoch: attempt }, `the lease of attempt ${attempt}`);
        same(await succeeds(engine.reclaimExpired(), "reclaimExpired"), { retried: [id], deadLettered: [] }, `reclaimExpired after attempt ${attempt} expired`);
        const runAt = ctx.clock.now() + delay;
        await expectTask(
          engine,
          id,
          { state: "scheduled", attempt, runAt, lastError: EXPIRED, leaseExpiresAt: null, workerId: null },
          `the task after attempt ${attempt} expired`,
        );
        advanceTo(ctx.clock, runAt);
      }
      await claimAndExpire(ctx, engine, queue, id, "claim for attempt 3");
      same(await succeeds(engine.reclaimExpired(), "reclaimExpired"), { retried: [], deadLettered: [id] }, "reclaimExpired after the last attempt expired");
      await expectTask(engine, id, { state: "dead", attempt: 3, lastError: EXPIRED }, "the task after its last attempt expired");
      ctx.clock.advance(DEFAULTS.backoff.maxMs);
      await claimNothing(engine, queue, "a claim after the task died of expiries");
    },
  }),
  defineCheck({
    id: "E10.worker-always-dies",
    rule: "E10",
    title: "a task whose worker always dies is dead after maxAttempts leases, with no sweeper running (SPEC §10.5)",
    requires: ["leases"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const id = await enqueueTask(engine, { queue, maxAttempts: 3 });
      const attempts: number[] = [];
      for (let round = 0; round < 10; round++) {
        const leases = await succeeds(engine.claim({ workerId: `doomed-${round}`, queues: [queue], leaseMs: 1_000 }), `claim in round ${round}`);
        const [lease] = leases;
        if (lease) {
          attempts.push(lease.attempt);
          // The worker dies holding the lease: nobody renews or settles it.
          advanceTo(ctx.clock, lease.expiresAt);
        } else {
          ctx.clock.advance(DEFAULTS.backoff.maxMs);
        }
      }
      same(attempts, [1, 2, 3], "attempts of the leases granted to workers that all died");
      await expectTask(engine, id, { state: "dead", attempt: 3, lastError: EXPIRED }, "the task after three expiries reclaimed by claims");
    },
  }),
  defineCheck({
    id: "E10.reclaim-result",
    rule: "E10",
    title: "reclaimExpired returns exactly the expired leases, retried or dead-lettered, and leaves live ones",
    requires: ["leases", "reclaim"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const retry = await enqueueTask(engine, { queue, maxAttempts: 3 });
      const last = await enqueueTask(engine, { queue, maxAttempts: 1 });
      const live = await enqueueTask(engine, { queue });
      await claimOne(engine, queue, { taskId: retry, leaseMs: 1_000 });
      await claimOne(engine, queue, { taskId: last, leaseMs: 1_000 });
      const liveLease = await claimOne(engine, queue, { taskId: live, leaseMs: 5_000 });
      same(await succeeds(engine.reclaimExpired(), "reclaimExpired before any expiry"), { retried: [], deadLettered: [] }, "reclaimExpired with no expired lease");
      ctx.clock.advance(1_000);
      same(await succeeds(engine.reclaimExpired(), "reclaimExpired"), { retried: [retry], deadLettered: [last] }, "reclaimExpired after two of three leases expired");
      await expectTask(engine, retry, { state: "scheduled", lastError: EXPIRED, attempt: 1 }, "the retried task");
      await expectTask(engine, last, { state: "dead", lastError: EXPIRED, attempt: 1 }, "the dead-lettered task");
      await expectTask(engine, live, { state: "leased", leaseExpiresAt: liveLease.expiresAt }, "the task whose lease is still live");
      await succeeds(engine.complete(liveLease), "complete of the live lease after the sweep");
    },
  }),
  defineCheck({
    id: "E10.reclaim-limit",
    rule: "E10",
    title: "reclaimExpired({ limit }) reclaims at most limit leases per call, the rest on later calls",
    requires: ["leases", "reclaim"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const ids = await expiredLeases(ctx, queue, 5, DEFAULTS.maxAttempts);
      const seen: string[] = [];
      const sizes: number[] = [];
      for (let call = 0; call < 4; call++) {
        const result = await succeeds(engine.reclaimExpired({ limit: 2 }), `reclaimExpired({ limit: 2 }) call ${call + 1}`);
        same(result.deadLettered, [], `deadLettered of call ${call + 1}`);
        sizes.push(result.retried.length);
        seen.push(...result.retried);
      }
      same(sizes, [2, 2, 1, 0], "tasks reclaimed per call with limit 2 over 5 expired leases");
      sameMembers(seen, ids, "every expired task reclaimed once over the calls");
    },
  }),
  defineCheck({
    id: "E10.reclaim-limit-dead-letters",
    rule: "E10",
    title: "reclaimExpired({ limit }) counts dead-lettered leases against the limit as well as retried ones",
    requires: ["leases", "reclaim"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const ids = await expiredLeases(ctx, queue, 3, 1);
      const first = await succeeds(engine.reclaimExpired({ limit: 2 }), "reclaimExpired({ limit: 2 })");
      same({ retried: first.retried.length, deadLettered: first.deadLettered.length }, { retried: 0, deadLettered: 2 }, "leases reclaimed by limit 2 over 3 expired leases on their last attempt");
      const second = await succeeds(engine.reclaimExpired({ limit: 2 }), "the second reclaimExpired({ limit: 2 })");
      sameMembers([...first.deadLettered, ...second.deadLettered], ids, "every expired task dead-lettered once over the two calls");
    },
  }),
  defineCheck({
    id: "E10.claim-reclaim-cap",
    rule: "E10",
    title: "a claim reclaims at most 100 expired leases of its queues; the rest wait for the next claim or sweep",
    requires: ["leases", "reclaim"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const count = DEFAULTS.reclaimLimit + 1;
      await leaseBacklog(engine, queue, count, 1_000);
      ctx.clock.advance(1_000);
      // Each reclaimed task had its one attempt and is dead, so this claim grants nothing.
      await claimNothing(engine, queue, `the claim when ${count} leases have expired`);
      const rest = await succeeds(engine.reclaimExpired({ limit: count }), "reclaimExpired after the claim");
      ensure(
        rest.retried.length + rest.deadLettered.length >= 1,
        `a claim reclaims at most ${DEFAULTS.reclaimLimit} expired leases, so at least 1 of ${count} was left for reclaimExpired, which found none`,
      );
    },
  }),
  defineCheck({
    id: "E10.claim-reclaim-oldest-across-queues",
    rule: "E10",
    title: "a claim over several queues reclaims their expired leases oldest expiry first across the queues, within its cap of 100",
    requires: ["leases"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      // The oldest lease is in the queue the claim names first; 100 younger ones in the second.
      const first = ctx.unique("first");
      const second = ctx.unique("second");
      const oldest = await enqueueTask(engine, { queue: first, maxAttempts: 1 });
      const start = ctx.clock.now();
      await claimOne(engine, first, { taskId: oldest, leaseMs: 1_000 }, "claim the task whose lease expires first");
      const count = DEFAULTS.reclaimLimit;
      await leaseBacklog(engine, second, count, 2_000);
      advanceTo(ctx.clock, start + 2_000);
      await claimNothing(engine, [first, second], `a claim over both queues once ${count + 1} leases expired`);
      await expectTask(engine, oldest, { state: "dead" }, `the task whose lease expired first (in the first queue), after a claim that could reclaim ${count} of ${count + 1}`);
    },
  }),
  defineCheck({
    id: "E10.sweep-boundary",
    rule: "E10",
    title: "reclaimExpired takes a lease at exactly now = expiresAt and not 1 ms before (SPEC §10.10)",
    requires: ["leases", "reclaim"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const id = await enqueueTask(engine, { queue });
      const lease = await claimOne(engine, queue, { taskId: id });
      advanceTo(ctx.clock, lease.expiresAt - 1);
      same(await succeeds(engine.reclaimExpired(), "reclaimExpired 1 ms before expiry"), { retried: [], deadLettered: [] }, "reclaimExpired 1 ms before expiry");
      await expectTask(engine, id, { state: "leased", epoch: 1, attempt: 1 }, "the task 1 ms before expiry");
      ctx.clock.advance(1);
      same(await succeeds(engine.reclaimExpired(), "reclaimExpired at expiry"), { retried: [id], deadLettered: [] }, "reclaimExpired at exactly expiresAt");
    },
  }),
  defineCheck({
    id: "E10.claim-boundary",
    rule: "E10",
    title: "claim reclaims an expired lease at exactly now = expiresAt and not 1 ms before, with no sweeper (SPEC §10.10)",
    requires: ["leases"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const id = await enqueueTask(engine, { queue, backoff: { baseMs: 1, factor: 1, maxMs: 1 } });
      const lease = await claimOne(engine, queue, { taskId: id });
      advanceTo(ctx.clock, lease.expiresAt - 1);
      await claimNothing(engine, queue, "a claim 1 ms before expiry");
      await expectTask(engine, id, { state: "leased", attempt: 1, lastError: null }, "the task after a claim 1 ms before expiry");
      ctx.clock.advance(1);
      await expectTask(engine, id, { state: "leased", leaseExpiresAt: lease.expiresAt }, "the expired task before any claim or sweep");
      await claimNothing(engine, queue, "the claim at expiry (it reclaims; the retry waits 1 ms of backoff)");
      await expectTask(
        engine,
        id,
        { state: "scheduled", attempt: 1, lastError: EXPIRED, runAt: lease.expiresAt + 1, leaseExpiresAt: null },
        "the task after a claim at exactly expiresAt",
      );
      ctx.clock.advance(1);
      const next = await claimOne(engine, queue, { taskId: id }, "the claim after the backoff");
      same({ attempt: next.attempt, epoch: next.epoch }, { attempt: 2, epoch: 2 }, "the lease after a claim-side reclaim");
    },
  }),
];

const exactlyOnce: Check[] = [
  defineCheck({
    id: "E11.reclaimed-once",
    rule: "E11",
    title: "an expiry is reclaimed once: later sweeps return nothing and the attempt is consumed once",
    requires: ["leases", "reclaim"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const a = await enqueueTask(engine, { queue, maxAttempts: 2 });
      const b = await enqueueTask(engine, { queue, maxAttempts: 2 });
      await succeeds(engine.claim({ workerId: "w", queues: [queue], leaseMs: 1_000, limit: 2 }), "claim both");
      ctx.clock.advance(1_000);
      const first = await succeeds(engine.reclaimExpired(), "first sweep");
      sameMembers(first.retried, [a, b], "retried of the first sweep");
      same(first.deadLettered, [], "deadLettered of the first sweep");
      same(await succeeds(engine.reclaimExpired(), "second sweep"), { retried: [], deadLettered: [] }, "a second sweep at the same instant");
      ctx.clock.advance(500);
      same(await succeeds(engine.reclaimExpired(), "third sweep"), { retried: [], deadLettered: [] }, "a sweep 500 ms later");
      ctx.clock.advance(DEFAULTS.backoff.maxMs);
      same(await succeeds(engine.reclaimExpired(), "fourth sweep"), { retried: [], deadLettered: [] }, "a sweep once the retries are due");
      const leases = await succeeds(engine.claim({ workerId: "w", queues: [queue], leaseMs: 1_000, limit: 2 }), "claim the retries");
      same(
        leases.map((lease) => lease.attempt),
        [2, 2],
        "attempts of the retries (one expiry each, consumed once)",
      );
    },
  }),
  defineCheck({
    id: "E11.renewed-not-reclaimed",
    rule: "E11",
    title: "a lease renewed before expiry is never reclaimed, by sweep or claim",
    requires: ["leases", "reclaim"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const id = await enqueueTask(engine, { queue });
      const lease = await claimOne(engine, queue, { taskId: id, leaseMs: 1_000 });
      ctx.clock.advance(900);
      const renewed = await succeeds(engine.renew(lease, { leaseMs: 1_000 }), "renew");
      advanceTo(ctx.clock, lease.expiresAt);
      same(await succeeds(engine.reclaimExpired(), "sweep at the original expiry"), { retried: [], deadLettered: [] }, "a sweep at the original expiry");
      await claimNothing(engine, queue, "a claim at the original expiry");
      advanceTo(ctx.clock, renewed.expiresAt - 1);
      same(await succeeds(engine.reclaimExpired(), "sweep 1 ms before the renewed expiry"), { retried: [], deadLettered: [] }, "a sweep 1 ms before the renewed expiry");
      await succeeds(engine.complete(renewed, { result: "kept" }), "complete by the renewed holder");
      await expectTask(engine, id, { state: "completed", attempt: 1, lastError: null }, "the task");
    },
  }),
  defineCheck({
    id: "E11.old-holder-fenced",
    rule: "E11",
    title: "after a reclaim the old holder's calls fail: LEASE_EXPIRED, then STALE_LEASE once re-leased (SPEC §10.3, §10.6)",
    requires: ["leases", "reclaim"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const id = await enqueueTask(engine, { queue });
      const old = await claimAndExpire(ctx, engine, queue, id, "first claim");
      same(await succeeds(engine.reclaimExpired(), "sweep"), { retried: [id], deadLettered: [] }, "the sweep");
      const reclaimed = await taskOf(engine, id);
      await rejectsWith(engine.renew(old), "LEASE_EXPIRED", "renew by the reclaimed holder");
      await rejectsWith(engine.complete(old), "LEASE_EXPIRED", "complete by the reclaimed holder");
      await rejectsWith(engine.fail(old, { error: "late" }), "LEASE_EXPIRED", "fail by the reclaimed holder");
      await rejectsWith(engine.release(old), "LEASE_EXPIRED", "release by the reclaimed holder");
      same(await taskOf(engine, id), reclaimed, "the task after the reclaimed holder's rejected calls");
      advanceTo(ctx.clock, reclaimed.runAt);
      const current = await claimOne(engine, queue, { taskId: id }, "the claim after the retry is due");
      await rejectsWith(engine.renew(old), "STALE_LEASE", "renew by the old holder after a new claim");
      await rejectsWith(engine.complete(old), "STALE_LEASE", "complete by the old holder after a new claim");
      await rejectsWith(engine.fail(old, { error: "late" }), "STALE_LEASE", "fail by the old holder after a new claim");
      await rejectsWith(engine.release(old), "STALE_LEASE", "release by the old holder after a new claim");
      await expectTask(engine, id, { state: "leased", epoch: current.epoch, leaseExpiresAt: current.expiresAt }, "the task held by the new holder");
      await succeeds(engine.complete(current, { result: "new holder" }), "complete by the new holder");
    },
  }),
  defineCheck({
    id: "E11.claim-and-sweep-agree",
    rule: "E11",
    title: "an expiry reclaimed by a claim is not counted again by a sweep, nor a swept one by a claim",
    requires: ["leases", "reclaim"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const byClaim = await enqueueTask(engine, { queue, maxAttempts: 3 });
      const old = await claimAndExpire(ctx, engine, queue, byClaim, "claim of the first task");
      await claimNothing(engine, queue, "the claim that reclaims the first task");
      const afterClaim = await taskOf(engine, byClaim);
      ensure(afterClaim.state === "scheduled", `a claim at expiry must reclaim the lease, the task reads ${show(afterClaim)}`);
      same(await succeeds(engine.reclaimExpired(), "a sweep after the claim reclaimed"), { retried: [], deadLettered: [] }, "a sweep after a claim reclaimed");
      advanceTo(ctx.clock, afterClaim.runAt);
      const next = await claimOne(engine, queue, { taskId: byClaim }, "the claim of the retry");
      same(next.attempt, 2, "attempt after one expiry reclaimed by a claim");
      await rejectsWith(engine.complete(old), "STALE_LEASE", "complete by the holder whose lease a claim reclaimed");
      await succeeds(engine.complete(next), "complete of the retry");

      const bySweep = await enqueueTask(engine, { queue, maxAttempts: 3 });
      await claimAndExpire(ctx, engine, queue, bySweep, "claim of the second task");
      same(await succeeds(engine.reclaimExpired(), "the sweep"), { retried: [bySweep], deadLettered: [] }, "the sweep of the second task");
      const swept = await taskOf(engine, bySweep);
      await claimNothing(engine, queue, "a claim after the sweep, before the retry is due");
      same(await taskOf(engine, bySweep), swept, "the swept task after a claim (nothing consumed again)");
      advanceTo(ctx.clock, swept.runAt);
      same((await claimOne(engine, queue, { taskId: bySweep })).attempt, 2, "attempt after one expiry reclaimed by a sweep");
    },
  }),
];

export const checks: Check[] = [...expiry, ...exactlyOnce];
