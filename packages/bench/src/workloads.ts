/**
 * The workloads: each opens nothing itself, receives a fresh session of one target, sets up what it
 * needs outside the clock (pre-filled queues, runs, keys), warms up, and measures.
 *
 * Sizes are counts of calls, with a deadline per phase as a safety net for slow targets; the two
 * profiles (`full`, `quick`) are below, and every size is printed and saved with the results.
 */
import {
  LatencyRecorder,
  type LatencySummary,
  type Operation,
  type PhasePlan,
  type PhaseResult,
  collectGarbage,
  ratePerSecond,
  runPhase,
  warmUpAndMeasure,
} from "./harness.js";
import { payloadBatch, prefillQueue, queueDrain, workerName } from "./drain.js";
import type {
  ClaimedTask,
  DrainOperations,
  DrainPlan,
  DrainResult,
  EventOperations,
  FillResult,
  KeyValueOperations,
  QueueOperations,
  ServerCounters,
  TargetSession,
} from "./targets/target.js";
import type { WorkloadId } from "./workload-ids.js";

export { prefillQueue } from "./drain.js";

export { WORKLOAD_IDS, type WorkloadId } from "./workload-ids.js";

/** The size of one workload's run. */
export interface WorkloadSize {
  /** Calls of the warm-up phase, whose figures are discarded (for a drain: jobs of a warm-up drain). */
  readonly warmUpCalls: number;
  /** Calls of the measured phase (for a drain: jobs drained). */
  readonly calls: number;
  /** Deadline of each phase, in milliseconds. */
  readonly maxMs: number;
  /** Items per call: tasks per enqueueMany or per claim, events per append. */
  readonly batch: number;
  /** Ready tasks kept in the queue during a latency workload; runs or keys addressed otherwise. */
  readonly depth: number;
}

/** The sizes of one workload for one target, with the concurrency it runs at. */
export interface WorkloadSettings extends WorkloadSize {
  readonly concurrency: number;
}

/** A bulk load outside the clock, reported because it is a bulk-enqueue figure too. */
export type PrefillResult = FillResult;

/** What a drain adds to its measurement (see `drainWorkload`). */
export interface DrainFigures {
  /** From the start of the workers to the first confirmed completion (start-up, first fetch). */
  readonly startToFirstMs: number | null;
  /** From the first confirmed completion to the last: the span the rate is computed over. */
  readonly firstToLastMs: number | null;
  /**
   * Jobs per second from the start of the workers to the last completion: includes start-up and
   * the first fetch, which the main rate leaves out (and which a batch mode makes long).
   */
  readonly fromStartPerSec: number | null;
  /** Fetches (claims) per completed job, when the target counts them. */
  readonly fetchesPerJob: number | null;
  /** How the target ran the drain (mode, batch sizes). */
  readonly settings: Readonly<Record<string, string>>;
  /** The server's side of the drain, from its counters before and after; null without counters. */
  readonly server: ServerShare | null;
  /**
   * The first→last rate of every measured round, in the order they ran; the row's figures are
   * those of the round with the median rate.
   */
  readonly roundRates: readonly (number | null)[];
}

/** Server counters over a measured phase. */
export interface ServerShare {
  /** Server CPU time over the phase's wall time, in percent (100 = one core busy). */
  readonly cpuPercent: number | null;
  /** Server CPU time per job, in microseconds. */
  readonly cpuMicrosPerJob: number | null;
  readonly cpuScope: string;
  /** Server operations (commands, transactions) per job. */
  readonly operationsPerJob: number | null;
  readonly operationsUnit: string;
}

export interface WorkloadMeasurement {
  readonly calls: number;
  readonly items: number;
  readonly elapsedMs: number;
  /** CPU time of the process during the measured phase (see `PhaseResult.cpuMs`). */
  readonly cpuMs: number;
  readonly truncated: boolean;
  /** Items (tasks, events, keys) per second; null where a rate means nothing (latency workloads). */
  readonly itemsPerSec: number | null;
  readonly callsPerSec: number | null;
  /**
   * Items per second of this process's CPU time: less sensitive than `itemsPerSec` to other
   * processes sharing the machine, for targets that do not wait on I/O or a server.
   */
  readonly itemsPerCpuSec: number | null;
  /** Per call; for the latency workloads, of the claim alone. */
  readonly latency: LatencySummary | null;
  /** The latency workloads: claim + complete of one task; drains: one worker cycle. */
  readonly cycleLatency?: LatencySummary | null;
  readonly prefill?: PrefillResult;
  readonly drain?: DrainFigures;
}

export interface WorkloadDefinition {
  readonly id: WorkloadId;
  readonly title: (size: WorkloadSize) => string;
  /** What the items of `itemsPerSec` are. */
  readonly unit: "tasks" | "events" | "keys";
  /**
   * The facet of the session it needs; targets without it skip the workload. A drain runs on a
   * peer's `drain` facet or, for Mooring targets and baselines, on `queue`.
   */
  readonly facet: "queue" | "events" | "kv" | "drain";
  /**
   * The concurrency the workload always runs at, whatever `--concurrency` and the target's default
   * say: a drain is a pairing at a stated concurrency, and a claim latency is that of one worker.
   */
  readonly concurrency?: number;
  /** Why `session` cannot run the workload with `settings` (beyond a missing facet), or null. */
  unsupported?(session: TargetSession, settings: WorkloadSettings): string | null;
  run(session: TargetSession, settings: WorkloadSettings): Promise<WorkloadMeasurement>;
}

const KV_VALUE = Uint8Array.from({ length: 64 }, (_, index) => (index * 37) & 0xff);

// Inputs are built once and reused: the figures should be the target's cost, not the harness's
// allocations. Nothing here mutates them.
const SMALL_PAYLOAD = Object.freeze({ n: 1 });
const eventBatch = (size: number) =>
  Object.freeze(Array.from({ length: size }, (_, n) => Object.freeze({ type: "bench.step", payload: Object.freeze({ n }) })));

const queueName = (id: WorkloadId): string => `bench.${id}`;

function phases(settings: WorkloadSettings): [PhasePlan, PhasePlan] {
  const { warmUpCalls, calls, concurrency, maxMs } = settings;
  return [
    { calls: warmUpCalls, concurrency, maxMs },
    { calls, concurrency, maxMs },
  ];
}

function throughput(result: PhaseResult): WorkloadMeasurement {
  return {
    ...result,
    itemsPerSec: ratePerSecond(result.items, result.elapsedMs),
    callsPerSec: ratePerSecond(result.calls, result.elapsedMs),
    itemsPerCpuSec: ratePerSecond(result.items, result.cpuMs),
  };
}

/** The queue operations of `session`; every target but a drain-only peer has them. */
function queueOf(session: TargetSession): QueueOperations {
  return need(session.queue, "queue");
}

function need<T>(facet: T | undefined, name: string): T {
  if (facet === undefined) throw new Error(`the target has no ${name} operations`);
  return facet;
}

/** A worker's call: claim up to `limit` tasks, then complete each. */
function claimAndComplete(queue: QueueOperations, name: string, limit: number): Operation {
  return async (_call, worker) => {
    const tasks = await queue.claim(name, workerName(worker), limit);
    if (tasks.length === 0) throw new Error(`${name} drained before the phase ended: the pre-fill is too small`);
    for (const task of tasks) await queue.complete(task);
    return tasks.length;
  };
}

const enqueueWorkload: WorkloadDefinition = {
  id: "enqueue",
  title: () => "enqueue (single)",
  unit: "tasks",
  facet: "queue",
  async run(session, settings) {
    const name = queueName("enqueue");
    const queue = queueOf(session);
    return throughput(
      await warmUpAndMeasure(...phases(settings), async () => {
        await queue.enqueue(name, SMALL_PAYLOAD);
        return 1;
      }),
    );
  },
};

const enqueueManyWorkload: WorkloadDefinition = {
  id: "enqueue-many",
  title: (size) => `enqueueMany (batches of ${size.batch})`,
  unit: "tasks",
  facet: "queue",
  async run(session, settings) {
    const name = queueName("enqueue-many");
    const queue = queueOf(session);
    const batch = payloadBatch(settings.batch);
    return throughput(
      await warmUpAndMeasure(...phases(settings), async () => {
        await queue.enqueueMany(name, batch);
        return batch.length;
      }),
    );
  },
};

function claimCompleteWorkload(id: WorkloadId): WorkloadDefinition {
  return {
    id,
    title: (size) => `claim ${size.batch} + complete each`,
    unit: "tasks",
    facet: "queue",
    async run(session, settings) {
      const name = queueName(id);
      const queue = queueOf(session);
      // Every claim of both phases finds a full batch: the calls are counted, not the tasks.
      const prefill = await prefillQueue(queue, name, (settings.warmUpCalls + settings.calls) * settings.batch);
      const measured = await warmUpAndMeasure(...phases(settings), claimAndComplete(queue, name, settings.batch));
      return { ...throughput(measured), prefill };
    },
  };
}

function appendEventsWorkload(id: WorkloadId): WorkloadDefinition {
  return {
    id,
    title: (size) => `appendEvents (${size.batch} per call, ${size.depth} runs)`,
    unit: "events",
    facet: "events",
    async run(session, settings) {
      const events: EventOperations = need(session.events, "event");
      const runs = Array.from({ length: settings.depth }, (_, index) => `bench-run-${index}`);
      for (const run of runs) await events.createRun(run);
      const batch = eventBatch(settings.batch);
      return throughput(
        await warmUpAndMeasure(...phases(settings), async (call) => {
          await events.appendEvents(runs[call % runs.length] as string, batch);
          return batch.length;
        }),
      );
    },
  };
}

const kvKeys = (count: number): string[] => Array.from({ length: count }, (_, index) => `bench/kv/${index}`);

const kvSetWorkload: WorkloadDefinition = {
  id: "kv-set",
  title: (size) => `kv set (${KV_VALUE.byteLength} B, ${size.depth} keys)`,
  unit: "keys",
  facet: "kv",
  async run(session, settings) {
    const kv: KeyValueOperations = need(session.kv, "key/value");
    const keys = kvKeys(settings.depth);
    return throughput(
      await warmUpAndMeasure(...phases(settings), async (call) => {
        await kv.set(keys[call % keys.length] as string, KV_VALUE);
        return 1;
      }),
    );
  },
};

const kvGetWorkload: WorkloadDefinition = {
  id: "kv-get",
  title: (size) => `kv get (${KV_VALUE.byteLength} B, ${size.depth} keys)`,
  unit: "keys",
  facet: "kv",
  async run(session, settings) {
    const kv: KeyValueOperations = need(session.kv, "key/value");
    const keys = kvKeys(settings.depth);
    for (const key of keys) await kv.set(key, KV_VALUE);
    return throughput(
      await warmUpAndMeasure(...phases(settings), async (call) => {
        const key = keys[call % keys.length] as string;
        const value = await kv.get(key);
        if (value === null) throw new Error(`kv get returned null for ${key}, which was set`);
        return 1;
      }),
    );
  },
};

/**
 * Claim latency at a given queue depth: the queue is pre-filled with `depth` ready tasks, then
 * each call claims one task and completes it, timing the claim alone and the claim + complete, and
 * enqueues one replacement outside the clock, so the depth stays constant however many calls run.
 */
function claimLatencyWorkload(id: WorkloadId, keys?: number): WorkloadDefinition {
  return {
    id,
    title: (size) => `claim latency @ ${size.depth.toLocaleString("en-US")} ready${keys === undefined ? "" : ` · ${keysTitle(keys, 1)}`}`,
    unit: "tasks",
    facet: "queue",
    concurrency: 1,
    unsupported: (session) => (keys === undefined ? null : keysUnsupported(session, keys)),
    async run(session, settings) {
      const name = queueName(id);
      const queue = keys === undefined ? queueOf(session) : await keyedQueue(session, name, keys, 1);
      const prefill = await prefillQueue(queue, name, settings.depth);
      const claimLatency = new LatencyRecorder(settings.calls);
      const cycleLatency = new LatencyRecorder(settings.calls);
      let measuring = false;
      const cycle: Operation = async (_call, worker) => {
        const started = performance.now();
        const tasks: ClaimedTask[] = await queue.claim(name, workerName(worker), 1);
        const claimed = performance.now();
        const task = tasks[0];
        if (task === undefined) throw new Error(`${name} drained: the replacement enqueue did not keep the depth`);
        await queue.complete(task);
        const completed = performance.now();
        if (measuring) {
          claimLatency.record(claimed - started);
          cycleLatency.record(completed - started);
        }
        await queue.enqueue(name, SMALL_PAYLOAD);
        return 1;
      };
      const [warmUp, measured] = phases(settings);
      if (warmUp.calls > 0) await runPhase(warmUp, cycle);
      collectGarbage();
      measuring = true;
      const result = await runPhase(measured, cycle);
      return {
        calls: result.calls,
        items: result.items,
        elapsedMs: result.elapsedMs,
        cpuMs: result.cpuMs,
        truncated: result.truncated,
        // The phase's wall time includes the untimed replacement enqueues, so no rate is given.
        itemsPerSec: null,
        callsPerSec: null,
        itemsPerCpuSec: null,
        latency: claimLatency.summary(),
        cycleLatency: cycleLatency.summary(),
        prefill,
      };
    },
  };
}

/**
 * The E20 rows: the same workload with no keys (a queue that never heard of them), and with its
 * tasks spread over 1, 100 and 10,000 concurrency keys, so that the cost of fair claiming reads
 * as a ratio to the keyless row of the same run.
 */
const keysTitle = (keys: number, limit: number): string =>
  keys === 0 ? "no keys" : `${keys.toLocaleString("en-US")} key${keys === 1 ? "" : "s"}, keyConcurrency ${limit}`;

function keysUnsupported(session: TargetSession, keys: number): string | null {
  return keys > 0 && session.queue?.keyed === undefined ? "the backend does not declare concurrencyKeys (SPEC E20)" : null;
}

/**
 * The queue operations of `session` on queue `name` with `keys` concurrency keys: its key limit
 * set to `limit`, and every task enqueued given the next key in turn, so that a pre-fill spreads
 * evenly over the keys and each replacement goes to the next key. With no keys, the plain queue.
 */
async function keyedQueue(session: TargetSession, name: string, keys: number, limit: number): Promise<QueueOperations> {
  const queue = queueOf(session);
  if (keys === 0) return queue;
  const keyed = need(queue.keyed, "concurrency key");
  await keyed.setKeyConcurrency(name, limit);
  let turn = 0;
  const nextKey = (): string => `key-${turn++ % keys}`;
  return {
    ...queue,
    enqueue: (queueName, payload) => keyed.enqueue(queueName, payload, nextKey()),
    enqueueMany: (queueName, payloads) =>
      keyed.enqueueMany(
        queueName,
        payloads,
        payloads.map(() => nextKey()),
      ),
  };
}

/**
 * A drain on keyed tasks, through the queue operations: each round's fresh queue gets its key
 * limit before its fill. The limit is the workers times the batch, so it never holds work back:
 * the rows measure the fair order's cost, not a limit's waiting.
 */
function keyedDrain(session: TargetSession, keys: number, settings: WorkloadSettings): DrainOperations {
  const limit = settings.concurrency * settings.batch;
  return {
    unsupported: () => keysUnsupported(session, keys),
    fill: async (plan) => prefillQueue(await keyedQueue(session, plan.queue, keys, limit), plan.queue, plan.jobs),
    process: (plan) => queueDrain(queueOf(session)).process(plan),
  };
}

/** The drain facet of `session`: the peer's own worker loop, or claim→complete loops on its queue. */
function drainOf(session: TargetSession): DrainOperations {
  return session.drain ?? queueDrain(queueOf(session));
}

/**
 * How each drain's queue loops fetch, as the peer they are paired with does (`DrainPlan.nextFetch`):
 * only graphile-worker's plain worker waits for a completion before it fetches again.
 */
const NEXT_FETCH: Readonly<Record<string, DrainPlan["nextFetch"]>> = {
  "drain-c1": "with-completion",
  "drain-c24": "after-completion",
  "drain-c24-batch": "with-completion",
  "drain-c50": "with-completion",
  "drain-c50-batch": "with-completion",
};

function drainPlan(id: WorkloadId, settings: WorkloadSettings, jobs: number, phase: string): DrainPlan {
  return {
    queue: `${queueName(id)}.${phase}`,
    jobs,
    concurrency: settings.concurrency,
    batch: settings.batch,
    nextFetch: NEXT_FETCH[id] ?? "after-completion",
    maxMs: settings.maxMs,
  };
}

/** The server's share of a phase from counters read before and after it; null when either is missing. */
export function serverShare(before: ServerCounters | null, after: ServerCounters | null, wallMs: number, jobs: number): ServerShare | null {
  if (before === null || after === null) return null;
  const cpuMs = before.cpuMs === null || after.cpuMs === null ? null : after.cpuMs - before.cpuMs;
  const operations = before.operations === null || after.operations === null ? null : after.operations - before.operations;
  return {
    cpuPercent: cpuMs === null || !(wallMs > 0) ? null : (100 * cpuMs) / wallMs,
    cpuMicrosPerJob: cpuMs === null || jobs <= 0 ? null : (1000 * cpuMs) / jobs,
    cpuScope: after.cpuScope,
    operationsPerJob: operations === null || jobs <= 0 ? null : operations / jobs,
    operationsUnit: after.operationsUnit,
  };
}

/** The measurement of a drain: the rate is over the span from the first completion to the last. */
export function drainMeasurement(result: DrainResult, fill: FillResult, server: ServerShare | null): WorkloadMeasurement {
  const { firstCompletionAt: first, lastCompletionAt: last, startedAt, completed } = result;
  const firstToLastMs = first === null || last === null ? null : last - first;
  const startToLastMs = last === null ? 0 : last - startedAt;
  // n completions at the ends of a span of length d make n − 1 intervals: (n − 1) / d.
  const itemsPerSec = firstToLastMs === null ? null : ratePerSecond(completed - 1, firstToLastMs);
  return {
    calls: result.fetches ?? completed,
    items: completed,
    // The phase's wall time, from the start of the workers, so that CPU % covers what `cpuMs` does.
    elapsedMs: startToLastMs,
    cpuMs: result.cpuMs,
    truncated: result.truncated,
    itemsPerSec,
    callsPerSec: result.fetches === null || firstToLastMs === null ? null : ratePerSecond(result.fetches, startToLastMs),
    itemsPerCpuSec: ratePerSecond(completed, result.cpuMs),
    latency: null,
    cycleLatency: result.cycleLatency,
    prefill: fill,
    drain: {
      startToFirstMs: first === null ? null : first - startedAt,
      firstToLastMs,
      fromStartPerSec: ratePerSecond(completed, startToLastMs),
      fetchesPerJob: result.fetches === null || completed === 0 ? null : result.fetches / completed,
      settings: result.settings,
      server,
      roundRates: [itemsPerSec],
    },
  };
}

/** Measured rounds of each drain: one drain of 20,000 jobs lasts under a second, so its rate swings from run to run. */
export const DRAIN_ROUNDS = 3;

/**
 * The round with the median first→last rate (rounds without a rate count as slowest), carrying
 * every round's rate in `drain.roundRates`.
 */
export function medianRound(rounds: readonly WorkloadMeasurement[]): WorkloadMeasurement {
  const rate = (round: WorkloadMeasurement): number => round.itemsPerSec ?? -1;
  const ordered = [...rounds].sort((a, b) => rate(a) - rate(b));
  const median = ordered[Math.floor((ordered.length - 1) / 2)];
  if (!median?.drain) throw new Error("medianRound needs at least one drain measurement");
  return { ...median, drain: { ...median.drain, roundRates: rounds.map((round) => round.itemsPerSec) } };
}

/**
 * A drain: `calls` jobs added in bulk to a fresh queue (the fill, outside the clock), then
 * processed to the last by `concurrency` workers, each fetching `batch` jobs at a time. The rate is
 * jobs per second from the first confirmed completion to the last (start-up and the first fetch
 * are reported apart). A warm-up drain of `warmUpCalls` jobs runs first in the same session, then
 * `DRAIN_ROUNDS` measured drains, each on a fresh fill; the row reports the median one. This
 * is how the peers are measured, and the Mooring targets run the same thing as claim→complete
 * loops (`queueDrain`), so the two rows of a pairing do the same work.
 */
function drainWorkload(id: WorkloadId, concurrency: number, keys?: number): WorkloadDefinition {
  const drainerOf = (session: TargetSession, settings: WorkloadSettings): DrainOperations =>
    keys === undefined ? drainOf(session) : keyedDrain(session, keys, settings);
  return {
    id,
    title: (size) =>
      `drain ${formatJobs(size.calls)} · ${size.batch === 1 ? "fetch 1" : `fetch ${size.batch}`} · ${concurrency} worker${concurrency === 1 ? "" : "s"}` +
      (keys === undefined ? "" : ` · ${keysTitle(keys, concurrency * size.batch)}`),
    unit: "tasks",
    // The keyed drains run on a backend's queue: a peer's own worker loop has no keys to compare.
    facet: keys === undefined ? "drain" : "queue",
    concurrency,
    unsupported: (session, settings) => drainerOf(session, settings).unsupported(drainPlan(id, settings, settings.calls, "measured")),
    async run(session, settings) {
      const drainer = drainerOf(session, settings);
      if (settings.warmUpCalls > 0) {
        const warmUp = drainPlan(id, settings, settings.warmUpCalls, "warm-up");
        await drainer.fill(warmUp);
        await drainer.process(warmUp);
      }
      const rounds: WorkloadMeasurement[] = [];
      for (let round = 1; round <= DRAIN_ROUNDS; round++) {
        const plan = drainPlan(id, settings, settings.calls, `measured-${round}`);
        const fill = await drainer.fill(plan);
        collectGarbage();
        const before = (await session.serverCounters?.()) ?? null;
        const result = await drainer.process(plan);
        const after = (await session.serverCounters?.()) ?? null;
        if (!result.truncated && result.completed !== plan.jobs) {
          throw new Error(`${plan.queue}: ${result.completed} of ${plan.jobs} jobs completed`);
        }
        const wallMs = result.lastCompletionAt === null ? 0 : result.lastCompletionAt - result.startedAt;
        rounds.push(drainMeasurement(result, fill, serverShare(before, after, wallMs, result.completed)));
        // A drain that reached its deadline is not repeated: the next would too.
        if (result.truncated) break;
      }
      return medianRound(rounds);
    },
  };
}

/** Workers of the E20 drains: enough to contend for the fair order, few enough for every backend. */
const FAIR_DRAIN_WORKERS = 4;

const formatJobs = (jobs: number): string => `${jobs.toLocaleString("en-US")} job${jobs === 1 ? "" : "s"}`;

export const WORKLOADS: readonly WorkloadDefinition[] = [
  enqueueWorkload,
  enqueueManyWorkload,
  claimCompleteWorkload("claim-complete-1"),
  claimCompleteWorkload("claim-complete-50"),
  appendEventsWorkload("append-events-1"),
  appendEventsWorkload("append-events-10"),
  kvSetWorkload,
  kvGetWorkload,
  claimLatencyWorkload("claim-latency-shallow"),
  claimLatencyWorkload("claim-latency-deep"),
  // The peer pairings: BullMQ at 1 and 50 workers (issue 5), graphile-worker at 24 (issue 4).
  drainWorkload("drain-c1", 1),
  drainWorkload("drain-c24", 24),
  drainWorkload("drain-c24-batch", 24),
  drainWorkload("drain-c50", 50),
  drainWorkload("drain-c50-batch", 50),
  // E20: the cost of fairness, each keyed row beside the keyless one of the same run.
  claimLatencyWorkload("fair-latency-k0", 0),
  claimLatencyWorkload("fair-latency-k1", 1),
  claimLatencyWorkload("fair-latency-k100", 100),
  claimLatencyWorkload("fair-latency-k10000", 10_000),
  drainWorkload("fair-drain-k0", FAIR_DRAIN_WORKERS, 0),
  drainWorkload("fair-drain-k1", FAIR_DRAIN_WORKERS, 1),
  drainWorkload("fair-drain-k100", FAIR_DRAIN_WORKERS, 100),
  drainWorkload("fair-drain-k10000", FAIR_DRAIN_WORKERS, 10_000),
];

/** The same sizes for every key count of the E20 rows, so that each keyed row compares with the keyless one. */
function fairSizes(latency: WorkloadSize, drain: WorkloadSize) {
  return {
    "fair-latency-k0": latency,
    "fair-latency-k1": latency,
    "fair-latency-k100": latency,
    "fair-latency-k10000": latency,
    "fair-drain-k0": drain,
    "fair-drain-k1": drain,
    "fair-drain-k100": drain,
    "fair-drain-k10000": drain,
  } satisfies Partial<Record<WorkloadId, WorkloadSize>>;
}

/**
 * Sizes for a full run, chosen so that every workload of the in-process targets finishes in
 * seconds on a 2-core machine and the whole run (three targets, three 1,000,000-task pre-fills)
 * in a few minutes.
 */
export const FULL_SIZES: Readonly<Record<WorkloadId, WorkloadSize>> = {
  "enqueue": { warmUpCalls: 2_000, calls: 20_000, maxMs: 10_000, batch: 1, depth: 0 },
  "enqueue-many": { warmUpCalls: 20, calls: 300, maxMs: 10_000, batch: 100, depth: 0 },
  "claim-complete-1": { warmUpCalls: 2_000, calls: 20_000, maxMs: 10_000, batch: 1, depth: 0 },
  "claim-complete-50": { warmUpCalls: 40, calls: 400, maxMs: 10_000, batch: 50, depth: 0 },
  "append-events-1": { warmUpCalls: 1_000, calls: 20_000, maxMs: 10_000, batch: 1, depth: 100 },
  "append-events-10": { warmUpCalls: 200, calls: 4_000, maxMs: 10_000, batch: 10, depth: 100 },
  "kv-set": { warmUpCalls: 2_000, calls: 30_000, maxMs: 10_000, batch: 1, depth: 1_000 },
  "kv-get": { warmUpCalls: 2_000, calls: 30_000, maxMs: 10_000, batch: 1, depth: 1_000 },
  "claim-latency-shallow": { warmUpCalls: 1_000, calls: 5_000, maxMs: 10_000, batch: 1, depth: 1_000 },
  "claim-latency-deep": { warmUpCalls: 1_000, calls: 5_000, maxMs: 10_000, batch: 1, depth: 1_000_000 },
  // The peers' own benchmark size (ANCHORS.md): 20,000 jobs; a 60 s deadline for slow pairings.
  "drain-c1": { warmUpCalls: 2_000, calls: 20_000, maxMs: 60_000, batch: 1, depth: 0 },
  "drain-c24": { warmUpCalls: 2_000, calls: 20_000, maxMs: 60_000, batch: 1, depth: 0 },
  "drain-c24-batch": { warmUpCalls: 2_000, calls: 20_000, maxMs: 60_000, batch: 50, depth: 0 },
  "drain-c50": { warmUpCalls: 2_000, calls: 20_000, maxMs: 60_000, batch: 1, depth: 0 },
  "drain-c50-batch": { warmUpCalls: 2_000, calls: 20_000, maxMs: 60_000, batch: 50, depth: 0 },
  ...fairSizes({ warmUpCalls: 200, calls: 2_000, maxMs: 20_000, batch: 1, depth: 20_000 }, { warmUpCalls: 2_000, calls: 20_000, maxMs: 60_000, batch: 10, depth: 0 }),
};

/** A smoke run: every workload, small; the deep queue holds 100,000 tasks instead of 1,000,000. */
export const QUICK_SIZES: Readonly<Record<WorkloadId, WorkloadSize>> = {
  "enqueue": { warmUpCalls: 200, calls: 2_000, maxMs: 2_000, batch: 1, depth: 0 },
  "enqueue-many": { warmUpCalls: 5, calls: 30, maxMs: 2_000, batch: 100, depth: 0 },
  "claim-complete-1": { warmUpCalls: 200, calls: 2_000, maxMs: 2_000, batch: 1, depth: 0 },
  "claim-complete-50": { warmUpCalls: 5, calls: 40, maxMs: 2_000, batch: 50, depth: 0 },
  "append-events-1": { warmUpCalls: 100, calls: 2_000, maxMs: 2_000, batch: 1, depth: 10 },
  "append-events-10": { warmUpCalls: 20, calls: 400, maxMs: 2_000, batch: 10, depth: 10 },
  "kv-set": { warmUpCalls: 200, calls: 3_000, maxMs: 2_000, batch: 1, depth: 100 },
  "kv-get": { warmUpCalls: 200, calls: 3_000, maxMs: 2_000, batch: 1, depth: 100 },
  "claim-latency-shallow": { warmUpCalls: 100, calls: 1_000, maxMs: 2_000, batch: 1, depth: 1_000 },
  "claim-latency-deep": { warmUpCalls: 100, calls: 1_000, maxMs: 2_000, batch: 1, depth: 100_000 },
  "drain-c1": { warmUpCalls: 200, calls: 2_000, maxMs: 10_000, batch: 1, depth: 0 },
  "drain-c24": { warmUpCalls: 200, calls: 2_000, maxMs: 10_000, batch: 1, depth: 0 },
  "drain-c24-batch": { warmUpCalls: 200, calls: 2_000, maxMs: 10_000, batch: 50, depth: 0 },
  "drain-c50": { warmUpCalls: 200, calls: 2_000, maxMs: 10_000, batch: 1, depth: 0 },
  "drain-c50-batch": { warmUpCalls: 200, calls: 2_000, maxMs: 10_000, batch: 50, depth: 0 },
  ...fairSizes({ warmUpCalls: 50, calls: 500, maxMs: 5_000, batch: 1, depth: 2_000 }, { warmUpCalls: 200, calls: 2_000, maxMs: 10_000, batch: 10, depth: 0 }),
};
