/**
 * The reliability report: `pnpm --filter @mooring/reliability report` builds this package and its
 * dependencies, then runs every scenario on every backend it can reach (servers.ts) and writes
 * the table of scenario × backend into docs/reliability.md, between its report markers, with the
 * machine, the servers, the seeds and the command. It also writes the raw results as JSON
 * (`reports/reliability.json`) and exits 1 when any run found a violation.
 *
 * Arguments: `--scenarios worker-crashes,load,secrets`, `--backends memory,sqlite,postgres,redis,redis-cluster`,
 * `--out <markdown file>` (default the repository's docs/reliability.md), `--no-write` (print only).
 * Environment: `MOORING_LOAD_TASKS` (default 50,000), `MOORING_CRASH_TASKS` (default 400),
 * `MOORING_CRASH_RUNS` (runs per backend, default 3), `MOORING_SEED` (the first seed; the others
 * follow from it), `MOORING_REQUIRE` (backends whose absence is an error).
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { cpus, totalmem } from "node:os";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { runWorkerCrashes } from "./crash/scenario.js";
import { runLoad } from "./load/scenario.js";
import { chooseSeed, Prng } from "./prng.js";
import { builtPrograms } from "./programs.js";
import { addFaults, describeFaults, SCENARIOS, type ScenarioName, type ScenarioResult, summarize } from "./results.js";
import { runSecrets } from "./secrets/scenario.js";
import { type Available, BACKEND_KINDS, type BackendKind, Servers, serverVersion } from "./servers.js";
import { makeTarget } from "./targets.js";

const START_MARKER = "<!-- reliability-report:start -->";
const END_MARKER = "<!-- reliability-report:end -->";
export const REPORT_COMMAND = "pnpm --filter @mooring/reliability report";

/** The backends each scenario runs on (issue 7: load on Postgres and Redis). */
const SCENARIO_BACKENDS: Readonly<Record<ScenarioName, readonly BackendKind[]>> = {
  "worker-crashes": BACKEND_KINDS,
  load: ["postgres", "redis"],
  secrets: BACKEND_KINDS,
};

interface Arguments {
  readonly scenarios: readonly ScenarioName[];
  readonly backends: readonly BackendKind[];
  readonly out: string | null;
}

function parseArguments(argv: readonly string[]): Arguments {
  let scenarios: readonly ScenarioName[] = SCENARIOS;
  let backends: readonly BackendKind[] = BACKEND_KINDS;
  let out: string | null = fileURLToPath(new URL("../../../docs/reliability.md", import.meta.url));
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i];
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${argument} needs a value`);
      return next;
    };
    if (argument === "--scenarios") scenarios = listOf(value(), SCENARIOS, "scenario");
    else if (argument === "--backends") backends = listOf(value(), BACKEND_KINDS, "backend");
    else if (argument === "--out") out = value();
    else if (argument === "--no-write") out = null;
    else throw new Error(`unknown argument ${String(argument)} (known: --scenarios, --backends, --out, --no-write)`);
  }
  return { scenarios, backends, out };
}

function listOf<T extends string>(value: string, known: readonly T[], what: string): T[] {
  return value.split(",").map((item) => {
    const name = item.trim() as T;
    if (!known.includes(name)) throw new Error(`unknown ${what} ${JSON.stringify(item)} (known: ${known.join(", ")})`);
    return name;
  });
}

function positiveEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return value;
}

interface Row {
  readonly scenario: ScenarioName;
  readonly backend: BackendKind;
  readonly results: readonly ScenarioResult[];
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function sum(results: readonly ScenarioResult[], pick: (result: ScenarioResult) => number): number {
  return results.reduce((total, result) => total + pick(result), 0);
}

function renderTable(rows: readonly Row[]): string {
  const lines = [
    "| scenario | backend | runs | faults injected | operations | lost | duplicated | duration (total, per run) | result |",
    "| --- | --- | ---: | --- | ---: | ---: | ---: | --- | --- |",
  ];
  for (const { scenario, backend, results } of rows) {
    const failures = results.filter((result) => result.violations.length > 0).length;
    const faults = sum(results, (result) => result.faults);
    const total = sum(results, (result) => result.durationMs);
    const cells = [
      scenario,
      backend,
      String(results.length),
      faults > 0 ? `${faults} (${describeFaults(addFaults(results))})` : "0",
      sum(results, (result) => result.operations).toLocaleString("en-US"),
      String(sum(results, (result) => result.lost)),
      String(sum(results, (result) => result.duplicated)),
      `${seconds(total)}, ${seconds(total / Math.max(results.length, 1))}`,
      failures === 0 ? "pass" : `**FAIL** (${failures} run(s))`,
    ];
    lines.push(`| ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}

function renderDetails(rows: readonly Row[]): string {
  const lines: string[] = [];
  for (const { results } of rows) {
    for (const result of results) {
      lines.push(`- ${summarize(result)}`);
      for (const violation of result.violations.slice(0, 10)) lines.push(`  - violation: ${violation}`);
    }
  }
  return lines.join("\n");
}

async function main(): Promise<number> {
  const args = parseArguments(process.argv.slice(2));
  const programs = builtPrograms();
  if (!programs) throw new Error("the report runs from the build (dist/report.js): run it with `pnpm --filter @mooring/reliability report`");
  const loadTasks = positiveEnv("MOORING_LOAD_TASKS", 50_000);
  const crashTasks = positiveEnv("MOORING_CRASH_TASKS", 400);
  const crashRuns = positiveEnv("MOORING_CRASH_RUNS", 3);
  const firstSeed = chooseSeed();
  const seeds = new Prng(firstSeed);
  const servers = new Servers();
  const rows: Row[] = [];
  const found = new Map<BackendKind, Available>();
  const skipped: string[] = [];
  const started = new Date();
  const log = (line: string): void => console.info(line);
  try {
    for (const backend of args.backends) {
      const availability = await servers.find(backend);
      if ("skip" in availability) skipped.push(`${backend}: ${availability.skip}`);
      else found.set(backend, availability.available);
    }
    for (const scenario of args.scenarios) {
      for (const backend of SCENARIO_BACKENDS[scenario]) {
        const available = found.get(backend);
        if (!available) continue;
        const runs = scenario === "worker-crashes" ? crashRuns : 1;
        const results: ScenarioResult[] = [];
        for (let run = 0; run < runs; run++) {
          const target = await makeTarget(available, scenario === "worker-crashes" ? "crash" : scenario);
          try {
            const seed = seeds.uint32();
            let result: ScenarioResult;
            if (scenario === "worker-crashes") result = await runWorkerCrashes(target, { seed, tasks: crashTasks, program: programs("crash/worker-main") });
            else if (scenario === "load") result = await runLoad(target, { seed, tasks: loadTasks, log });
            else result = await runSecrets(target, { heapProbe: programs("secrets/heap-probe") });
            log(summarize(result));
            results.push(result);
          } finally {
            await target.remove();
          }
        }
        rows.push({ scenario, backend, results });
      }
    }
    const versions: string[] = [];
    for (const [backend, available] of found) {
      const version = await serverVersion(available);
      versions.push(`${backend}: ${version === null ? "" : `${version}, `}${available.source}`);
    }
    const finished = new Date();
    const cpu = cpus();
    const section = [
      START_MARKER,
      "",
      `Produced by \`${REPORT_COMMAND}\`${process.argv.length > 2 ? ` (arguments: \`${process.argv.slice(2).join(" ")}\`)` : ""} on ${started.toISOString().slice(0, 10)}, in ${seconds(finished.getTime() - started.getTime())}:`,
      `${cpu.length} × ${cpu[0]?.model.trim() ?? "unknown CPU"}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version};`,
      `${crashRuns} worker-crash run(s) of ${crashTasks} tasks per backend, load of ${loadTasks.toLocaleString("en-US")} tasks, first seed ${firstSeed} (\`MOORING_SEED=${firstSeed}\` replays the schedules).`,
      "",
      `Servers: ${versions.join("; ") || "none"}.${skipped.length > 0 ? ` Skipped: ${skipped.join("; ")}.` : ""}`,
      "",
      renderTable(rows),
      "",
      "<details><summary>Every run</summary>",
      "",
      renderDetails(rows),
      "",
      "</details>",
      "",
      END_MARKER,
    ].join("\n");
    console.info(`\n${section}\n`);
    const json = fileURLToPath(new URL("../reports/reliability.json", import.meta.url));
    await mkdir(dirname(json), { recursive: true });
    await writeFile(json, `${JSON.stringify({ started: started.toISOString(), firstSeed, loadTasks, crashTasks, crashRuns, versions, skipped, rows }, null, 2)}\n`);
    if (args.out !== null) await writeSection(args.out, section);
    return rows.some((row) => row.results.some((result) => result.violations.length > 0)) ? 1 : 0;
  } finally {
    await servers.stop();
  }
}

/** Replaces the report section of `file` (between the markers), or appends one. */
async function writeSection(file: string, section: string): Promise<void> {
  const page = await readFile(file, "utf8").catch(() => null);
  if (page === null) throw new Error(`${file} does not exist: the report fills the table of an existing page`);
  const start = page.indexOf(START_MARKER);
  const end = page.indexOf(END_MARKER);
  const updated = start >= 0 && end > start ? page.slice(0, start) + section + page.slice(end + END_MARKER.length) : `${page.trimEnd()}\n\n${section}\n`;
  await writeFile(file, updated);
  console.info(`wrote the table into ${file}`);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
