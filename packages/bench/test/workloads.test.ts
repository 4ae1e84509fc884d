import { describe, expect, it } from "vitest";
import { queueDrain } from "../src/drain.js";
import { memoryTarget } from "../src/targets/memory.js";
import { rawSqliteTarget } from "../src/targets/raw-sqlite.js";
import type { ClaimedTask, KeyedQueueOperations, QueueOperations, TargetSession } from "../src/targets/target.js";
import type { DrainOperations, DrainPlan, DrainResult } from "../src/targets/target.js";
import {
  DRAIN_ROUNDS,
  QUICK_SIZES,
  WORKLOADS,
  type WorkloadId,
  type WorkloadSettings,
  drainMeasurement,
  medianRound,
  prefillQueue,
  serverShare,
} from "../src/workloads.js";

/** A plain FIFO queue and maps, counting calls: enough to check what the workloads ask of a target. */
function countingSession() {
  const ready = new Map<string, { id: string }[]>();
  const counts = { enqueue: 0, enqueueMany: 0, enqueued: 0, claim: 0, complete: 0, appended: 0, runs: 0, set: 0, get: 0 };
  const maxDepth = new Map<string, number>();
  let nextId = 0;
  const push = (queue: string): void => {
    const list = ready.get(queue) ?? [];
    list.push({ id: String(nextId++) });
    ready.set(queue, list);
    maxDepth.set(queue, Math.max(maxDepth.get(queue) ?? 0, list.length));
    counts.enqueued++;
  };
  const kv = new Map<string, Uint8Array>();
  const session: TargetSession = {
    queue: {
      async enqueue(queue) {
        counts.enqueue++;
        push(queue);
      },
      async enqueueMany(queue, payloads) {
        counts.enqueueMany++;
        for (const _ of payloads) push(queue);
      },
      async claim(queue, _workerId, limit): Promise<ClaimedTask[]> {
        counts.claim++;
        return (ready.get(queue) ?? []).splice(0, limit);
      },
      async complete() {
        counts.complete++;
      },
    },
    events: {
      async createRun() {
        counts.runs++;
      },
      async appendEvents(_runId, events) {
        counts.appended += events.length;
      },
    },
    kv: {
      async set(key, value) {
        counts.set++;
        kv.set(key, value);
      },
      async get(key) {
        counts.get++;
        return kv.get(key) ?? null;
      },
    },
    close: async () => {},
  };
  return { session, queue: queueOf(session), counts, ready, maxDepth };
}

function queueOf(session: TargetSession): QueueOperations {
  if (session.queue === undefined) throw new Error("the session has no queue operations");
  return session.queue;
}

const small = (id: WorkloadId, overrides: Partial<WorkloadSettings> = {}): WorkloadSettings => ({
  ...QUICK_SIZES[id],
  warmUpCalls: 3,
  calls: 20,
  maxMs: 60_000,
  concurrency: 2,
  ...overrides,
});

const workload = (id: WorkloadId) => {
  const found = WORKLOADS.find((w) => w.id === id);
  if (!found) throw new Error(`no workload ${id}`);
  return found;
};

describe("workloads against a counting target", () => {
  it("claim-complete-50 pre-fills exactly what both phases claim, and completes every task", async () => {
    const { session, counts, ready } = countingSession();
    const settings = small("claim-complete-50");
    const result = await workload("claim-complete-50").run(session, settings);
    expect(counts.enqueued).toBe((3 + 20) * 50);
    expect(counts.claim).toBe(23);
    expect(counts.complete).toBe(23 * 50);
    expect(result).toMatchObject({ calls: 20, items: 1_000, truncated: false, prefill: { tasks: 1_150 } });
    expect([...ready.values()].every((list) => list.length === 0)).toBe(true);
  });

  it("claim latency keeps the queue at its depth and rates nothing", async () => {
    const { session, counts, ready, maxDepth } = countingSession();
    const settings = small("claim-latency-shallow", { depth: 500, concurrency: 1 });
    const result = await workload("claim-latency-shallow").run(session, settings);
    expect(counts.claim).toBe(23);
    expect(counts.enqueue).toBe(23);
    expect([...ready.values()][0]).toHaveLength(500);
    expect([...maxDepth.values()][0]).toBe(500);
    expect(result.itemsPerSec).toBeNull();
    expect(result.latency?.count).toBe(20);
    expect(result.cycleLatency?.count).toBe(20);
  });

  it("append-events writes every batch to the runs it created", async () => {
    const { session, counts } = countingSession();
    const result = await workload("append-events-10").run(session, small("append-events-10", { depth: 4 }));
    expect(counts.runs).toBe(4);
    expect(counts.appended).toBe(23 * 10);
    expect(result).toMatchObject({ calls: 20, items: 200 });
  });

  it("kv-get reads keys it set first", async () => {
    const { session, counts } = countingSession();
    const result = await workload("kv-get").run(session, small("kv-get", { depth: 7 }));
    expect(counts.set).toBe(7);
    expect(counts.get).toBe(23);
    expect(result).toMatchObject({ calls: 20, items: 20 });
  });

  it("a claim that finds the queue empty fails the workload", async () => {
    const { session, queue } = countingSession();
    const drained: TargetSession = { ...session, queue: { ...queue, claim: async () => [] } };
    await expect(workload("claim-complete-1").run(drained, small("claim-complete-1"))).rejects.toThrow(/drained/);
  });

  it("prefillQueue loads in batches of at most 10,000", async () => {
    const { queue, counts } = countingSession();
    const result = await prefillQueue(queue, "q", 25_001);
    expect(counts.enqueueMany).toBe(3);
    expect(counts.enqueued).toBe(25_001);
    expect(result.tasks).toBe(25_001);
  });
});

/** The counting session with concurrency keys: records each task's key and each queue's key limit. */
function keyedCountingSession() {
  const counting = countingSession();
  const keysOf = new Map<string, string[]>();
  const limits = new Map<string, number>();
  const remember = (queue: string, keys: readonly string[]): void => {
    keysOf.set(queue, [...(keysOf.get(queue) ?? []), ...keys]);
  };
  const keyed: KeyedQueueOperations = {
    async setKeyConcurrency(queue, limit) {
      limits.set(queue, limit);
    },
    async enqueue(queue, payload, key) {
      remember(queue, [key]);
      await counting.queue.enqueue(queue, payload);
    },
    async enqueueMany(queue, payloads, keys) {
      expect(keys).toHaveLength(payloads.length);
      remember(queue, keys);
      await counting.queue.enqueueMany(queue, payloads);
    },
  };
  const session: TargetSession = { ...counting.session, queue: { ...counting.queue, keyed } };
  return { ...counting, session, keysOf, limits };
}

describe("the E20 rows (keys beside no keys)", () => {
  it("spread a claim latency's tasks over the keys in turn, with keyConcurrency 1, and keep the depth", async () => {
    const { session, keysOf, limits, ready } = keyedCountingSession();
    const result = await workload("fair-latency-k100").run(session, small("fair-latency-k100", { depth: 250, concurrency: 1 }));
    const [queue, keys] = [...keysOf.entries()][0] ?? [];
    expect(limits.get(queue as string)).toBe(1);
    // 250 pre-filled and 23 replacements: keys taken in turn, key-0 … key-99, then key-0 again.
    expect(keys).toHaveLength(273);
    expect(keys?.slice(0, 3)).toEqual(["key-0", "key-1", "key-2"]);
    expect(keys?.[100]).toBe("key-0");
    expect(new Set(keys).size).toBe(100);
    expect([...ready.values()][0]).toHaveLength(250);
    expect(result.latency?.count).toBe(20);
  });

  it("drain keyed tasks with a key limit of workers × batch, set on each round's queue before its fill", async () => {
    const { session, keysOf, limits, counts } = keyedCountingSession();
    const settings = small("fair-drain-k1", { warmUpCalls: 0, calls: 40, batch: 10, concurrency: 4 });
    await workload("fair-drain-k1").run(session, settings);
    expect([...limits.values()]).toEqual(Array(DRAIN_ROUNDS).fill(40));
    expect([...keysOf.values()].map((keys) => new Set(keys))).toEqual(Array(DRAIN_ROUNDS).fill(new Set(["key-0"])));
    expect(counts.complete).toBe(40 * DRAIN_ROUNDS);
  });

  it("run the keyless rows on a plain queue, and skip the keyed rows of a backend without concurrencyKeys", async () => {
    const { session, counts } = countingSession();
    const settings = small("fair-drain-k0", { warmUpCalls: 0, calls: 10 });
    expect(workload("fair-drain-k0").unsupported?.(session, settings)).toBeNull();
    await workload("fair-drain-k0").run(session, settings);
    expect(counts.complete).toBe(10 * DRAIN_ROUNDS);
    for (const id of ["fair-drain-k100", "fair-latency-k10000"] as const) {
      expect(workload(id).unsupported?.(session, small(id))).toMatch(/does not declare concurrencyKeys/);
    }
  });
});

describe("drains", () => {
  it("claims, one by one, every task the fill added, even with more workers than tasks", async () => {
    const { session, counts, ready } = countingSession();
    const settings = small("drain-c24", { concurrency: 24 });
    const result = await workload("drain-c24").run(session, settings);
    // A warm-up of 3, then DRAIN_ROUNDS measured drains of 20.
    expect(counts.enqueued).toBe(3 + DRAIN_ROUNDS * 20);
    expect(counts.complete).toBe(3 + DRAIN_ROUNDS * 20);
    expect([...ready.values()].every((list) => list.length === 0)).toBe(true);
    expect(result).toMatchObject({ items: 20, truncated: false, prefill: { tasks: 20 } });
    expect(result.drain?.fetchesPerJob).toBeGreaterThanOrEqual(1);
    expect(result.cycleLatency?.count).toBe(20);
  });

  it("claims batches of `batch` and completes each task once", async () => {
    const { session, counts } = countingSession();
    const result = await workload("drain-c24-batch").run(session, small("drain-c24-batch", { warmUpCalls: 0, calls: 120, concurrency: 2 }));
    expect(counts.complete).toBe(DRAIN_ROUNDS * 120);
    expect(result.items).toBe(120);
    // Per round 50 + 50 + 20, and at most one empty claim per worker at the end.
    expect(counts.claim).toBeGreaterThanOrEqual(DRAIN_ROUNDS * 3);
    expect(counts.claim).toBeLessThanOrEqual(DRAIN_ROUNDS * 5);
  });

  it("runs a peer's own drain when the session has one, and reads the server counters around its processing", async () => {
    const calls: string[] = [];
    let cpuMs = 0;
    const drain: DrainOperations = {
      unsupported: () => null,
      async fill(plan) {
        calls.push(`fill ${plan.queue} ${plan.jobs}`);
        return { tasks: plan.jobs, elapsedMs: 1, tasksPerSec: plan.jobs * 1000 };
      },
      async process(plan): Promise<DrainResult> {
        calls.push(`process ${plan.concurrency}×${plan.batch}`);
        cpuMs += 250;
        return {
          completed: plan.jobs,
          startedAt: 0,
          firstCompletionAt: 10,
          lastCompletionAt: 1_010,
          cpuMs: 500,
          truncated: false,
          fetches: null,
          cycleLatency: null,
          settings: { mode: "test" },
        };
      },
    };
    const peer = {
      drain,
      serverCounters: async () => ({ cpuMs, cpuScope: "test server", operations: cpuMs * 4, operationsUnit: "commands" }),
      close: async () => {},
    };
    const result = await workload("drain-c50").run(peer, small("drain-c50", { calls: 1_001, concurrency: 50 }));
    expect(calls).toEqual([
      "fill bench.drain-c50.warm-up 3",
      "process 50×1",
      ...Array.from({ length: DRAIN_ROUNDS }, (_, round) => [`fill bench.drain-c50.measured-${round + 1} 1001`, "process 50×1"]).flat(),
    ]);
    expect(result.itemsPerSec).toBe(1_000);
    expect(result.drain?.server).toMatchObject({ cpuPercent: 250 / 10.1, operationsPerJob: 1_000 / 1_001 });
  });

  it("is skipped for a peer that cannot run the plan", () => {
    const drain: DrainOperations = {
      unsupported: (plan) => (plan.batch > 1 ? "no batches" : null),
      fill: () => Promise.reject(new Error("not filled")),
      process: () => Promise.reject(new Error("not processed")),
    };
    const session = { drain, close: async () => {} };
    expect(workload("drain-c50-batch").unsupported?.(session, small("drain-c50-batch", { batch: 50 }))).toBe("no batches");
    expect(workload("drain-c50").unsupported?.(session, small("drain-c50"))).toBeNull();
  });

  it("rates n completions over the span from the first to the last as (n − 1) / span", () => {
    const fill = { tasks: 3, elapsedMs: 1, tasksPerSec: 3_000 };
    const base: DrainResult = {
      completed: 3,
      startedAt: 0,
      firstCompletionAt: 500,
      lastCompletionAt: 1_500,
      cpuMs: 750,
      truncated: false,
      fetches: 6,
      cycleLatency: null,
      settings: {},
    };
    const measurement = drainMeasurement(base, fill, null);
    expect(measurement).toMatchObject({ items: 3, calls: 6, elapsedMs: 1_500, itemsPerSec: 2, itemsPerCpuSec: 4 });
    expect(measurement.drain).toMatchObject({ startToFirstMs: 500, firstToLastMs: 1_000, fromStartPerSec: 2, fetchesPerJob: 2 });
    expect(drainMeasurement({ ...base, completed: 0, firstCompletionAt: null, lastCompletionAt: null }, fill, null).itemsPerSec).toBeNull();
  });

  it("reports the round with the median rate and every round's rate in the order they ran", () => {
    const fill = { tasks: 11, elapsedMs: 1, tasksPerSec: 11_000 };
    const round = (spanMs: number | null, cpuMs: number): ReturnType<typeof drainMeasurement> =>
      drainMeasurement(
        {
          completed: 11,
          startedAt: 0,
          firstCompletionAt: spanMs === null ? null : 1,
          lastCompletionAt: spanMs === null ? null : 1 + spanMs,
          cpuMs,
          truncated: false,
          fetches: null,
          cycleLatency: null,
          settings: {},
        },
        fill,
        null,
      );
    // 10 intervals over 100, 50 and 200 ms: 100, 200 and 50 jobs/s.
    const median = medianRound([round(100, 1), round(50, 2), round(200, 3)]);
    expect(median.itemsPerSec).toBe(100);
    expect(median.cpuMs).toBe(1);
    expect(median.drain?.roundRates).toEqual([100, 200, 50]);
    // A round without a rate counts as the slowest; of two rounds, the slower is the median.
    expect(medianRound([round(null, 1), round(100, 2)]).cpuMs).toBe(1);
    expect(medianRound([round(100, 1)]).drain?.roundRates).toEqual([100]);
  });

  it("derives the server's share from counters, and none when a counter is missing", () => {
    const counters = (cpuMs: number | null, operations: number | null) => ({ cpuMs, cpuScope: "s", operations, operationsUnit: "commands" });
    expect(serverShare(counters(1_000, 10), counters(1_500, 410), 1_000, 100)).toEqual({
      cpuPercent: 50,
      cpuMicrosPerJob: 5_000,
      cpuScope: "s",
      operationsPerJob: 4,
      operationsUnit: "commands",
    });
    expect(serverShare(counters(null, 10), counters(1_500, 20), 1_000, 10)).toMatchObject({ cpuPercent: null, operationsPerJob: 1 });
    expect(serverShare(null, counters(1, 1), 1_000, 10)).toBeNull();
  });
});

describe("the raw-sqlite baseline", () => {
  it("claims up to the limit, then nothing, and fences completions by epoch", async () => {
    const session = await rawSqliteTarget.open();
    const queue = queueOf(session);
    try {
      await queue.enqueueMany("q", [{ n: 0 }, { n: 1 }, { n: 2 }]);
      const first = await queue.claim("q", "w", 2);
      expect(first).toHaveLength(2);
      for (const task of first) await queue.complete(task);
      await expect(queue.complete(first[0] as ClaimedTask)).rejects.toThrow(/was not leased/);
      const rest = await queue.claim("q", "w", 5);
      expect(rest).toHaveLength(1);
      expect(await queue.claim("q", "w", 5)).toEqual([]);
    } finally {
      await session.close();
    }
  });

  it("runs the claim workloads", async () => {
    const session = await rawSqliteTarget.open();
    try {
      const result = await workload("claim-complete-1").run(session, small("claim-complete-1"));
      expect(result).toMatchObject({ calls: 20, items: 20 });
      expect(result.itemsPerSec).toBeGreaterThan(0);
    } finally {
      await session.close();
    }
  });
});

describe("queue drains fetch as their pairing says (DrainPlan.nextFetch)", () => {
  /**
   * A real memory backend's queue, recording for each claim whether a completion was still in
   * flight when it was asked for, and every task completed.
   */
  async function recordingDrain() {
    const session = await memoryTarget.open();
    const inner = queueOf(session);
    let completing = 0;
    const record = { claims: 0, claimsDuringCompletion: 0, completed: [] as string[] };
    const queue: QueueOperations = {
      ...inner,
      claim(name, workerId, limit) {
        record.claims++;
        if (completing > 0) record.claimsDuringCompletion++;
        return inner.claim(name, workerId, limit);
      },
      async complete(task) {
        completing++;
        try {
          await inner.complete(task);
          record.completed.push(task.id);
        } finally {
          completing--;
        }
      },
    };
    return { drain: queueDrain(queue), record, close: () => session.close() };
  }

  const plan = (nextFetch: DrainPlan["nextFetch"], batch: number): DrainPlan => ({
    queue: `drain-${nextFetch}-${batch}`,
    jobs: 60,
    concurrency: 1,
    batch,
    nextFetch,
    maxMs: 10_000,
  });

  /** Fills and drains 60 jobs with one worker, recording its claims and completions. */
  async function drainWith(nextFetch: DrainPlan["nextFetch"], batch: number) {
    const { drain, record, close } = await recordingDrain();
    try {
      await drain.fill(plan(nextFetch, batch));
      const result = await drain.process(plan(nextFetch, batch));
      expect(result.completed).toBe(60);
      expect(new Set(record.completed).size).toBe(60);
      expect(record.claims).toBe(60 / batch);
      return { result, record };
    } finally {
      await close();
    }
  }

  for (const batch of [1, 5]) {
    it(`"with-completion" asks for the next tasks while the last ones complete (batch ${batch}); every task completes once`, async () => {
      const { result, record } = await drainWith("with-completion", batch);
      // Every claim but the first is made in the turn that starts the last tasks' completions.
      expect(record.claimsDuringCompletion).toBe(60 / batch - 1);
      expect(result.settings.mode).toContain("the next claim made with the completions");
    });

    it(`"after-completion" asks only once the last tasks are completed (batch ${batch}); every task completes once`, async () => {
      const { result, record } = await drainWith("after-completion", batch);
      expect(record.claimsDuringCompletion).toBe(0);
      expect(result.settings.mode).toContain("the next claim after them");
    });
  }
});
