/**
 * Worker crashes on every backend (issue 7; SPEC E4, E5, E7, E11, W11): worker processes claim
 * and settle tasks with fenced commits while random workers are SIGKILLed (and replaced) or frozen
 * with SIGSTOP past their lease; afterwards every task has exactly one terminal outcome and one
 * terminal event, none is lost, and no reclaimed holder completed one. Memory has no process to
 * kill: its workers run in process and crash by abandoning their leases (see src/crash/scenario.ts).
 *
 * Real time, bounded: leases of 800 ms, a sweeper every 100 ms, completion polled with a deadline.
 * `MOORING_SEED` replays a schedule; `MOORING_CRASH_TASKS` scales the task count (default 400).
 */
import { describe, expect, it } from "vitest";
import { runWorkerCrashes } from "../src/crash/scenario.js";
import { chooseSeed } from "../src/prng.js";
import { describeViolations } from "../src/results.js";
import { BACKEND_KINDS } from "../src/servers.js";
import { makeTarget, type Target } from "../src/targets.js";
import { acceptStaleCommits } from "./support/broken-backend.js";
import { expectPassed, scenarioFixture, verboseLog } from "./support/fixture.js";

const fixture = scenarioFixture({ programs: true });
const tasks = Number(process.env.MOORING_CRASH_TASKS ?? 400);

describe.each(BACKEND_KINDS)("worker crashes on %s", (kind) => {
  it("every task ends completed with one terminal event, none lost, none completed by a reclaimed holder (E4, E5, E7, E11, W11)", (context) =>
    fixture.onTarget(kind, "crash", context, async (target) => {
      const seed = chooseSeed();
      const result = await runWorkerCrashes(target, {
        seed,
        tasks,
        workers: 4,
        kills: 6,
        freezes: 2,
        leaseMs: 800,
        deadlineMs: 100_000,
        program: fixture.program("crash/worker-main"),
        ...verboseLog,
      });
      expectPassed(result);
      expect(result.faults, `seed ${seed}: faults were injected`).toBeGreaterThan(0);
    }));
});

describe("the scenario itself", () => {
  it("fails a backend that lets a reclaimed holder commit (SPEC section 10.3: settled by task id alone)", async () => {
    const base = await makeTarget({ kind: "memory", address: null, source: "in process" }, "broken");
    const broken: Target = { ...base, open: async (options) => acceptStaleCommits(await base.open(options)) };
    const result = await runWorkerCrashes(broken, { seed: chooseSeed(), tasks: 120, workers: 4, kills: 1, freezes: 3, leaseMs: 400, deadlineMs: 60_000 });
    expect(result.duplicated, describeViolations(result)).toBeGreaterThan(0);
    expect(result.violations.some((violation) => violation.includes("a reclaimed holder completed it"))).toBe(true);
    expect(result.violations.some((violation) => /^E(5|7|11) /.test(violation))).toBe(true);
  });
});
