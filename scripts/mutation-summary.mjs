#!/usr/bin/env node
/**
 * `pnpm mutation:summary [scope…]`: reads the JSON report `pnpm mutation <scope>` wrote to
 * reports/mutation/<scope>.json and prints what docs/kit-strength.md tables: per file, mutants
 * killed, timed out, survived, without coverage, compile errors and ignored, and the score
 * (killed + timed out) / (killed + timed out + survived + no coverage). Then every survivor, and
 * every mutant that only property checks kill (issue 15: each deserves an example check at its
 * boundary, so that a failure points at one rule). Check kinds come from the built kit
 * (`pnpm turbo run build` first).
 */
import { existsSync, readFileSync } from "node:fs";
import { relative } from "node:path";

// The runner entry: the package root also exports the vitest binding, which only loads inside vitest.
const { ALL_CHECKS } = await import("../packages/conformance/dist/runner-entry.js");
const kindById = new Map(ALL_CHECKS.map((check) => [check.id, check.kind]));

const STATUSES = ["Killed", "Timeout", "Survived", "NoCoverage", "CompileError", "Ignored"];

const args = process.argv.slice(2).filter((arg) => arg !== "--");
const scopes = args.length > 0 ? args : ["core-calls", "core-rules", "memory-tasks", "memory-rest"];

for (const scope of scopes) {
  const file = `reports/mutation/${scope}.json`;
  if (!existsSync(file)) {
    console.log(`\n== ${scope}: no report (${file}); run pnpm mutation ${scope}`);
    continue;
  }
  const report = JSON.parse(readFileSync(file, "utf8"));
  /** Test id → check id (the vitest test is named "<check id> <title>"). */
  const checkOf = new Map();
  for (const testFile of Object.values(report.testFiles ?? {})) {
    for (const test of testFile.tests) checkOf.set(test.id, test.name.replace(/^.*? > /, "").split(" ")[0]);
  }
  const totals = Object.fromEntries(STATUSES.map((status) => [status, 0]));
  const survivors = [];
  const propertyOnly = [];
  console.log(`\n== ${scope}\n`);
  console.log("| File | killed | timed out | survived | no coverage | compile errors | ignored | score |");
  console.log("|---|---|---|---|---|---|---|---|");
  for (const [path, { mutants }] of Object.entries(report.files)) {
    const counts = Object.fromEntries(STATUSES.map((status) => [status, 0]));
    for (const mutant of mutants) {
      counts[mutant.status] = (counts[mutant.status] ?? 0) + 1;
      const where = `${relative(process.cwd(), path)}:${mutant.location.start.line}:${mutant.location.start.column}`;
      const what = `${mutant.mutatorName}${mutant.replacement === undefined ? "" : ` → ${JSON.stringify(mutant.replacement).slice(0, 80)}`}`;
      if (mutant.status === "Survived" || mutant.status === "NoCoverage") survivors.push(`${where} ${mutant.status} ${what}`);
      if (mutant.status === "Killed") {
        const killers = (mutant.killedBy ?? []).map((id) => checkOf.get(id) ?? id);
        if (killers.length > 0 && killers.every((check) => kindById.get(check) === "property")) {
          propertyOnly.push(`${where} ${what} (killed by ${killers.join(", ")})`);
        }
      }
    }
    for (const status of STATUSES) totals[status] += counts[status];
    console.log(row(relative(process.cwd(), path), counts));
  }
  console.log(row(`**${scope}**`, totals));
  console.log(`\nSurvivors and uncovered (${survivors.length}):`);
  for (const line of survivors) console.log(`  ${line}`);
  console.log(`\nKilled by property checks only (${propertyOnly.length}):`);
  for (const line of propertyOnly) console.log(`  ${line}`);
}

function row(name, counts) {
  const detected = counts.Killed + counts.Timeout;
  const scored = detected + counts.Survived + counts.NoCoverage;
  const score = scored === 0 ? "n/a" : `${((100 * detected) / scored).toFixed(1)}%`;
  const cells = [counts.Killed, counts.Timeout, counts.Survived, counts.NoCoverage, counts.CompileError, counts.Ignored];
  return `| ${name} | ${cells.join(" | ")} | ${score} |`;
}
