/**
 * Load with a recorded history on Postgres and Redis (issue 7; SPEC E4, E7, E11, W7, W8): 64
 * concurrent workers on 4 clients claim, renew, complete, fail and release tasks; unreliable
 * workers let their leases expire (forced expiries); two sweepers reclaim; eight appenders write
 * event batches to 16 runs; the kit's history checker verifies the whole history.
 *
 * `MOORING_LOAD_TASKS` sets the task count; the default is the 50,000 per backend (about
 * 60 s on Postgres and 20 s on Redis on the 2-core machine the figures in docs/reliability.md
 * come from).
 */
import { describe, expect, it } from "vitest";
import { runLoad } from "../src/load/scenario.js";
import { chooseSeed } from "../src/prng.js";
import { describeViolations } from "../src/results.js";
import { makeTarget, type Target } from "../src/targets.js";
import { acceptStaleCompletes } from "./support/broken-backend.js";
import { expectPassed, scenarioFixture, verboseLog } from "./support/fixture.js";

const fixture = scenarioFixture({ programs: false });
const tasks = Number(process.env.MOORING_LOAD_TASKS ?? 50_000);

describe.each(["postgres", "redis"] as const)("load with a recorded history on %s", (kind) => {
  it(`${tasks.toLocaleString("en-US")} tasks, 64 workers: the whole history keeps E4, E7, E11 and W7; no task lost or settled twice`, (context) =>
    fixture.onTarget(kind, "load", context, async (target) => {
      const seed = chooseSeed();
      const result = await runLoad(target, { seed, tasks, workers: 64, clients: 4, ...verboseLog });
      expectPassed(result);
      expect(result.faults, `seed ${seed}: some leases were left to expire`).toBeGreaterThan(0);
    }));
});

describe("the scenario itself", () => {
  it("fails a backend that accepts a complete after the lease expired (SPEC section 10.7)", async () => {
    const base = await makeTarget({ kind: "memory", address: null, source: "in process" }, "broken");
    const broken: Target = { ...base, open: async (options) => acceptStaleCompletes(await base.open(options)) };
    const result = await runLoad(broken, { seed: chooseSeed(), tasks: 2_000, workers: 16, clients: 2 });
    expect(result.violations.some((violation) => /^E(5|7|11) /.test(violation)), describeViolations(result)).toBe(true);
  });
});
