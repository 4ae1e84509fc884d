/**
 * Races (SPEC K3): several clients of one store, from `ctx.connect()`, call at once with
 * `Promise.all` and the outcome must be one a serial execution could give: each ready task to
 * exactly one claimer (E4), one terminal outcome per task (E7), each expiry counted once (E11), one
 * task per idempotency key (E2).
 *
 * The `*.scheduled-interleavings` properties drive one harness with fast-check's scheduler: every
 * call starts when the scheduler releases it and its result is delivered when the scheduler says,
 * so that interleavings of claim, complete, fail, release, clock advances and sweeps are explored
 * and shrunk, reproducibly from the seed (for in-process backends this is how K3's concurrency is
 * reached). Each property asserts its own rule's invariants over the recorded history.
 */
import { isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import { DEFAULTS, type Backend, type EngineBackend, type ErrorCode, type Lease, type ManualClock, type ReclaimResult, type TaskRecord } from "@mooring/core";
import { assertProperty } from "../../fast-check.js";
import { type Check, type CheckContext, defineCheck } from "../../registry.js";
import { enqueueTask, ensure, expectTask, outcomeOf, same, sameMembers, show, succeeds, taskOf } from "../support/index.js";

/** How many clients race: the check's own plus four more. */
const EXTRA_CLIENTS = 4;

/** The check's engine followed by the engines of `EXTRA_CLIENTS` more clients of the same store. */
async function racingEngines(ctx: CheckContext): Promise<EngineBackend[]> {
  const others: Backend[] = [];
  for (let i = 0; i < EXTRA_CLIENTS; i++) others.push(await ctx.connect());
  return [ctx.backend.engine, ...others.map((backend) => backend.engine)];
}

/** Tallies outcomes ("ok" or an error code) as `{ code: count }`. */
function tally(outcomes: readonly (ErrorCode | "ok")[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const outcome of outcomes) counts[outcome] = (counts[outcome] ?? 0) + 1;
  return counts;
}

const raceChecks: Check[] = [
  defineCheck({
    id: "E4.race-many-claimers",
    rule: "E4",
    title: "of five clients claiming at once, round after round, each task goes to exactly one",
    requires: ["leases"],
    kind: "race",
    async run(ctx) {
      const engines = await racingEngines(ctx);
      const queue = ctx.unique("queue");
      const ids = (await succeeds(ctx.backend.engine.enqueueMany(Array.from({ length: 60 }, (_, n) => ({ queue, payload: n }))), "enqueueMany")).map((r) => r.id);
      const granted: Lease[] = [];
      for (let round = 0; round < 100; round++) {
        const results = await Promise.all(
          engines.map((engine, client) =>
            succeeds(engine.claim({ workerId: `client-${client}`, queues: [queue], leaseMs: 60_000, limit: 1 + ((client + round) % 3) }), `claim by client ${client}`),
          ),
        );
        const leases = results.flat();
        granted.push(...leases);
        if (leases.length === 0) break;
      }
      const counts = new Map<string, number>();
      for (const lease of granted) counts.set(lease.taskId, (counts.get(lease.taskId) ?? 0) + 1);
      const twice = [...counts].filter(([, count]) => count > 1);
      same(twice, [], "tasks granted to more than one claimer (task, leases)");
      sameMembers([...counts.keys()], ids, "tasks granted over all rounds (every ready task, once)");
      same(
        granted.filter((lease) => lease.epoch !== 1).map((lease) => lease.taskId),
        [],
        "tasks whose only lease did not have epoch 1",
      );
    },
  }),
  defineCheck({
    id: "E7.race-same-complete",
    rule: "E7",
    title: "concurrent completes with the same lease all succeed and settle the task once",
    requires: ["leases"],
    kind: "race",
    async run(ctx) {
      const engines = await racingEngines(ctx);
      const queue = ctx.unique("queue");
      for (let task = 0; task < 5; task++) {
        const id = await enqueueTask(ctx.backend.engine, { queue });
        const [lease] = await succeeds(ctx.backend.engine.claim({ workerId: "holder", queues: [queue], leaseMs: 60_000 }), "claim");
        ensure(lease?.taskId === id, `the claim must return the task, got ${show(lease)}`);
        const outcomes = await Promise.all(engines.map((engine, client) => outcomeOf(engine.complete(lease, { result: { client } }))));
        same(tally(outcomes), { ok: engines.length }, `outcomes of ${engines.length} concurrent completes with one lease (a repeat is an idempotent success)`);
        const done = await expectTask(ctx.backend.engine, id, { state: "completed" }, "the task after concurrent completes");
        const offered = engines.map((_, client) => ({ client }));
        ensure(offered.some((result) => isDeepStrictEqual(result, done.result)), `the result must be one of the completes' results, got ${show(done.result)}`);
      }
    },
  }),
  defineCheck({
    id: "E7.race-settlements",
    rule: "E7",
    title: "of concurrent complete, fail and release with one lease, exactly one wins and the task shows it",
    requires: ["leases"],
    kind: "race",
    async run(ctx) {
      const engines = await racingEngines(ctx);
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      for (let round = 0; round < 12; round++) {
        const id = await enqueueTask(engine, { queue: `${queue}-${round}`, maxAttempts: 5 });
        const [lease] = await succeeds(engine.claim({ workerId: "holder", queues: [`${queue}-${round}`], leaseMs: 60_000 }), "claim");
        ensure(lease?.taskId === id, `the claim must return the task, got ${show(lease)}`);
        const pick = (offset: number): EngineBackend => engines[(round + offset) % engines.length] ?? engine;
        const contenders = [
          { kind: "complete", call: pick(0).complete(lease, { result: "won" }) },
          { kind: "fail", call: pick(1).fail(lease, { error: "lost?" }) },
          { kind: "release", call: pick(2).release(lease) },
          { kind: "complete", call: pick(3).complete(lease, { result: "won" }) },
        ];
        const outcomes = await Promise.all(contenders.map(async ({ kind, call }) => ({ kind, outcome: await outcomeOf(call) })));
        const succeeded = outcomes.filter((o) => o.outcome === "ok").map((o) => o.kind);
        const rejected = outcomes.filter((o) => o.outcome !== "ok").map((o) => o.outcome);
        const distinct = [...new Set(succeeded)];
        ensure(distinct.length === 1, `exactly one kind of settlement must win, got ${show(outcomes)}`);
        const [winner] = distinct as [string];
        // Both completes carry the winning lease: when one wins, the other is an idempotent repeat.
        same(succeeded.length, winner === "complete" ? 2 : 1, `successful settlements when ${winner} won, outcomes ${show(outcomes)}`);
        same([...new Set(rejected)].filter((code) => code !== "INVALID_STATE"), [], `codes of the losing settlements (INVALID_STATE), all outcomes ${show(outcomes)}`);
        const expectedState = winner === "complete" ? "completed" : winner === "fail" ? "scheduled" : "ready";
        same((await taskOf(engine, id)).state, expectedState, `the task's state after ${winner} won`);
      }
    },
  }),
  defineCheck({
    id: "E11.race-sweepers-and-claimers",
    rule: "E11",
    title: "concurrent sweepers and claimers count each expiry once and consume each attempt once",
    requires: ["leases", "reclaim"],
    kind: "race",
    async run(ctx) {
      const engines = await racingEngines(ctx);
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const retrying = (await succeeds(engine.enqueueMany(Array.from({ length: 24 }, () => ({ queue, maxAttempts: 2 }))), "enqueue retrying tasks")).map((r) => r.id);
      const dying = (await succeeds(engine.enqueueMany(Array.from({ length: 12 }, () => ({ queue, maxAttempts: 1 }))), "enqueue dying tasks")).map((r) => r.id);
      const leases = await succeeds(engine.claim({ workerId: "doomed", queues: [queue], leaseMs: 1_000, limit: 100 }), "claim all");
      same(leases.length, retrying.length + dying.length, "leases granted before the race");
      ctx.clock.advance(1_000);

      const sweeps: ReclaimResult[] = [];
      const claimed: Lease[] = [];
      const sweeper = async (client: EngineBackend): Promise<void> => {
        for (let i = 0; i < 50; i++) {
          const result = await succeeds(client.reclaimExpired({ limit: 5 }), "reclaimExpired");
          sweeps.push(result);
          if (result.retried.length + result.deadLettered.length === 0) return;
        }
      };
      const claimer = async (client: EngineBackend, worker: string): Promise<void> => {
        for (let i = 0; i < 10; i++) claimed.push(...(await succeeds(client.claim({ workerId: worker, queues: [queue], leaseMs: 1_000, limit: 4 }), "claim")));
      };
      await Promise.all(engines.map((client, index) => (index % 2 === 0 ? sweeper(client) : claimer(client, `claimer-${index}`))));

      same(
        claimed.map((lease) => lease.taskId),
        [],
        "tasks granted during the race (every retry waits for its backoff)",
      );
      const reported = sweeps.flatMap((result) => [...result.retried, ...result.deadLettered]);
      const duplicates = reported.filter((id, index) => reported.indexOf(id) !== index);
      same(duplicates, [], "tasks reported by more than one sweep");
      const retriedBySweeps = sweeps.flatMap((result) => result.retried);
      const deadBySweeps = sweeps.flatMap((result) => result.deadLettered);
      same(retriedBySweeps.filter((id) => !retrying.includes(id)), [], "tasks with attempts left reported as retried");
      same(deadBySweeps.filter((id) => !dying.includes(id)), [], "tasks on their last attempt reported as dead-lettered");
      for (const id of dying) await expectTask(engine, id, { state: "dead", lastError: DEFAULTS.leaseExpiredError }, "a task whose only attempt expired");
      for (const id of retrying) {
        await expectTask(engine, id, { state: "scheduled", attempt: 1, lastError: DEFAULTS.leaseExpiredError }, "a task whose first attempt expired");
      }

      ctx.clock.advance(DEFAULTS.backoff.maxMs);
      const retries = await succeeds(engine.claim({ workerId: "after", queues: [queue], leaseMs: 1_000, limit: 100 }), "claim the retries");
      sameMembers(
        retries.map((lease) => lease.taskId),
        retrying,
        "tasks claimable once the retries are due",
      );
      same(
        retries.filter((lease) => lease.attempt !== 2).map((lease) => ({ taskId: lease.taskId, attempt: lease.attempt })),
        [],
        "retries whose attempt is not 2 (one expiry, consumed once)",
      );
    },
  }),
  defineCheck({
    id: "E2.race-idempotent-enqueue",
    rule: "E2",
    title: "of concurrent enqueues with one idempotency key across clients, exactly one creates the task",
    requires: ["leases", "idempotency"],
    kind: "race",
    async run(ctx) {
      const engines = await racingEngines(ctx);
      const queue = ctx.unique("queue");
      for (let round = 0; round < 5; round++) {
        const key = ctx.unique("key");
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, n) => {
            const engine = engines[n % engines.length] ?? ctx.backend.engine;
            return n % 3 === 2
              ? succeeds(engine.enqueueMany([{ queue, payload: n, idempotencyKey: key }]), "enqueueMany").then(([result]) => result)
              : succeeds(engine.enqueue({ queue, payload: n, idempotencyKey: key }), "enqueue");
          }),
        );
        ensure(results.every((result) => result !== undefined), `every enqueue must return a result, got ${show(results)}`);
        const created = results.filter((result) => result?.created);
        same(created.length, 1, `enqueues that created a task for key round ${round}`);
        same(new Set(results.map((result) => result?.id)).size, 1, `distinct ids returned for one key in round ${round}`);
      }
      const leases = await succeeds(ctx.backend.engine.claim({ workerId: "w", queues: [queue], leaseMs: 1_000, limit: 100 }), "claim");
      same(leases.length, 5, "tasks in the queue after five raced keys");
    },
  }),
  defineCheck({
    id: "E20.race-key-limit",
    rule: "E20",
    title: "five clients claiming at once, round after round, never hold more than keyConcurrency leases of one key",
    requires: ["leases", "queueControl", "concurrencyKeys"],
    kind: "race",
    async run(ctx) {
      const engines = await racingEngines(ctx);
      const queue = ctx.unique("queue");
      const keys = Array.from({ length: 4 }, () => ctx.unique("key"));
      const limit = 2;
      await succeeds(ctx.backend.engine.setQueue(queue, { keyConcurrency: limit }), "setQueue");
      await succeeds(
        ctx.backend.engine.enqueueMany(Array.from({ length: 48 }, (_, n) => ({ queue, payload: n, concurrencyKey: keys[n % keys.length] as string }))),
        "enqueueMany",
      );
      const held = new Map<string, Lease[]>();
      let granted = 0;
      for (let round = 0; round < 60 && granted < 48; round++) {
        const results = await Promise.all(
          engines.map((engine, client) =>
            succeeds(engine.claim({ workerId: `client-${client}`, queues: [queue], leaseMs: 600_000, limit: 1 + ((client + round) % 3) }), `claim by client ${client}`),
          ),
        );
        for (const lease of results.flat()) {
          granted++;
          const key = lease.concurrencyKey ?? "(none)";
          const leases = [...(held.get(key) ?? []), lease];
          held.set(key, leases);
          ensure(leases.length <= limit, `round ${round}: key ${key} holds ${leases.length} unexpired leases with keyConcurrency ${limit}: ${show(leases.map((l) => l.taskId))}`);
        }
        // Every key gives back its oldest lease, from another client, so the next round races for the slot.
        await Promise.all(
          [...held].map(async ([key, leases], n) => {
            const [oldest, ...rest] = leases;
            if (oldest === undefined) return;
            await succeeds((engines[(round + n) % engines.length] as EngineBackend).complete(oldest), `complete a lease of ${key}`);
            held.set(key, rest);
          }),
        );
      }
      same(granted, 48, "tasks granted over all rounds (every task, once the keys gave slots back)");
    },
  }),
  defineCheck({
    id: "E21.race-rate-limit",
    rule: "E21",
    title: "five clients claiming at once are granted at most max leases per interval between them",
    requires: ["leases", "queueControl", "rateLimits"],
    kind: "race",
    async run(ctx) {
      const engines = await racingEngines(ctx);
      const queue = ctx.unique("queue");
      const max = 3;
      const perMs = 1_000;
      await succeeds(ctx.backend.engine.setQueue(queue, { rateLimit: { max, perMs } }), "setQueue");
      await succeeds(ctx.backend.engine.enqueueMany(Array.from({ length: 40 }, (_, n) => ({ queue, payload: n }))), "enqueueMany");
      for (let interval = 0; interval < 4; interval++) {
        const results = await Promise.all(
          engines.map((engine, client) =>
            succeeds(engine.claim({ workerId: `client-${client}`, queues: [queue], leaseMs: 600_000, limit: 1 + (client % 3) }), `claim by client ${client}`),
          ),
        );
        same(results.flat().length, max, `leases granted to ${engines.length} concurrent claimers in interval ${interval} (max ${max})`);
        const again = await Promise.all(engines.map((engine) => succeeds(engine.claim({ workerId: "late", queues: [queue], leaseMs: 600_000 }), "claim")));
        same(again.flat().length, 0, `leases granted by a second wave in interval ${interval}`);
        ctx.clock.advance(perMs);
      }
    },
  }),
];

// ---------------------------------------------------------------------------------------------
// Scheduled interleavings (fast-check)

type Settle = "complete" | "complete-twice" | "fail" | "release" | "hold";

interface WorkerPlan {
  /** One claim per entry, with its limit and what to do with each lease it gets (cycled). */
  readonly claims: readonly { readonly limit: number; readonly settles: readonly Settle[] }[];
}

interface InterleavingPlan {
  readonly tasks: number;
  readonly workers: readonly WorkerPlan[];
  readonly sweeps: readonly number[];
  /** Whether the clock jumps past every lease granted before the jump, at a scheduled moment. */
  readonly expire: boolean;
}

const LEASE_MS_IN_PLAN = 100;

const planArbitrary: fc.Arbitrary<InterleavingPlan> = fc.record({
  tasks: fc.integer({ min: 1, max: 4 }),
  workers: fc.array(
    fc.record({
      claims: fc.array(
        fc.record({
          limit: fc.integer({ min: 1, max: 2 }),
          settles: fc.array(fc.constantFrom<Settle>("complete", "complete-twice", "fail", "release", "hold"), { minLength: 1, maxLength: 2 }),
        }),
        { minLength: 1, maxLength: 2 },
      ),
    }),
    { minLength: 2, maxLength: 4 },
  ),
  sweeps: fc.array(fc.integer({ min: 1, max: 2 }), { maxLength: 2 }),
  expire: fc.boolean(),
});

interface SettleRecord {
  readonly kind: "complete" | "fail" | "release";
  readonly lease: Lease;
  /** The clock when the call started. */
  readonly startedAt: number;
  readonly outcome: ErrorCode | "ok";
}

interface History {
  readonly taskIds: readonly string[];
  readonly grants: { readonly lease: Lease; readonly batch: number }[];
  readonly settles: SettleRecord[];
  readonly sweeps: ReclaimResult[];
  /** The clock after the jump, when the plan expires leases. */
  readonly jumpedTo: number | null;
  readonly finals: Map<string, TaskRecord | null>;
}

/**
 * Runs `plan` on a fresh queue with every call gated by the scheduler, then records the final
 * task states. Afterwards it moves the clock on and sweeps, so that no lease of this run can
 * expire into the next run's history.
 */
async function runPlan(s: fc.Scheduler, engine: EngineBackend, clock: ManualClock, queue: string, plan: InterleavingPlan): Promise<History> {
  const taskIds: string[] = [];
  for (let i = 0; i < plan.tasks; i++) taskIds.push(await enqueueTask(engine, { queue, maxAttempts: 3 }));
  const history: History = { taskIds, grants: [], settles: [], sweeps: [], jumpedTo: null, finals: new Map() };
  let jumpedTo: number | null = null;

  /** Starts `call` when the scheduler releases `label`, and delivers its result when it says. */
  const scheduled = async <T>(label: string, call: () => Promise<T>): Promise<T> => {
    await s.schedule(Promise.resolve(label), label);
    const started = call();
    // The scheduler may deliver a rejection later than it happens; it is handled then, not lost.
    started.catch(() => undefined);
    return s.schedule(started, `${label} → result`);
  };
  const settle = async (kind: SettleRecord["kind"], lease: Lease, label: string): Promise<void> => {
    let startedAt = 0;
    const outcome = await outcomeOf(
      scheduled<unknown>(label, () => {
        startedAt = clock.now();
        if (kind === "complete") return engine.complete(lease, { result: label });
        if (kind === "fail") return engine.fail(lease, { error: label });
        return engine.release(lease);
      }),
    );
    history.settles.push({ kind, lease, startedAt, outcome });
  };

  let batch = 0;
  const worker = async (workerPlan: WorkerPlan, index: number): Promise<void> => {
    for (const [round, claim] of workerPlan.claims.entries()) {
      const leases = await scheduled(`w${index} claim ${round} (limit ${claim.limit})`, () =>
        engine.claim({ workerId: `w${index}`, queues: [queue], leaseMs: LEASE_MS_IN_PLAN, limit: claim.limit }),
      );
      const thisBatch = batch++;
      for (const lease of leases) history.grants.push({ lease, batch: thisBatch });
      await Promise.all(
        leases.map(async (lease, n) => {
          const what = claim.settles[n % claim.settles.length] ?? "hold";
          const label = `w${index} ${what} ${lease.taskId.slice(-6)}@${lease.epoch}`;
          if (what === "hold") return;
          if (what === "complete-twice") {
            await Promise.all([settle("complete", lease, `${label} #1`), settle("complete", lease, `${label} #2`)]);
          } else {
            await settle(what, lease, label);
          }
        }),
      );
    }
  };
  const sweeper = async (count: number, index: number): Promise<void> => {
    for (let i = 0; i < count; i++) history.sweeps.push(await scheduled(`sweeper ${index} sweep ${i}`, () => engine.reclaimExpired()));
  };
  const jump = async (): Promise<void> => {
    if (!plan.expire) return;
    await s.schedule(Promise.resolve("clock jump"), "clock jump");
    clock.advance(LEASE_MS_IN_PLAN);
    jumpedTo = clock.now();
  };

  try {
    await s.waitFor(Promise.all([...plan.workers.map(worker), ...plan.sweeps.map(sweeper), jump()]));
    for (const id of taskIds) history.finals.set(id, await engine.getTask(id));
  } finally {
    clock.advance(10 * LEASE_MS_IN_PLAN);
    for (let i = 0; i < 100; i++) {
      const swept = await succeeds(engine.reclaimExpired(), "cleanup sweep");
      if (swept.retried.length + swept.deadLettered.length === 0) break;
    }
  }
  return { ...history, jumpedTo };
}

/** Leases of one task ordered by epoch. */
function leasesByTask(history: History): Map<string, Lease[]> {
  const byTask = new Map<string, Lease[]>();
  for (const { lease } of history.grants) {
    const list = byTask.get(lease.taskId) ?? [];
    list.push(lease);
    byTask.set(lease.taskId, list);
  }
  for (const list of byTask.values()) list.sort((a, b) => a.epoch - b.epoch);
  return byTask;
}

const grantTime = (lease: Lease): number => lease.expiresAt - LEASE_MS_IN_PLAN;

/** E4: at no instant two unexpired leases for one task; epochs never reused. */
function checkExclusivity(history: History): void {
  for (const [taskId, leases] of leasesByTask(history)) {
    const epochs = leases.map((lease) => lease.epoch);
    same(new Set(epochs).size, epochs.length, `epochs granted for task ${taskId} (never twice the same)`);
    for (let i = 1; i < leases.length; i++) {
      const earlier = leases[i - 1] as Lease;
      const later = leases[i] as Lease;
      const expiredFirst = grantTime(later) >= earlier.expiresAt;
      const releasedFirst = history.settles.some((s) => s.kind === "release" && s.outcome === "ok" && s.lease.taskId === taskId && s.lease.epoch === earlier.epoch);
      ensure(
        expiredFirst || releasedFirst,
        `task ${taskId} got lease epoch ${later.epoch} while epoch ${earlier.epoch} was neither expired nor released: ${show({ earlier, later })}`,
      );
    }
  }
  for (const batch of new Set(history.grants.map((grant) => grant.batch))) {
    const ids = history.grants.filter((grant) => grant.batch === batch).map((grant) => grant.lease.taskId);
    same(new Set(ids).size, ids.length, `distinct tasks in one claim's result ${show(ids)}`);
  }
}

/** E7: per lease at most one kind of settlement succeeds; a completed task has one successful complete epoch and stays completed. */
function checkSingleOutcome(history: History): void {
  for (const taskId of history.taskIds) {
    const won = history.settles.filter((s) => s.lease.taskId === taskId && s.outcome === "ok");
    const completes = won.filter((s) => s.kind === "complete");
    const completeEpochs = new Set(completes.map((s) => s.lease.epoch));
    ensure(completeEpochs.size <= 1, `task ${taskId} was completed under two leases: ${show(completes)}`);
    for (const epoch of new Set(won.map((s) => s.lease.epoch))) {
      const kinds = new Set(won.filter((s) => s.lease.epoch === epoch).map((s) => s.kind));
      ensure(kinds.size === 1, `lease ${taskId}@${epoch} was settled in two ways: ${show([...kinds])}`);
    }
    const final = history.finals.get(taskId);
    if (completes.length > 0) {
      same(final?.state, "completed", `state of task ${taskId}, which a complete settled`);
      const [epoch] = completeEpochs;
      const later = history.grants.filter((g) => g.lease.taskId === taskId && g.lease.epoch > (epoch ?? 0));
      same(later.map((g) => g.lease.epoch), [], `leases granted for task ${taskId} after it completed`);
    } else {
      ensure(final?.state !== "completed", `task ${taskId} is completed although no complete succeeded: ${show(final)}`);
    }
  }
}

/** E11: each expiry reported once; an expired holder is fenced off; a reclaimed task shows the expiry. */
function checkReclaimOnce(history: History): void {
  const reported = history.sweeps.flatMap((result) => [...result.retried, ...result.deadLettered]).filter((id) => history.taskIds.includes(id));
  same(
    reported.filter((id, index) => reported.indexOf(id) !== index),
    [],
    "tasks reported by more than one sweep",
  );
  if (history.jumpedTo === null) same(reported, [], "tasks reclaimed although the clock never reached any expiry");
  for (const late of history.settles.filter((s) => s.outcome === "ok" && s.startedAt >= s.lease.expiresAt)) {
    // The one success allowed after expiry: repeating the complete that settled the task (E7).
    const sameLease = (s: SettleRecord): boolean => s.lease.taskId === late.lease.taskId && s.lease.epoch === late.lease.epoch;
    const repeat =
      late.kind === "complete" &&
      history.settles.some((s) => s !== late && sameLease(s) && s.kind === "complete" && s.outcome === "ok" && s.startedAt < s.lease.expiresAt);
    ensure(repeat, `a ${late.kind} that started at ${late.startedAt}, at or after its lease expired (${late.lease.expiresAt}), succeeded`);
  }
  for (const id of new Set(reported)) {
    const final = history.finals.get(id);
    ensure(
      final?.lastError === DEFAULTS.leaseExpiredError && final.state === "scheduled",
      `task ${id}, reclaimed by a sweep, must be scheduled with lastError "lease expired" (one of three attempts used), got ${show(final)}`,
    );
  }
}

function interleavingCheck(rule: "E4" | "E7" | "E11", title: string, verify: (history: History) => void): Check {
  return defineCheck({
    id: `${rule}.scheduled-interleavings`,
    rule,
    title,
    requires: ["leases", "reclaim"],
    kind: "property",
    async run(ctx) {
      const engine = ctx.backend.engine;
      await assertProperty(
        ctx,
        fc.asyncProperty(fc.scheduler(), planArbitrary, async (s, plan) => {
          verify(await runPlan(s, engine, ctx.clock, ctx.unique("queue"), plan));
        }),
        { scale: 0.5 },
      );
    },
  });
}

const interleavings: Check[] = [
  interleavingCheck("E4", "under scheduled interleavings of claims, settlements, sweeps and expiry, no task has two live leases", checkExclusivity),
  interleavingCheck("E7", "under scheduled interleavings, each lease is settled at most one way and a completed task stays completed", checkSingleOutcome),
  interleavingCheck("E11", "under scheduled interleavings, each expiry is reclaimed once and expired holders are fenced off", checkReclaimOnce),
];

/**
 * A reclaimed holder and the task's new holder complete at the same moment. A backend that batches
 * the calls of one moment must still tell the two leases apart by epoch: only the current one may
 * complete (SPEC E5, E7), whichever call comes first and whichever client makes it.
 */
const staleAndCurrentTogether = defineCheck({
  id: "E7.stale-and-current-complete-together",
  rule: "E7",
  title: "a reclaimed holder's complete issued together with the new holder's: only the new one completes the task",
  requires: ["leases", "reclaim"],
  kind: "race",
  async run(ctx) {
    const [engine, other] = await racingEngines(ctx);
    ensure(engine && other, "kit bug: two clients expected");
    const queue = ctx.unique("together");
    const leaseMs = 1000;
    for (const [first, second, staleFirst] of [
      [engine, engine, true],
      [engine, engine, false],
      [engine, other, true],
      [other, engine, false],
    ] as const) {
      const id = await enqueueTask(engine, { queue, maxAttempts: 5, backoff: { baseMs: 1 } });
      const [stale] = await succeeds(engine.claim({ workerId: "stale", queues: [queue], leaseMs }), "first claim");
      ensure(stale?.taskId === id, `the first claim should lease ${id}, got ${show(stale)}`);
      ctx.clock.advance(leaseMs);
      const reclaimed = await succeeds(engine.reclaimExpired(), "reclaimExpired");
      ensure(reclaimed.retried.includes(id), `reclaimExpired should retry ${id}, got ${show(reclaimed)}`);
      ctx.clock.advance(1);
      const [current] = await succeeds(engine.claim({ workerId: "current", queues: [queue], leaseMs }), "second claim");
      ensure(current?.taskId === id && current.epoch > stale.epoch, `the second claim should lease ${id} again, got ${show(current)}`);
      const [a, b] = staleFirst ? [stale, current] : [current, stale];
      const [outcomeA, outcomeB] = await Promise.all([outcomeOf(first.complete(a)), outcomeOf(second.complete(b))]);
      const staleOutcome = staleFirst ? outcomeA : outcomeB;
      const currentOutcome = staleFirst ? outcomeB : outcomeA;
      same({ stale: staleOutcome, current: currentOutcome }, { stale: "STALE_LEASE", current: "ok" }, "outcomes of the stale and the current complete");
      await expectTask(engine, id, { state: "completed", epoch: current.epoch }, "the task after both completes");
    }
  },
});

export const checks: Check[] = [...raceChecks, staleAndCurrentTogether, ...interleavings];
