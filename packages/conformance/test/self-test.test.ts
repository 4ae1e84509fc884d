/**
 * The kit's own test (SPEC K5): a kit that passes a broken adapter is the worst defect this
 * project can have. Every adapter in broken-adapters.ts breaks one promise; the kit must fail it
 * and name the broken rule. The same wrapping with nothing broken must pass, so that a failure is
 * the bug's doing and not the wrapper's.
 */
import { createMemoryBackend, MemoryStore } from "@mooring/backend-memory";
import { describe, expect, it } from "vitest";
import { runConformance } from "../src/runner.js";
import { BROKEN_ADAPTERS, breakCreate, type OpenContext } from "./broken-adapters.js";

function memoryCreate(): (context: OpenContext) => Promise<ReturnType<typeof createMemoryBackend>> {
  const stores = new Map<string, MemoryStore>();
  return async ({ clock, namespace }) => {
    let store = stores.get(namespace);
    if (!store) stores.set(namespace, (store = new MemoryStore()));
    return createMemoryBackend({ clock, namespace, store });
  };
}

/** Property runs are kept small here: one broken adapter fails on its first counterexample. */
const NUM_RUNS = 25;

describe("the kit fails every broken adapter, naming the rule (SPEC K5)", () => {
  it("has at least 15 broken adapters covering SPEC section 10", () => {
    expect(BROKEN_ADAPTERS.length).toBeGreaterThanOrEqual(15);
    expect(new Set(BROKEN_ADAPTERS.map((adapter) => adapter.id)).size).toBe(BROKEN_ADAPTERS.length);
  });

  it("passes the same rules through a wrapper that breaks nothing", async () => {
    const rules = [...new Set(BROKEN_ADAPTERS.flatMap((adapter) => adapter.rules))];
    const report = await runConformance({
      name: "unbroken-wrapper",
      create: breakCreate(memoryCreate(), { patch: () => ({}) }),
      only: rules,
      numRuns: NUM_RUNS,
    });
    const failures = report.results.filter((result) => result.status === "failed");
    expect(failures.map((result) => `${result.checkId}: ${result.error?.message}`)).toEqual([]);
    expect(report.totals.passed).toBeGreaterThan(0);
  });

  for (const adapter of BROKEN_ADAPTERS) {
    it(`fails "${adapter.id}" (${adapter.bug}) under ${adapter.rules.join(" or ")}`, async () => {
      const report = await runConformance({
        name: `broken-${adapter.id}`,
        create: breakCreate(memoryCreate(), adapter),
        only: adapter.rules,
        numRuns: NUM_RUNS,
      });
      const failedRules = new Set(report.results.filter((result) => result.status === "failed").map((result) => result.rule));
      expect(report.totals.checks).toBeGreaterThan(0);
      expect(
        adapter.rules.some((rule) => failedRules.has(rule)),
        `the kit passed the broken adapter "${adapter.id}"; failed rules: ${[...failedRules].join(", ") || "none"}`,
      ).toBe(true);
      const named = report.rules.filter((rule) => adapter.rules.includes(rule.rule) && rule.status === "failed");
      expect(named.length).toBeGreaterThan(0);
    });
  }
});
