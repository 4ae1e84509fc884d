import { describe, expect, it } from "vitest";
import { UsageError, concurrencyFor, parseCommandLine, parseConcurrency, selectTargets } from "../src/options.js";
import type { TargetDefinition } from "../src/targets/target.js";
import { WORKLOAD_IDS } from "../src/workloads.js";

const target = (name: string, backend: string, defaultConcurrency = 1): TargetDefinition => ({
  name,
  backend,
  defaultConcurrency,
  describe: () => ({}),
  open: () => Promise.reject(new Error("not opened in these tests")),
});
const registry = [target("memory", "memory"), target("sqlite", "sqlite"), target("raw-sqlite", "sqlite"), target("postgres", "postgres", 24)];

describe("parseCommandLine", () => {
  it("defaults to every backend and workload, full sizes, no output file", () => {
    expect(parseCommandLine([])).toEqual({
      backends: null,
      workloads: [...WORKLOAD_IDS],
      quick: false,
      skipMillion: false,
      concurrency: { all: null, perWorkload: {} },
      concurrencyFlag: null,
      out: null,
      help: false,
    });
  });

  it("ignores the leading -- that pnpm passes through", () => {
    expect(parseCommandLine(["--", "--backend", "memory", "--quick"])).toMatchObject({ backends: ["memory"], quick: true });
  });

  it("drops the deep latency workload with --skip-million", () => {
    const options = parseCommandLine(["--skip-million", "--out", "x.json"]);
    expect(options.workloads).not.toContain("claim-latency-deep");
    expect(options.workloads).toContain("claim-latency-shallow");
    expect(options.out).toBe("x.json");
  });

  it("rejects unknown flags, workloads and empty selections", () => {
    expect(() => parseCommandLine(["--fast"])).toThrow(UsageError);
    expect(() => parseCommandLine(["--workload", "dance"])).toThrow(UsageError);
    expect(() => parseCommandLine(["--backend", ","])).toThrow(UsageError);
    expect(() => parseCommandLine(["--workload", "claim-latency-deep", "--skip-million"])).toThrow(UsageError);
    expect(() => parseCommandLine(["stray"])).toThrow(UsageError);
  });
});

describe("concurrency", () => {
  it("parses a default, per-workload values, or both", () => {
    expect(parseConcurrency("4")).toEqual({ all: 4, perWorkload: {} });
    expect(parseConcurrency("claim-complete-1=24, enqueue=8")).toEqual({ all: null, perWorkload: { "claim-complete-1": 24, enqueue: 8 } });
    expect(parseConcurrency("2,kv-get=50")).toEqual({ all: 2, perWorkload: { "kv-get": 50 } });
  });

  it("rejects malformed specs", () => {
    for (const spec of ["0", "1.5", "x", "enqueue=", "nope=3", "2,3", "enqueue=1,enqueue=2", "-1"]) {
      expect(() => parseConcurrency(spec), spec).toThrow(UsageError);
    }
  });

  it("prefers the per-workload flag, then the global flag, then the target's default", () => {
    const postgres = registry[3] as TargetDefinition;
    expect(concurrencyFor({ all: null, perWorkload: {} }, "enqueue", postgres)).toBe(24);
    expect(concurrencyFor({ all: 3, perWorkload: {} }, "enqueue", postgres)).toBe(3);
    expect(concurrencyFor({ all: 3, perWorkload: { enqueue: 50 } }, "enqueue", postgres)).toBe(50);
  });

  it("keeps the fixed concurrency of the drains and claim latencies", () => {
    const postgres = registry[3] as TargetDefinition;
    expect(concurrencyFor({ all: 3, perWorkload: {} }, "drain-c24", postgres)).toBe(24);
    expect(concurrencyFor({ all: 3, perWorkload: {} }, "drain-c1", postgres)).toBe(1);
    expect(concurrencyFor({ all: 3, perWorkload: {} }, "claim-latency-deep", postgres)).toBe(1);
    expect(() => parseConcurrency("drain-c50=8")).toThrow(/fixed concurrency/);
  });
});

describe("selectTargets", () => {
  it("selects a backend with its baseline, in registry order", () => {
    expect(selectTargets(registry, ["sqlite", "memory"]).map((t) => t.name)).toEqual(["memory", "sqlite", "raw-sqlite"]);
  });

  it("selects a single target by name, and everything by default", () => {
    expect(selectTargets(registry, ["raw-sqlite"]).map((t) => t.name)).toEqual(["raw-sqlite"]);
    expect(selectTargets(registry, null)).toHaveLength(4);
  });

  it("rejects a name that matches nothing", () => {
    expect(() => selectTargets(registry, ["oracle"])).toThrow(/unknown backend or target "oracle"/);
  });
});
