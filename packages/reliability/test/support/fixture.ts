/**
 * What every scenario test file needs: the servers (found once per file, ephemeral ones stopped
 * after it), the child programs built from the sources when the file starts processes, and a fresh
 * target per test, removed after it, with a loud skip when its backend cannot be had.
 */
import { afterAll, beforeAll, expect, type TestContext } from "vitest";
import type { NodeProgram, ProgramEntry } from "../../src/programs.js";
import { describeViolations, type ScenarioResult, summarize } from "../../src/results.js";
import { type BackendKind, Servers } from "../../src/servers.js";
import { makeTarget, type Target } from "../../src/targets.js";
import { buildSourcePrograms, type SourcePrograms } from "./source-programs.js";

export interface Fixture {
  /** A program built from the sources (only when the fixture was made with `programs: true`). */
  program(entry: ProgramEntry): NodeProgram;
  /**
   * Runs `body` on a fresh target of `kind` named after `label`, and removes the target after it;
   * skips the test with the reason (or fails, under MOORING_REQUIRE) when `kind` cannot be had.
   */
  onTarget(kind: BackendKind, label: string, context: TestContext, body: (target: Target) => Promise<void>): Promise<void>;
}

/** Registers the file's `beforeAll` / `afterAll` hooks and returns the fixture. */
export function scenarioFixture(options: { readonly programs: boolean }): Fixture {
  const servers = new Servers();
  let source: SourcePrograms | null = null;
  beforeAll(() => {
    if (options.programs) source = buildSourcePrograms();
  });
  afterAll(async () => {
    source?.dispose();
    await servers.stop();
  });
  return {
    program(entry) {
      if (!source) throw new Error("this fixture builds no programs (scenarioFixture({ programs: true }))");
      return source.programs(entry);
    },
    async onTarget(kind, label, context, body) {
      const found = await servers.find(kind);
      if ("skip" in found) return context.skip(found.skip);
      const target = await makeTarget(found.available, label);
      try {
        await body(target);
      } finally {
        await target.remove();
      }
    },
  };
}

/** Prints the run's summary and asserts it found nothing: no violation, nothing lost or duplicated. */
export function expectPassed(result: ScenarioResult): void {
  console.info(summarize(result));
  expect(result.violations, describeViolations(result)).toEqual([]);
  expect(result.lost, describeViolations(result)).toBe(0);
  expect(result.duplicated, describeViolations(result)).toBe(0);
}

/** Progress lines of a scenario, printed when MOORING_VERBOSE is set. */
export const verboseLog: { readonly log?: (line: string) => void } = process.env.MOORING_VERBOSE ? { log: (line) => console.info(line) } : {};
