/**
 * The vitest binding of the kit (SPEC K1): one call per backend test file.
 *
 * ```ts
 * describeConformance({
 *   name: "sqlite",
 *   create: async ({ clock, namespace }) => createSqliteBackend({ path: ":memory:", clock, namespace }),
 *   skip: { "E19.wait-for-work": "reason is mandatory" },
 * });
 * ```
 *
 * `clock` is the kit's ManualClock, or undefined for the checks of the backend's own clock
 * (SPEC C3): passed on as the factory's `clock` option, it does the right thing in both cases.
 *
 * Each check becomes one `it` named `<check id> <title>` inside `describe(name)`, so a failing test
 * names its rule. Skipped checks are `it.skip` with the reason in the title; checks of capabilities
 * the backend does not declare are no test at all (the report lists them as not declared). After
 * the last test, the per-rule report is printed and written as JSON, Markdown and JUnit XML to
 * `MOORING_REPORT_DIR` (default `reports`, relative to the working directory).
 */
import { afterAll, describe, it } from "vitest";
import { renderSummary, writeReports } from "./report.js";
import { type CheckResult, type ConformanceOptions, ConformanceSession } from "./runner.js";
import type { Check } from "./registry.js";

/**
 * vitest's own limit per check: none. The runner's hang detector bounds the time a check goes
 * without progress and reports it (closing what the check opened); a limit on the whole check's
 * length would fail a slow machine, not a broken backend.
 */
const NO_TEST_TIMEOUT = 0;

export type DescribeConformanceOptions = ConformanceOptions;

/** Binds every selected check to a vitest test. See the module comment. */
export function describeConformance(options: DescribeConformanceOptions): void {
  const session = new ConformanceSession(options);
  describe(options.name, async () => {
    // Learning the capabilities now lets not-declared checks show as skipped with their reason.
    // When create cannot run yet (it needs a server a hook starts), each test finds out itself.
    await session.probe();
    for (const check of session.selected) {
      const plan = session.plan(check);
      if (plan.status !== "run") {
        await session.run(check);
        // A check of a capability the backend does not declare is not a test of this backend: it
        // is in the report (`not declared`), not in vitest's count of skipped tests.
        if (plan.status === "skipped") it.skip(`${testName(check)} [skipped: ${plan.reason}]`, () => undefined);
        continue;
      }
      it(
        testName(check),
        async (context) => {
          const result = await session.run(check);
          if (result.status === "failed" || result.status === "timed-out") throw failureOf(result);
          if (result.status !== "passed") context.skip(`${result.status}: ${result.reason ?? ""}`);
        },
        NO_TEST_TIMEOUT,
      );
    }
    afterAll(async () => {
      const report = session.report();
      console.log(renderSummary(report));
      const dir = process.env.MOORING_REPORT_DIR ?? "reports";
      const paths = await writeReports(report, dir);
      console.log(`conformance reports: ${paths.join(", ")}`);
    });
  });
}

function testName(check: Check): string {
  return `${check.id} ${check.title}`;
}

/** The error vitest shows: names the check and its rule, carries the replay command and the stack. */
function failureOf(result: CheckResult): Error {
  const verdict = result.status === "timed-out" ? "timed out (a hang detector tripped; the rule was not judged)" : "failed";
  const lines = [`${result.checkId} (SPEC ${result.rule}) ${verdict}: ${result.error?.message ?? "no message"}`];
  if (result.replay && !lines[0]!.includes(result.replay)) lines.push(`replay: ${result.replay}`);
  const error = new Error(lines.join("\n"));
  const frames = result.error?.stack?.split("\n").filter((line) => /^\s+at /.test(line)) ?? [];
  if (frames.length > 0) error.stack = [...lines, ...frames].join("\n");
  return error;
}
