/**
 * `pnpm --filter @mooring/world bench`: issue 17's bench. The same two workflows of the vendor's
 * prebuilt app (workflows.ts), N runs started at once, on `@mooring/world` over each backend, on
 * `@workflow/world-postgres` (the same Postgres server) and on `@workflow/world-local`, in one
 * run: runs/s, steps/s, p50/p99 step latency (round.ts defines them), the median of the rounds
 * with the lowest and highest.
 *
 * Each World runs in an app process of its own: the vendor's app server (the one its suite starts)
 * on bench/timed-world.mjs, which creates the World as the DevKit does and times its events. Every
 * app process is started first, each on a fresh store, and stays up for the whole run; then each
 * round measures every World in turn, one at a time, starting with a different World each round,
 * so that the machine's changing load falls on all of them alike. A World whose server does not
 * answer is reported as unavailable, with the reason; one whose run fails or hangs, with the error.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { fillPage } from "@mooring/bench/docs";
import { AppServer } from "../test/support/app-server.js";
import { withPromiseWithResolvers } from "../test/support/node-options.js";
import { type BenchOptions, parseCommandLine, USAGE, UsageError } from "./options.js";
import {
  type Conditions,
  type ResultRow,
  type WorldBenchReport,
  captureConditions,
  compare,
  finishConditions,
  renderComparisons,
  renderConditions,
  renderResults,
  resultRow,
  saveReport,
} from "./report.js";
import { Journal, measureRound, type RoundResult } from "./round.js";
import { type BenchWorkflow, WORKFLOWS } from "./workflows.js";
import { type OpenWorld, WORLD_TARGETS, type WorldTarget } from "./worlds.js";

const PACKAGE_DIR = packageRoot();
const TIMED_WORLD = join(PACKAGE_DIR, "bench", "timed-world.mjs");
const RESULTS_DIR = join(PACKAGE_DIR, "results");
/** Runs of each workflow per World before the measured rounds (fewer when `--runs` is smaller). */
const WARM_UP_RUNS = 5;
/** Hang detectors, never speed limits: generous for a busy 2-core machine. */
const START_HANG_MS = 120_000;
const ROUND_HANG_MS = 300_000;

/** One World of the run, from its store to its app process and its rounds. */
interface BenchedWorld {
  readonly target: WorldTarget;
  readonly dir: string;
  opened: OpenWorld | null;
  server: AppServer | null;
  journal: Journal | null;
  unavailable: string | null;
  error: string | null;
  readonly rounds: Map<BenchWorkflow["id"], RoundResult[]>;
}

const log = (line: string): void => void process.stderr.write(`${line}\n`);
const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

async function main(argv: readonly string[]): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseCommandLine(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const workflows = WORKFLOWS.filter((workflow) => options.workflows.includes(workflow.id));
  const worlds: BenchedWorld[] = WORLD_TARGETS.filter((target) => options.worlds.includes(target.name)).map((target) => ({
    target,
    dir: mkdtempSync(join(tmpdir(), `mooring-world-bench-${target.name}-`)),
    opened: null,
    server: null,
    journal: null,
    unavailable: null,
    error: null,
    rounds: new Map(),
  }));
  const warmUpRuns = Math.min(WARM_UP_RUNS, options.runs);
  let conditions = captureConditions({ runsPerRound: options.runs, rounds: options.rounds, warmUpRuns, versions: vendorVersions() });
  const stop = onceOnly(() => closeAll(worlds));
  const interrupted = () => void stop().finally(() => process.exit(130));
  process.once("SIGINT", interrupted).once("SIGTERM", interrupted);
  try {
    log(`world bench: ${worlds.map((w) => w.target.name).join(", ")} × ${workflows.map((w) => w.id).join(", ")}, ${options.runs} runs at once, ${options.rounds} rounds`);
    for (const world of worlds) await startWorld(world);
    for (const world of live(worlds)) for (const workflow of workflows) await measure(world, workflow, warmUpRuns, "warm-up");
    for (let round = 0; round < options.rounds; round++) {
      for (const world of rotate(worlds, round)) for (const workflow of workflows) await measure(world, workflow, options.runs, `round ${round + 1}/${options.rounds}`);
    }
  } finally {
    await stop();
    process.removeListener("SIGINT", interrupted).removeListener("SIGTERM", interrupted);
  }
  conditions = finishConditions(conditions);

  const report = buildReport(argv, conditions, workflows, worlds);
  const stamp = conditions.startedAt.replace(/\.\d+Z$/, "Z").replaceAll(":", "-");
  // pnpm runs the script inside packages/world; INIT_CWD is where the user typed the command.
  const typedIn = (path: string): string => resolve(process.env.INIT_CWD ?? process.cwd(), path);
  const paths = [join(RESULTS_DIR, `world-bench-${stamp}.json`), join(RESULTS_DIR, "world-latest.json"), ...(options.out ? [typedIn(options.out)] : [])];
  await saveReport(report, paths);
  const section = renderSection(report);
  process.stdout.write(`\n${section}\n\nSaved ${paths.join(", ")}\n`);
  if (options.page) {
    const page = typedIn(options.page);
    await writeFile(page, fillPage(await readFile(page, "utf8"), { "world-bench": section }));
    log(`wrote the world-bench section of ${page}`);
  }
  return worlds.some((world) => world.error !== null) ? 1 : 0;
}

/** Opens the World's store and starts its app process; records why not when either fails. */
async function startWorld(world: BenchedWorld): Promise<void> {
  const { target } = world;
  let opened: OpenWorld | { readonly unavailable: string };
  try {
    opened = await target.open(world.dir);
  } catch (error) {
    world.error = `could not make its store: ${message(error)}`;
    log(`${target.name}: ${world.error}`);
    return;
  }
  if ("unavailable" in opened) {
    world.unavailable = opened.unavailable;
    log(`${target.name}: unavailable: ${opened.unavailable}`);
    return;
  }
  world.opened = opened;
  const nodeOptions = withPromiseWithResolvers(PACKAGE_DIR, process.env.NODE_OPTIONS);
  const server = new AppServer({
    world: TIMED_WORLD,
    cwd: world.dir,
    env: { ...opened.env, BENCH_WORLD: target.module, ...(nodeOptions === undefined ? {} : { NODE_OPTIONS: nodeOptions }) },
  });
  world.server = server;
  world.journal = new Journal(server);
  try {
    await withHangDetector(server.port, START_HANG_MS, "the app server did not listen");
    log(`${target.name}: app server up (${opened.store})`);
  } catch (error) {
    fail(world, `the app server did not start: ${message(error)}`);
  }
}

/** One round of `runs` runs; a failure ends the World's measurements, with the app's last output. */
async function measure(world: BenchedWorld, workflow: BenchWorkflow, runs: number, label: string): Promise<void> {
  if (world.error !== null || !world.server || !world.journal) return;
  try {
    const result = await measureRound(world.server, world.journal, workflow, runs, ROUND_HANG_MS);
    log(
      `${world.target.name} ${workflow.id} ${label}: ${result.runsPerSec.toFixed(2)} runs/s, ${result.stepsPerSec.toFixed(1)} steps/s, ` +
        `step p50 ${result.stepLatency.p50.toFixed(1)} ms, p99 ${result.stepLatency.p99.toFixed(1)} ms`,
    );
    if (label !== "warm-up") world.rounds.set(workflow.id, [...(world.rounds.get(workflow.id) ?? []), result]);
  } catch (error) {
    fail(world, `${workflow.id} ${label}: ${message(error)}\n--- the app's last output:\n${appOutput(world.server)}`);
    await world.server.stop();
  }
}

/** The end of what the app wrote, without the timed World's lines and the app's start-up banner of curl examples. */
function appOutput(server: AppServer): string {
  return server
    .output()
    .split("\n")
    .filter((line) => !line.startsWith("@bench ") && !line.startsWith("$ curl "))
    .join("\n")
    .slice(-3_000);
}

function fail(world: BenchedWorld, error: string): void {
  world.error = error;
  log(`${world.target.name}: ${error}`);
}

/** Stops every app process, then removes every store and temporary directory, logging what fails. */
async function closeAll(worlds: readonly BenchedWorld[]): Promise<void> {
  await Promise.all(worlds.map((world) => world.server?.stop()));
  for (const world of worlds) {
    try {
      await world.opened?.cleanUp();
    } catch (error) {
      log(`${world.target.name}: could not remove its store: ${message(error)}`);
    }
    rmSync(world.dir, { recursive: true, force: true });
  }
}

function buildReport(argv: readonly string[], conditions: Conditions, workflows: readonly BenchWorkflow[], worlds: readonly BenchedWorld[]): WorldBenchReport {
  const results: ResultRow[] = worlds
    .filter((world) => world.error === null)
    .flatMap((world) => workflows.flatMap((workflow) => {
      const rounds = world.rounds.get(workflow.id) ?? [];
      return rounds.length === 0 ? [] : [resultRow(world.target.name, workflow.id, rounds)];
    }));
  return {
    schema: 1,
    command: ["pnpm --filter @mooring/world bench", ...(argv.length > 0 ? ["--", ...argv.filter((arg) => arg !== "--")] : [])].join(" "),
    conditions,
    workflows,
    worlds: worlds.map((world) => ({
      name: world.target.name,
      module: world.target.module,
      store: world.opened?.store ?? null,
      unavailable: world.unavailable,
      error: world.error,
    })),
    results,
    comparisons: compare(results),
  };
}

function renderSection(report: WorldBenchReport): string {
  const comparisons = report.comparisons.length === 0 ? [] : [renderComparisons(report.comparisons)];
  return [renderConditions(report), renderResults(report), ...comparisons].join("\n\n");
}

/** The Worlds with an app process and no error, in the order of round `round`: each round starts one further on. */
function rotate(worlds: readonly BenchedWorld[], round: number): BenchedWorld[] {
  const running = live(worlds);
  const start = running.length === 0 ? 0 : round % running.length;
  return [...running.slice(start), ...running.slice(0, start)];
}

function live(worlds: readonly BenchedWorld[]): BenchedWorld[] {
  return worlds.filter((world) => world.error === null && world.server !== null);
}

async function withHangDetector<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([promise, hang]);
  } finally {
    clearTimeout(timer);
  }
}

/** `run` once, however often the result is called (a signal may come while the run closes). */
function onceOnly(run: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | null = null;
  return () => (done ??= run());
}

/** The versions of the vendor's packages the run loaded: the app and its runtime, the interface, the peers. */
function vendorVersions(): Record<string, string> {
  const testing = packageJsonOf("@workflow/world-testing");
  return {
    "@workflow/world-testing": testing?.version ?? "unknown",
    "@workflow/core (the app's runtime)": testing?.dependencies?.["@workflow/core"] ?? "unknown",
    "@workflow/world": packageJsonOf("@workflow/world")?.version ?? "unknown",
    "@workflow/world-postgres": packageJsonOf("@workflow/world-postgres")?.version ?? "unknown",
    "@workflow/world-local": packageJsonOf("@workflow/world-local")?.version ?? "unknown",
  };
}

interface PackageJson {
  readonly name?: string;
  readonly version?: string;
  readonly dependencies?: Readonly<Record<string, string>>;
}

/** The package.json of an installed package, found from its entry point (not every package exports it). */
function packageJsonOf(name: string): PackageJson | null {
  let dir = dirname(fileURLToPath(import.meta.resolve(name)));
  for (; dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, "package.json");
    if (!existsSync(file)) continue;
    const json = JSON.parse(readFileSync(file, "utf8")) as PackageJson;
    if (json.name === name) return json;
  }
  return null;
}

/** The directory of this package (the bench runs compiled, from bench/dist/…). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (; dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, "package.json");
    if (existsSync(file) && (JSON.parse(readFileSync(file, "utf8")) as PackageJson).name === "@mooring/world") return dir;
  }
  throw new Error("the bench is not inside the @mooring/world package");
}

process.exitCode = await main(process.argv.slice(2));
