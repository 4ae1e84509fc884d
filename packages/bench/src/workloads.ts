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
import type { ClaimedTask, EventOperations, KeyValueOperations, QueueOperations, TargetSession } from "./targets/target.js";

export const WORKLOAD_IDS = [
  "enqueue",
  "enqueue-many",
  "claim-complete-1",
  "claim-complete-50",
  "append-events-1",
  "append-events-10",
  "kv-set",
  "kv-get",
  "claim-latency-shallow",
  "claim-latency-deep",
] as const;
export type WorkloadId = (typeof WORKLOAD_IDS)[number];

/** The size of one workload's run. */
export interface WorkloadSize {
  /** Calls of the warm-up phase, whose figures are discarded. */
  readonly warmUpCalls: number;
  /** Calls of the measured phase. */
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
export interface PrefillResult {
  readonly tasks: number;
  readonly elapsedMs: number;
  readonly tasksPerSec: number | null;
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
  /** The latency workloads: claim + complete of one task. */
  readonly cycleLatency?: LatencySummary | null;
  readonly prefill?: PrefillResult;
}

export interface WorkloadDefinition {
  readonly id: WorkloadId;
  readonly title: (size: WorkloadSize) => string;
  /** What the items of `itemsPerSec` are. */
  readonly unit: "tasks" | "events" | "keys";
  /** The facet of the session it needs; targets without it skip the workload. */
  readonly facet: "queue" | "events" | "kv";
  run(session: TargetSession, settings: WorkloadSettings): Promise<WorkloadMeasurement>;
}

/** The largest batch core accepts (`MAX_LIMIT`), used to pre-fill queues in few calls. */
const PREFILL_BATCH = 10_000;
const KV_VALUE = Uint8Array.from({ length: 64 }, (_, index) => (index * 37) & 0xff);

// Inputs are built once and reused: the figures should be the target's cost, not the harness's
// allocations. Nothing here mutates them.
const SMALL_PAYLOAD = Object.freeze({ n: 1 });
const payloadBatch = (size: number): readonly Readonly<Record<string, number>>[] =>
  Object.freeze(Array.from({ length: size }, (_, n) => Object.freeze({ n })));
const eventBatch = (size: number) =>
  Object.freeze(Array.from({ length: size }, (_, n) => Object.freeze({ type: "bench.step", payload: Object.freeze({ n }) })));

const workerName = (worker: number): string => `bench-worker-${worker}`;
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

function need<T>(facet: T | undefined, name: string): T {
  if (facet === undefined) throw new Error(`the target has no ${name} operations`);
  return facet;
}

/** Fills `queue` with `tasks` ready tasks in batches of at most `PREFILL_BATCH`. */
export async function prefillQueue(queue: QueueOperations, name: string, tasks: number): Promise<PrefillResult> {
  const full = payloadBatch(Math.min(PREFILL_BATCH, Math.max(1, tasks)));
  const started = performance.now();
  for (let done = 0; done < tasks; ) {
    const size = Math.min(full.length, tasks - done);
    await queue.enqueueMany(name, size === full.length ? full : full.slice(0, size));
    done += size;
  }
  const elapsedMs = performance.now() - started;
  collectGarbage();
  return { tasks, elapsedMs, tasksPerSec: ratePerSecond(tasks, elapsedMs) };
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
    return throughput(
      await warmUpAndMeasure(...phases(settings), async () => {
        await session.queue.enqueue(name, SMALL_PAYLOAD);
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
    const batch = payloadBatch(settings.batch);
    return throughput(
      await warmUpAndMeasure(...phases(settings), async () => {
        await session.queue.enqueueMany(name, batch);
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
      // Every claim of both phases finds a full batch: the calls are counted, not the tasks.
      const prefill = await prefillQueue(session.queue, name, (settings.warmUpCalls + settings.calls) * settings.batch);
      const measured = await warmUpAndMeasure(...phases(settings), claimAndComplete(session.queue, name, settings.batch));
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
function claimLatencyWorkload(id: WorkloadId): WorkloadDefinition {
  return {
    id,
    title: (size) => `claim latency @ ${size.depth.toLocaleString("en-US")} ready`,
    unit: "tasks",
    facet: "queue",
    async run(session, settings) {
      const { queue } = session;
      const name = queueName(id);
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
];

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
};
