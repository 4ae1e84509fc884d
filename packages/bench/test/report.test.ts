import { describe, expect, it } from "vitest";
import type { LatencySummary } from "../src/harness.js";
import { type ResultRow, checkGoals, compareDepths, compareFairness, compareWithReferences, fileTimestamp, formatMicros, formatRatio } from "../src/report.js";
import type { TargetDefinition } from "../src/targets/target.js";
import type { WorkloadId } from "../src/workloads.js";

const latency = (p50: number, p99 = p50 * 2): LatencySummary => ({ count: 10, min: p50 / 2, mean: p50, p50, p90: p99, p99, p999: p99, max: p99 });

const row = (workload: WorkloadId, target: string, itemsPerSec: number | null, options: { depth?: number; p50?: number } = {}): ResultRow => ({
  workload,
  title: workload,
  unit: "tasks",
  target,
  settings: { warmUpCalls: 1, calls: 10, maxMs: 1000, batch: 1, depth: options.depth ?? 0, concurrency: 1 },
  measurement: {
    calls: 10,
    items: 10,
    elapsedMs: 1,
    cpuMs: 1,
    truncated: false,
    itemsPerSec,
    callsPerSec: itemsPerSec,
    itemsPerCpuSec: itemsPerSec === null ? null : itemsPerSec * 2,
    latency: options.p50 === undefined ? null : latency(options.p50),
    cycleLatency: options.p50 === undefined ? null : latency(options.p50 * 2),
  },
  skipped: null,
  error: null,
});

const definition = (name: string, extra: Partial<TargetDefinition> = {}): TargetDefinition => ({
  name,
  backend: "sqlite",
  defaultConcurrency: 1,
  describe: () => ({}),
  open: () => Promise.reject(new Error("not opened in these tests")),
  ...extra,
});

const sqlite = definition("sqlite", { goals: { minRatioToBaseline: 0.5, maxDeepQueueLatencyRatio: 2, minClaimCompletePerSec: 1000 } });
const raw = definition("raw-sqlite", { reference: { target: "sqlite", kind: "baseline" } });

describe("compareWithReferences", () => {
  it("divides the Mooring target's rate by its reference's, per workload", () => {
    const rows = [row("claim-complete-1", "sqlite", 30_000), row("claim-complete-1", "raw-sqlite", 60_000), row("enqueue", "sqlite", 10)];
    expect(compareWithReferences(rows, [sqlite, raw])).toEqual([
      {
        workload: "claim-complete-1",
        target: "sqlite",
        reference: "raw-sqlite",
        referenceWorkload: "claim-complete-1",
        kind: "baseline",
        ratio: 0.5,
        cpuRatio: 0.5,
      },
    ]);
  });

  it("sets a workload beside the peer's paired workload when the reference names one", () => {
    const redis = definition("redis", { backend: "redis", goals: { minRatioToPeer: 1 } });
    const bullmq = definition("bullmq", { backend: "redis", reference: { target: "redis", kind: "peer", pairs: { "drain-c50-batch": "drain-c50" } } });
    const rows = [row("drain-c50", "redis", 10_000), row("drain-c50-batch", "redis", 40_000), row("drain-c50", "bullmq", 20_000)];
    const comparisons = compareWithReferences(rows, [redis, bullmq]);
    expect(comparisons.map((c) => [c.workload, c.referenceWorkload, c.ratio])).toEqual([
      ["drain-c50", "drain-c50", 0.5],
      ["drain-c50-batch", "drain-c50", 2],
    ]);
    expect(checkGoals([redis, bullmq], rows, comparisons, []).map((g) => [g.goal, g.met])).toEqual([
      ["drain-c50 ≥ 1× bullmq", false],
      ["drain-c50-batch ≥ 1× bullmq drain-c50", true],
    ]);
  });

  it("skips workloads where either rate is missing", () => {
    const rows = [row("claim-latency-shallow", "sqlite", null), row("claim-latency-shallow", "raw-sqlite", null)];
    expect(compareWithReferences(rows, [sqlite, raw])).toEqual([]);
  });
});

describe("compareDepths", () => {
  it("reports deep over shallow p50 for the claim alone and for claim + complete", () => {
    const rows = [
      row("claim-latency-shallow", "sqlite", null, { depth: 1_000, p50: 0.01 }),
      row("claim-latency-deep", "sqlite", null, { depth: 1_000_000, p50: 0.015 }),
      row("claim-latency-shallow", "memory", null, { depth: 1_000, p50: 0.01 }),
    ];
    const [only, ...rest] = compareDepths(rows);
    expect(rest).toEqual([]);
    expect(only).toMatchObject({ target: "sqlite", shallowDepth: 1_000, deepDepth: 1_000_000 });
    expect(only?.p50Ratio).toBeCloseTo(1.5);
    expect(only?.cycleP50Ratio).toBeCloseTo(1.5);
  });
});

describe("compareFairness", () => {
  it("sets each key count beside the keyless rows of the same target: claim p50 ratio and drain cost ratio", () => {
    const rows = [
      row("fair-latency-k0", "sqlite", null, { p50: 0.1 }),
      row("fair-latency-k100", "sqlite", null, { p50: 0.15 }),
      row("fair-drain-k0", "sqlite", 1_000),
      row("fair-drain-k100", "sqlite", 400),
      row("fair-drain-k10000", "sqlite", 500),
      row("fair-latency-k0", "memory", null, { p50: 0.01 }),
    ];
    expect(compareFairness(rows)).toEqual([
      expect.objectContaining({ target: "sqlite", keys: 100, claimP50Ratio: expect.closeTo(1.5), drainCostRatio: expect.closeTo(2.5) }),
      expect.objectContaining({ target: "sqlite", keys: 10_000, claimP50Ms: null, claimP50Ratio: null, drainCostRatio: expect.closeTo(2) }),
    ]);
  });
});

describe("checkGoals", () => {
  it("marks each goal met, missed, or not measured", () => {
    const rows = [
      row("claim-complete-1", "sqlite", 30_000),
      row("claim-complete-1", "raw-sqlite", 100_000),
      row("claim-latency-shallow", "sqlite", null, { depth: 1_000, p50: 0.01 }),
      row("claim-latency-deep", "sqlite", null, { depth: 1_000_000, p50: 0.019 }),
    ];
    const comparisons = compareWithReferences(rows, [sqlite, raw]);
    const goals = checkGoals([sqlite, raw], rows, comparisons, compareDepths(rows));
    expect(goals.map((g) => [g.goal, g.met])).toEqual([
      ["claim+complete (limit 1) ≥ 1,000 tasks/s", true],
      ["claim-complete-1 ≥ 0.5× baseline", false],
      ["claim-complete-50 ≥ 0.5× baseline", null],
      ["claim p50 deep ÷ shallow ≤ 2", true],
    ]);
  });
});

describe("formatting", () => {
  it("makes file-safe timestamps", () => {
    expect(fileTimestamp("2025-01-31T12:34:56.789Z")).toBe("2025-01-31T12-34-56Z");
  });

  it("shows latencies in microseconds and ratios with two decimals", () => {
    expect(formatMicros(0.0042)).toBe("4.20");
    expect(formatMicros(1.5)).toBe("1,500");
    expect(formatMicros(null)).toBe("—");
    expect(formatRatio(0.625)).toBe("0.63×");
    expect(formatRatio(12.34)).toBe("12.3×");
  });
});
