import { describe, expect, it } from "vitest";
import { rawSqliteTarget } from "../src/targets/raw-sqlite.js";
import type { ClaimedTask, TargetSession } from "../src/targets/target.js";
import { QUICK_SIZES, WORKLOADS, type WorkloadId, type WorkloadSettings, prefillQueue } from "../src/workloads.js";

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
  return { session, counts, ready, maxDepth };
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
    const { session } = countingSession();
    const drained: TargetSession = { ...session, queue: { ...session.queue, claim: async () => [] } };
    await expect(workload("claim-complete-1").run(drained, small("claim-complete-1"))).rejects.toThrow(/drained/);
  });

  it("prefillQueue loads in batches of at most 10,000", async () => {
    const { session, counts } = countingSession();
    const result = await prefillQueue(session.queue, "q", 25_001);
    expect(counts.enqueueMany).toBe(3);
    expect(counts.enqueued).toBe(25_001);
    expect(result.tasks).toBe(25_001);
  });
});

describe("the raw-sqlite baseline", () => {
  it("claims up to the limit, then nothing, and fences completions by epoch", async () => {
    const session = await rawSqliteTarget.open();
    try {
      await session.queue.enqueueMany("q", [{ n: 0 }, { n: 1 }, { n: 2 }]);
      const first = await session.queue.claim("q", "w", 2);
      expect(first).toHaveLength(2);
      for (const task of first) await session.queue.complete(task);
      await expect(session.queue.complete(first[0] as ClaimedTask)).rejects.toThrow(/was not leased/);
      const rest = await session.queue.claim("q", "w", 5);
      expect(rest).toHaveLength(1);
      expect(await session.queue.claim("q", "w", 5)).toEqual([]);
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
