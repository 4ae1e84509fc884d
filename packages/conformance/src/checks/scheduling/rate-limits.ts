/**
 * Rate limits (E21): in any interval of perMs milliseconds of the backend's clock at most max
 * leases of the queue are granted (a sliding interval: a grant at g counts until g + perMs), and
 * queueStats reports nextGrantAt while the limit holds ready work back.
 */
import type { EngineBackend } from "@mooring/core";
import { type Check, defineCheck } from "../../registry.js";
import { advanceTo, claimNothing, claimOne, DUE_IN_MS, enqueueTask, ensure, expectWakeWhenDue, same, show, succeeds } from "../support/index.js";

const PER_MS = 1_000;

async function claimAll(engine: EngineBackend, queue: string, what: string): Promise<number> {
  return (await succeeds(engine.claim({ workerId: "w", queues: [queue], leaseMs: 600_000, limit: 10 }), what)).length;
}

export const checks: Check[] = [
  defineCheck({
    id: "E21.wait-wakes-when-interval-slides",
    rule: "E21",
    title: "waitForWork wakes when the rate interval slides past the last grant, with no write to announce it",
    requires: ["leases", "queueControl", "rateLimits", "notifications"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      await succeeds(engine.setQueue(queue, { rateLimit: { max: 1, perMs: DUE_IN_MS } }), "setQueue({ rateLimit: { max: 1, perMs: 50 } })");
      await enqueueTask(engine, { queue }, "enqueue the first task");
      await enqueueTask(engine, { queue }, "enqueue the second task");
      const grantedAt = ctx.clock.now();
      await claimOne(engine, queue, { leaseMs: 600_000 }, "the one grant the interval allows");
      await expectWakeWhenDue(engine, ctx.clock, queue, grantedAt + DUE_IN_MS, "the interval has slid past the grant");
      await claimOne(engine, queue, { leaseMs: 600_000 }, "the claim after the wake-up");
    },
  }),
  defineCheck({
    id: "E21.sliding-interval",
    rule: "E21",
    title: "at most max grants in any interval of perMs: grants just before a round boundary still count just after it",
    requires: ["leases", "queueControl", "rateLimits"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      same(
        await succeeds(engine.setQueue(queue, { rateLimit: { max: 2, perMs: PER_MS } }), "setQueue"),
        { queue, concurrency: null, paused: false, rateLimit: { max: 2, perMs: PER_MS } },
        "setQueue({ rateLimit: { max: 2, perMs: 1000 } })",
      );
      for (let i = 0; i < 6; i++) await enqueueTask(engine, { queue });
      // A fixed window would reset at each multiple of perMs: grant just before one.
      const boundary = (Math.floor(ctx.clock.now() / PER_MS) + 2) * PER_MS;
      const granted = boundary - 100;
      advanceTo(ctx.clock, granted);
      same(await claimAll(engine, queue, "claim 100 ms before a multiple of perMs"), 2, "leases granted by a claim of 10 under max 2");
      const stats = await succeeds(engine.queueStats(queue), "queueStats");
      same(stats.nextGrantAt, granted + PER_MS, "queueStats.nextGrantAt with the interval full and 4 tasks ready");
      advanceTo(ctx.clock, boundary + 100);
      await claimNothing(engine, queue, "a claim 200 ms after two grants, past a multiple of perMs (the interval slides, it does not reset)");
      advanceTo(ctx.clock, granted + PER_MS - 1);
      await claimNothing(engine, queue, "a claim 1 ms before the two grants leave the interval");
      advanceTo(ctx.clock, granted + PER_MS);
      same(await claimAll(engine, queue, "claim perMs after the two grants"), 2, "leases granted once the first two grants left the interval");
      same((await succeeds(engine.queueStats(queue), "queueStats")).nextGrantAt, granted + 2 * PER_MS, "queueStats.nextGrantAt after the second pair");
    },
  }),
  defineCheck({
    id: "E21.spread-grants",
    rule: "E21",
    title: "grants spread over the interval leave it one by one",
    requires: ["leases", "queueControl", "rateLimits"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const other = (await ctx.connect()).engine;
      const queue = ctx.unique("queue");
      await succeeds(engine.setQueue(queue, { rateLimit: { max: 3, perMs: PER_MS } }), "setQueue");
      for (let i = 0; i < 8; i++) await enqueueTask(engine, { queue });
      const start = ctx.clock.now();
      for (const [offset, client] of [
        [0, engine],
        [300, other],
        [600, engine],
      ] as const) {
        advanceTo(ctx.clock, start + offset);
        same(await succeeds(client.claim({ workerId: "w", queues: [queue], leaseMs: 600_000 }), `claim at +${offset}`).then((l) => l.length), 1, `leases at +${offset}`);
      }
      advanceTo(ctx.clock, start + 900);
      await claimNothing(other, queue, "a claim at +900 with grants at +0, +300, +600 and max 3");
      advanceTo(ctx.clock, start + PER_MS);
      same(await claimAll(other, queue, "claim at +1000"), 1, "leases at +1000 (only the grant at +0 left the interval)");
      advanceTo(ctx.clock, start + PER_MS + 299);
      await claimNothing(engine, queue, "a claim at +1299");
      advanceTo(ctx.clock, start + PER_MS + 300);
      same(await claimAll(engine, queue, "claim at +1300"), 1, "leases at +1300 (the grant at +300 left the interval)");
    },
  }),
  defineCheck({
    id: "E21.next-grant-at",
    rule: "E21",
    title: "nextGrantAt appears only while the limit holds ready work back; removing the limit grants at once",
    requires: ["leases", "queueControl", "rateLimits"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      await succeeds(engine.setQueue(queue, { rateLimit: { max: 1, perMs: 60_000 } }), "setQueue");
      await enqueueTask(engine, { queue });
      ensure(!("nextGrantAt" in (await succeeds(engine.queueStats(queue), "queueStats"))), "queueStats before any grant must not report nextGrantAt");
      const at = ctx.clock.now();
      same(await claimAll(engine, queue, "claim"), 1, "leases under max 1");
      const idle = await succeeds(engine.queueStats(queue), "queueStats");
      ensure(!("nextGrantAt" in idle), `queueStats with the interval full but nothing ready must not report nextGrantAt, got ${show(idle)}`);
      await enqueueTask(engine, { queue });
      same((await succeeds(engine.queueStats(queue), "queueStats")).nextGrantAt, at + 60_000, "nextGrantAt with one task held back");
      same(
        await succeeds(engine.setQueue(queue, { rateLimit: null }), "setQueue({ rateLimit: null })"),
        { queue, concurrency: null, paused: false },
        "removing the rate limit (the settings no longer carry rateLimit)",
      );
      same(await claimAll(engine, queue, "claim once the limit is removed"), 1, "leases once the rate limit is removed");
    },
  }),
];
