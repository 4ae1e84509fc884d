import { describe, expect, it } from "vitest";
import { LatencyRecorder, percentile, ratePerSecond, ratio, runPhase, summarizeLatencies, warmUpAndMeasure } from "../src/harness.js";

describe("percentile (nearest rank)", () => {
  const hundred = Float64Array.from({ length: 100 }, (_, index) => index + 1);

  it("returns the value at rank ceil(p/100 · n)", () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 99.9)).toBe(100);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile(hundred, 1)).toBe(1);
  });

  it("returns the smallest value for p = 0 and a recorded value, never an interpolation", () => {
    expect(percentile(hundred, 0)).toBe(1);
    expect(percentile([10, 20], 50)).toBe(10);
    expect(percentile([10, 20], 51)).toBe(20);
    expect(percentile([7], 99)).toBe(7);
  });

  it("rejects an empty set and a percent outside [0, 100]", () => {
    expect(() => percentile([], 50)).toThrow(RangeError);
    expect(() => percentile([1], -1)).toThrow(RangeError);
    expect(() => percentile([1], 100.5)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
  });
});

describe("summarizeLatencies", () => {
  it("sorts numerically and reports extremes, mean and percentiles", () => {
    // Lexicographic sorting would put 100 before 20; the summary must not.
    const summary = summarizeLatencies([100, 20, 3, 20, 7]);
    expect(summary).toEqual({ count: 5, min: 3, mean: 30, p50: 20, p90: 100, p99: 100, p999: 100, max: 100 });
  });

  it("is null for no values", () => {
    expect(summarizeLatencies([])).toBeNull();
  });

  it("does not reorder the caller's array", () => {
    const values = [3, 1, 2];
    summarizeLatencies(values);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe("ratePerSecond and ratio", () => {
  it("converts items over milliseconds to items per second", () => {
    expect(ratePerSecond(500, 250)).toBe(2000);
    expect(ratePerSecond(1, 1000)).toBe(1);
  });

  it("is null when nothing elapsed or nothing was done", () => {
    expect(ratePerSecond(10, 0)).toBeNull();
    expect(ratePerSecond(0, 10)).toBeNull();
    expect(ratePerSecond(10, Number.NaN)).toBeNull();
  });

  it("divides by a positive reference only", () => {
    expect(ratio(50, 100)).toBe(0.5);
    expect(ratio(50, 0)).toBeNull();
    expect(ratio(null, 100)).toBeNull();
    expect(ratio(50, undefined)).toBeNull();
  });
});

describe("LatencyRecorder", () => {
  it("grows past its initial capacity and keeps every value", () => {
    const recorder = new LatencyRecorder(2);
    for (let value = 1; value <= 5; value++) recorder.record(value);
    expect(recorder.count).toBe(5);
    expect(recorder.summary()).toMatchObject({ count: 5, min: 1, max: 5, p50: 3 });
  });
});

describe("runPhase", () => {
  it("issues each call index once across the workers and sums the items", async () => {
    const seen: number[] = [];
    const result = await runPhase({ calls: 50, concurrency: 4, maxMs: 60_000 }, async (call) => {
      seen.push(call);
      await Promise.resolve();
      return 3;
    });
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, index) => index));
    expect(result).toMatchObject({ calls: 50, items: 150, truncated: false });
    expect(result.latency?.count).toBe(50);
  });

  it("keeps at most `concurrency` calls in flight, and reaches that many", async () => {
    let inFlight = 0;
    let peak = 0;
    const workers = new Set<number>();
    await runPhase({ calls: 40, concurrency: 5, maxMs: 60_000 }, async (_call, worker) => {
      workers.add(worker);
      peak = Math.max(peak, ++inFlight);
      await Promise.resolve();
      inFlight--;
      return 1;
    });
    expect(peak).toBe(5);
    expect([...workers].sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it("ends with the error of a failing call", async () => {
    await expect(
      runPhase({ calls: 10, concurrency: 1, maxMs: 60_000 }, async (call) => {
        if (call === 3) throw new Error("boom");
        return 1;
      }),
    ).rejects.toThrow("boom");
  });

  it("rejects a malformed plan", async () => {
    await expect(runPhase({ calls: 1, concurrency: 0, maxMs: 1 }, async () => 1)).rejects.toThrow(RangeError);
    await expect(runPhase({ calls: -1, concurrency: 1, maxMs: 1 }, async () => 1)).rejects.toThrow(RangeError);
    await expect(runPhase({ calls: 1, concurrency: 1, maxMs: 0 }, async () => 1)).rejects.toThrow(RangeError);
  });

  it("measures nothing for zero calls", async () => {
    const result = await runPhase({ calls: 0, concurrency: 2, maxMs: 1_000 }, async () => 1);
    expect(result).toMatchObject({ calls: 0, items: 0, latency: null });
  });
});

describe("warmUpAndMeasure", () => {
  it("continues call indexes after the warm-up and reports the measured phase only", async () => {
    const seen: number[] = [];
    const result = await warmUpAndMeasure(
      { calls: 3, concurrency: 1, maxMs: 60_000 },
      { calls: 4, concurrency: 1, maxMs: 60_000 },
      async (call) => {
        seen.push(call);
        return 2;
      },
    );
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(result).toMatchObject({ calls: 4, items: 8 });
  });
});
