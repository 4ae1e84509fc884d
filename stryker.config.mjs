// @ts-check
/**
 * StrykerJS over the memory backend and core's shared rules, with the conformance kit as the only
 * test suite (issue 15, docs/kit-strength.md). Run it through `pnpm mutation [scope]`
 * (scripts/mutation.mjs), which picks the files to mutate and the incremental file per scope.
 *
 * In place, not in a sandbox: the kit resolves `@mooring/*` through pnpm's workspace links to the
 * real `packages/*` folders, so a sandbox copy would test the unmutated originals. Stryker restores
 * every file when it ends; after a hard kill, `git checkout packages/core/src packages/backend-memory/src`.
 * @type {import("@stryker-mutator/api/core").PartialStrykerOptions}
 */
/** The scope's name, set by scripts/mutation.mjs; it names the reports. */
const scope = process.env.MOORING_MUTATION_SCOPE ?? "all";

export default {
  packageManager: "pnpm",
  testRunner: "vitest",
  // The suite: the kit on memory, and for core's scopes also on SQLite (scripts/mutation.mjs picks).
  vitest: {
    configFile: process.env.MOORING_MUTATION_SUITE ?? "packages/conformance/vitest.mutation.config.ts",
    dir: "packages/conformance",
  },
  checkers: ["typescript"],
  tsconfigFile: "tsconfig.mutation.json",
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  plugins: ["@stryker-mutator/vitest-runner", "@stryker-mutator/typescript-checker", "./scripts/stryker-message-ignorer.mjs"],
  ignorers: ["error-messages"],
  inPlace: true,
  // vitest transpiles with esbuild, which ignores types: no file needs a `// @ts-nocheck`, and in
  // place Stryker would otherwise write one into every file of the repository until it ends.
  disableTypeChecks: false,
  coverageAnalysis: "perTest",
  incremental: true,
  concurrency: 2,
  // A mutant that makes a check wait forever (a waiter that is never woken) is timed out after
  // 1.5 times the check's own time in the dry run plus this margin. The kit's checks take
  // milliseconds to a few seconds on the memory backend, so 10 s is far beyond a slow run of a
  // healthy check; at 60 s the wake-up mutants alone took over an hour of a memory-tasks run.
  timeoutMS: 10_000,
  reporters: ["clear-text", "progress-append-only", "html", "json"],
  htmlReporter: { fileName: `reports/mutation/${scope}.html` },
  jsonReporter: { fileName: `reports/mutation/${scope}.json` },
  tempDirName: "reports/mutation/.stryker-tmp",
  cleanTempDir: "always",
  thresholds: { high: 95, low: 90, break: null },
};
