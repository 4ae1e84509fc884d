/**
 * The bench's arithmetic (bench/round.ts, bench/report.ts) on made-up journal lines: what a round
 * derives from the timed World's lines, and how rounds become the table. No app server, no clock:
 * the bench itself is a command (`pnpm --filter @mooring/world bench`), never a timed test.
 */
import { describe, expect, it, vi } from "vitest";
import { compare, renderResults, resultRow, spread } from "../bench/report.js";
import { Journal, measureRound, type RoundResult } from "../bench/round.js";
import type { BenchWorkflow } from "../bench/workflows.js";

const twoSteps: BenchWorkflow = { id: "sequential", title: "two steps", file: "workflows/x.ts", workflow: "x", args: [], steps: 2 };

/** An app server that answers each invoke with the next run id and writes that run's lines, shifted by `offsetMs`. */
function fakeServer(lines: (runId: string, offsetMs: number) => string[]) {
  const listeners: ((line: string) => void)[] = [];
  let runs = 0;
  return {
    onLine: (listener: (line: string) => void) => void listeners.push(listener),
    invoke: async () => {
      const run = ++runs;
      const runId = `wrun_${run}`;
      // After the invoke answers, as the app's lines arrive.
      setImmediate(() => {
        for (const line of lines(runId, run * 1_000)) for (const listener of listeners) listener(line);
      });
      return runId;
    },
  };
}

/** Step a is created then started (queued); step b is created by its start (run inline); the app's own output is ignored. */
const twoStepRun = (runId: string, t: number): string[] => [
  `@bench ${t} run_created ${runId}`,
  `@bench ${t + 10} step_created ${runId} step_a`,
  "await 5",
  `@bench ${t + 15} step_started ${runId} step_a`,
  `@bench ${t + 30} step_completed ${runId} step_a`,
  `@bench ${t + 40} step_started ${runId} step_b`,
  `@bench ${t + 45} step_completed ${runId} step_b`,
  `@bench ${t + 50} run_completed ${runId}`,
];

describe("a round", () => {
  it("times steps from their first event, runs from run_created to run_completed, the round from first start to last end", async () => {
    const server = fakeServer(twoStepRun);
    const result = await measureRound(server, new Journal(server), twoSteps, 2, 10_000);
    expect(result.runs).toBe(2);
    expect(result.steps).toBe(4);
    // Runs start at 1,000 and 2,000 and take 50 ms each: 1,050 ms from the first start to the last end.
    expect(result.elapsedMs).toBe(1_050);
    expect(result.runsPerSec).toBeCloseTo(2 / 1.05);
    expect(result.stepsPerSec).toBeCloseTo(4 / 1.05);
    // Step a: 10 → 30 (its step_created, not its step_started); step b: 40 → 45.
    expect(result.stepLatency.count).toBe(4);
    expect(result.stepLatency.min).toBe(5);
    expect(result.stepLatency.max).toBe(20);
    expect(result.runLatency.p50).toBe(50);
  });

  it("is an error when a run fails or completes fewer steps than the workflow has", async () => {
    const failed = fakeServer((runId, t) => [`@bench ${t} run_created ${runId}`, `@bench ${t + 5} run_failed ${runId}`]);
    await expect(measureRound(failed, new Journal(failed), twoSteps, 1, 10_000)).rejects.toThrow(/failed/);
    const short = fakeServer((runId, t) => twoStepRun(runId, t).filter((line) => !line.includes("step_b")));
    await expect(measureRound(short, new Journal(short), twoSteps, 1, 10_000)).rejects.toThrow(/1 of 2 steps completed/);
  });

  it("gives up after its hang detector when runs never end", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      const silent = fakeServer(() => []);
      const outcome = expect(measureRound(silent, new Journal(silent), twoSteps, 3, 300_000)).rejects.toThrow(/0 of 3 runs ended within 300 s/);
      await vi.advanceTimersByTimeAsync(300_000);
      await outcome;
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("the report", () => {
  const round = (runsPerSec: number, p50: number): RoundResult => {
    const latency = { count: 1, min: p50, mean: p50, p50, p90: p50, p99: p50, p999: p50, max: p50 };
    return { runs: 1, steps: 20, elapsedMs: 1_000 / runsPerSec, runsPerSec, stepsPerSec: runsPerSec * 20, stepLatency: latency, runLatency: latency };
  };

  it("summarises rounds as the nearest-rank median with the lowest and highest", () => {
    expect(spread([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3 });
    expect(spread([4, 1])).toEqual({ median: 1, min: 1, max: 4 });
    expect(spread([])).toBeNull();
  });

  it("compares each World of ours with each peer on the medians", () => {
    const rows = [
      resultRow("sqlite", "sequential", [round(4, 10)]),
      resultRow("world-postgres", "sequential", [round(2, 20)]),
      resultRow("world-local", "sequential", [round(8, 5)]),
    ];
    expect(compare(rows)).toEqual([
      { world: "sqlite", workflow: "sequential", against: "world-postgres", throughputRatio: 2, stepP50Ratio: 0.5 },
      { world: "sqlite", workflow: "sequential", against: "world-local", throughputRatio: 0.5, stepP50Ratio: 2 },
    ]);
  });

  it("keeps a World that could not run in the table, with the reason", () => {
    const table = renderResults({
      workflows: [twoSteps],
      worlds: [
        { name: "redis", module: "@mooring/world", store: null, unavailable: "redis://127.0.0.1:6379: ECONNREFUSED", error: null },
        { name: "world-postgres", module: "@workflow/world-postgres", store: "db", unavailable: null, error: "sequential round 1/3: 0 of 10 runs ended\n--- the app's last output" },
      ],
      results: [],
    });
    expect(table).toContain("| @mooring/world, redis | sequential | unavailable: redis://127.0.0.1:6379: ECONNREFUSED |");
    expect(table).toContain("| @workflow/world-postgres | sequential | error: sequential round 1/3: 0 of 10 runs ended |");
  });
});
