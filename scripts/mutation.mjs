#!/usr/bin/env node
/**
 * `pnpm mutation [scope…]`: StrykerJS over one scope of the memory backend and core's shared rules,
 * with the conformance kit as the only test suite (stryker.config.mjs, docs/kit-strength.md).
 *
 *   pnpm mutation            the four halves, one after the other (two hours or more)
 *   pnpm mutation core-calls | core-rules | memory-tasks | memory-rest   one half, well within an hour
 *   pnpm mutation core | memory   both halves of one package, one after the other
 *   pnpm mutation 'packages/core/src/keys.ts'   any file or glob inside the scope
 *
 * Each scope keeps its own incremental file under reports/mutation/ (gitignored), so a second run
 * only tests the mutants whose code or covering checks changed.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";

const core = (file) => `packages/core/src/${file}`;
const memory = (file) => `packages/backend-memory/src/${file}`;

/** Core's shared rules: the code every backend runs through defineBackend or calls itself. */
const CORE_CALLS = [core("call-rules.ts"), core("define-backend.ts"), core("validation.ts")];
const CORE_RULES = [core("keys.ts"), core("tokens.ts"), core("rules/fence.ts"), core("rules/details.ts"), core("rules/json.ts")];
const MEMORY_TASKS = [memory("tasks.ts")];
/**
 * The memory backend's files the kit can reach. The factory's option checks and URL parsing
 * (index.ts) and the operator hooks (operations.ts) are not: the kit receives a backend its
 * adapter already created. The package's own tests check them, as core's open-backend.ts is left
 * to core's tests.
 */
const MEMORY_IN_REACH = [memory("*.ts"), `!${memory("index.ts")}`, `!${memory("operations.ts")}`];
const MEMORY_REST = [...MEMORY_IN_REACH, `!${memory("tasks.ts")}`];

/** The halves, each well within an hour on 2 cores. */
export const SCOPES = Object.freeze({
  "core-calls": CORE_CALLS,
  "core-rules": CORE_RULES,
  "memory-tasks": MEMORY_TASKS,
  "memory-rest": MEMORY_REST,
});

/** Names for several halves, run one after the other, each with its own report. */
const GROUPS = Object.freeze({
  core: ["core-calls", "core-rules"],
  memory: ["memory-tasks", "memory-rest"],
});

/**
 * Core's files that the memory backend never calls: `canonicalJson`, which SQLite and Redis use to
 * compare definitions. A scope holding one runs the kit on memory and on SQLite; on memory alone
 * its mutants would be "not covered" whatever the kit checks. Every other scope runs the kit on
 * memory alone: the code of core-calls wraps every call, so each of its mutants is covered by every
 * check, and a second backend would double the run (about two hours) to test the same code path.
 */
const NEEDS_SECOND_BACKEND = [core("rules/json.ts")];

function suiteOf(files) {
  const suite = files.some((file) => NEEDS_SECOND_BACKEND.includes(file)) ? "mutation-core" : "mutation";
  return `packages/conformance/vitest.${suite}.config.ts`;
}

const args = process.argv.slice(2).filter((arg) => arg !== "--");
const requested = (args.length === 0 ? Object.keys(SCOPES) : args).flatMap((arg) => GROUPS[arg] ?? [arg]);

mkdirSync("reports/mutation", { recursive: true });
let status = 0;
for (const scope of requested) {
  const files = SCOPES[scope] ?? [scope];
  const name = SCOPES[scope] ? scope : scope.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "");
  console.log(`\n== mutation scope ${name}: ${files.join(" ")}`);
  const run = spawnSync(
    "pnpm",
    [
      "exec", "stryker", "run", "stryker.config.mjs",
      "--mutate", files.join(","),
      "--incrementalFile", `reports/mutation/${name}.incremental.json`,
    ],
    { stdio: "inherit", env: { ...process.env, MOORING_MUTATION_SCOPE: name, MOORING_MUTATION_SUITE: suiteOf(files) } },
  );
  if (run.status !== 0) status = run.status ?? 1;
}
process.exit(status);
