/**
 * `mooring conformance`: runs the kit against each backend, one after the other, with live
 * progress; prints the matrix; writes each backend's reports (JSON, Markdown, JUnit: SPEC K4) and
 * the combined matrix (`matrix.md`, `matrix.json`) to `--out`.
 *
 * Exit status: 0 when every check that ran passed; 1 when any failed; 2 for a usage error or a
 * backend that was asked for (by `--backend` or an environment variable, or listed in
 * `MOORING_REQUIRE`) and cannot be opened; 130 when interrupted.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { ManualClock } from "@mooring/core";
import {
  type CheckResult,
  type ConformanceReport,
  ConformanceSession,
  DEFAULT_NUM_RUNS,
  newNamespace,
  type ReportFormat,
  runConformance,
  writeReports,
} from "@mooring/conformance/runner";
import { type CliIo, colorsFor, describeError, UsageError, widthOf, writeLines } from "./io.js";
import { type KitStore, openKitStore } from "./kit-stores.js";
import { buildMatrix, hasFailures, type MatrixRun, renderMatrixJson, renderMatrixMarkdown, renderMatrixTable } from "./matrix.js";
import { createProgress } from "./progress.js";
import { type BackendSpec, type DiscoveryNote, discoverBackends, releaseSpec, requiredKinds, resolveBackendArguments } from "./targets.js";

export interface ConformanceCommandOptions {
  /** `--backend` values, in order; empty for the default set. */
  readonly backend: readonly string[];
  /** `--report` values, each a format or a comma list; empty for every format. */
  readonly report: readonly string[];
  readonly out: string;
  readonly runs?: string;
  /** `--only` values, each a rule or check id or a comma list of them. */
  readonly only: readonly string[];
  readonly concurrency?: string;
}

const FORMAT_NAMES: Readonly<Record<string, ReportFormat>> = { md: "markdown", markdown: "markdown", json: "json", junit: "junit", xml: "junit" };

/**
 * Checks run at once against one backend unless `--concurrency` says otherwise. Each check has its
 * own namespace, so they never see each other; a server backend spends most of a check waiting
 * for round trips, and runs several times faster with four at once.
 */
const DEFAULT_CONCURRENCY = 4;

/** Exit status of an interrupted run (128 + SIGINT), as shells report it. */
const INTERRUPTED = 130;

/** Runs the command; `commandLine` is what the matrix records as its origin (passwords redacted). */
export async function conformanceCommand(options: ConformanceCommandOptions, io: CliIo, commandLine: string): Promise<number> {
  const env = io.env ?? process.env;
  const colors = colorsFor(io.stderr, env);
  const formats = reportFormats(options.report);
  const numRuns = options.runs === undefined ? undefined : positiveInteger(options.runs, "--runs", 1_000_000);
  const concurrency = options.concurrency === undefined ? DEFAULT_CONCURRENCY : positiveInteger(options.concurrency, "--concurrency", 64);
  const only = options.only.flatMap(splitList);
  const selection = selectionOf(only, numRuns, concurrency);
  const outDir = resolve(options.out);

  const { specs, notes } = options.backend.length > 0 ? { specs: await resolveBackendArguments(options.backend, env), notes: null } : await discoverBackends(env);
  const stores: KitStore[] = [];
  try {
    const opened = await openAll(specs, stores, env);
    printBackends(io, colors, specs, notes, opened);
    if (opened.errors.length > 0) {
      writeLines(io.stderr, ...opened.errors.map((error) => colors.red(`error: ${error}`)));
      return 2;
    }
    if (opened.ready.length === 0) {
      writeLines(io.stderr, colors.red("error: no backend to run"));
      return 2;
    }

    const labels = opened.ready.map((store) => store.spec.label);
    const progress = createProgress(io.stderr, colors, labels, selection.total);
    const runs: MatrixRun[] = [];
    try {
      for (const store of opened.ready) {
        const { label } = store.spec;
        progress.start(label);
        const report = await untilAborted(
          runConformance({
            name: label,
            create: store.create,
            ...(only.length > 0 ? { only } : {}),
            ...(numRuns === undefined ? {} : { numRuns }),
            concurrency,
            onResult: (result) => progress.result(label, result),
          }),
          io.signal,
        );
        if (report === null) {
          progress.stop();
          writeLines(io.stderr, colors.yellow("interrupted: removing what the run created"));
          return INTERRUPTED;
        }
        progress.finish(label, report);
        runs.push({ label, url: store.spec.display, report });
      }
    } finally {
      progress.stop();
    }

    const bySpec = new Map(specs.map((spec) => [spec.label, spec]));
    const replay = (run: MatrixRun, result: CheckResult): string => replayCommand(bySpec.get(run.label), result, selection.numRuns);
    const matrix = buildMatrix(runs, commandLine, replay);
    io.stdout.write(renderMatrixTable(matrix, colorsFor(io.stdout, env), widthOf(io.stdout)));

    let written: string[];
    try {
      written = await writeAll(outDir, runs.map((run) => run.report), formats, renderMatrixMarkdown(matrix), renderMatrixJson(matrix));
    } catch (error) {
      writeLines(io.stderr, colors.red(`error: cannot write the reports to ${displayPath(outDir)}: ${describeError(error)}`));
      return 2;
    }
    writeLines(io.stderr, "", `Reports in ${displayPath(outDir)}: ${written.map((path) => relative(outDir, path)).join(", ")}`);
    return hasFailures(matrix) ? 1 : 0;
  } finally {
    const warnings = (await Promise.all(stores.map((store) => store.dispose()))).flat();
    for (const spec of specs) {
      const warning = await releaseSpec(spec);
      if (warning !== null) warnings.push(warning);
    }
    if (warnings.length > 0) writeLines(io.stderr, ...warnings.map((warning) => colors.yellow(`warning: ${warning}`)));
  }
}

interface Opened {
  /** The stores to run, in order. */
  readonly ready: KitStore[];
  /** Backends that were asked for and cannot be opened. */
  readonly errors: string[];
  /** Why each default backend that cannot be opened is left out, by label. */
  readonly left: Map<string, string>;
}

/**
 * Prepares every backend's store (into `stores`, so that the caller disposes them whatever
 * happens) and opens one client on a fresh namespace of each, so that a backend that cannot work
 * is reported now and not as every check failing.
 */
async function openAll(specs: readonly BackendSpec[], stores: KitStore[], env: NodeJS.ProcessEnv): Promise<Opened> {
  const required = requiredKinds(env);
  const opened: Opened = { ready: [], errors: [], left: new Map() };
  for (const spec of specs) {
    try {
      const store = await openKitStore(spec);
      stores.push(store);
      const backend = await store.create({ clock: new ManualClock(), namespace: newNamespace() });
      try {
        await backend.ping();
      } finally {
        await backend.close();
      }
      opened.ready.push(store);
    } catch (error) {
      if (error instanceof UsageError) throw error;
      const reason = describeError(error);
      if (spec.origin === "default" && !required.has(spec.kind)) opened.left.set(spec.label, reason);
      else opened.errors.push(`${spec.label} (${spec.display}) cannot be opened: ${reason}`);
    }
  }
  // Without --backend, a kind MOORING_REQUIRE lists must have been found (SPEC section 9).
  if (specs.some((spec) => spec.origin === "default")) {
    for (const kind of required) {
      if (!specs.some((spec) => spec.kind === kind)) opened.errors.push(`MOORING_REQUIRE lists ${kind}, and none was found`);
    }
  }
  return opened;
}

function printBackends(io: CliIo, colors: ReturnType<typeof colorsFor>, specs: readonly BackendSpec[], notes: readonly DiscoveryNote[] | null, opened: Opened): void {
  const width = Math.max(...specs.map((spec) => spec.label.length), ...(notes ?? []).map((note) => note.kind.length));
  const lines: string[] = [];
  const listed = new Set<string>();
  for (const store of opened.ready) {
    const { spec } = store;
    listed.add(spec.label);
    const how = notes?.find((note) => note.kind === spec.kind)?.detail ?? spec.started?.description ?? (spec.origin === "environment" ? "from the environment" : "");
    lines.push(`  ${colors.green("✓")} ${spec.label.padEnd(width)}  ${spec.display}${how === "" ? "" : colors.dim(`  (${how})`)}`);
    for (const note of store.notes) lines.push(colors.dim(`      ${note}`));
    for (const warning of store.warnings()) lines.push(colors.yellow(`      ${warning}`));
  }
  for (const [label, reason] of opened.left) {
    listed.add(label);
    lines.push(`  ${colors.yellow("✗")} ${label.padEnd(width)}  ${colors.yellow(`found, but cannot be opened: ${reason}`)}`);
  }
  for (const note of notes ?? []) {
    if (!note.found) lines.push(`  ${colors.dim("✗")} ${note.kind.padEnd(width)}  ${colors.dim(`not found: ${note.detail}`)}`);
  }
  // Nothing to list when every backend asked for failed: the errors that follow say why.
  if (lines.length > 0) writeLines(io.stderr, "Backends:", ...lines, "");
}

/** The selection, validated before any backend is opened. @throws UsageError */
function selectionOf(only: readonly string[], numRuns: number | undefined, concurrency: number): { total: number; numRuns: number } {
  let session: ConformanceSession;
  try {
    session = new ConformanceSession({
      name: "selection",
      create: () => Promise.reject(new Error("the selection opens no backend")),
      ...(only.length > 0 ? { only } : {}),
      ...(numRuns === undefined ? {} : { numRuns }),
      concurrency,
    });
  } catch (error) {
    throw new UsageError(describeError(error).replace(/^runConformance: (only)?/, (_match, only: string | undefined) => (only ? "--only" : "")));
  }
  if (session.selected.length === 0) throw new UsageError(`--only ${only.join(",")} selects no check`);
  return { total: session.selected.length, numRuns: session.propertySettings.numRuns };
}

function reportFormats(values: readonly string[]): ReportFormat[] {
  const names = values.flatMap(splitList);
  if (names.length === 0) return ["json", "markdown", "junit"];
  const formats = names.map((name) => {
    const format = FORMAT_NAMES[name.toLowerCase()];
    if (format === undefined) throw new UsageError(`unknown report format "${name}"; known: md, json, junit`);
    return format;
  });
  return [...new Set(formats)];
}

/** Writes each backend's reports and the matrix to `outDir`; resolves the paths written. */
async function writeAll(outDir: string, reports: readonly ConformanceReport[], formats: readonly ReportFormat[], markdown: string, json: string): Promise<string[]> {
  const written: string[] = [];
  for (const report of reports) written.push(...(await writeReports(report, outDir, formats)));
  await mkdir(outDir, { recursive: true });
  for (const [name, text] of [
    ["matrix.md", markdown],
    ["matrix.json", json],
  ] as const) {
    const path = join(outDir, name);
    await writeFile(path, text, "utf8");
    written.push(path);
  }
  return written;
}

/**
 * The command that runs one failed check again against the same backend: with its seed when it
 * ran a property, and the same number of runs, so that fast-check generates the same cases. It
 * runs as printed from the root of a project that installed the command (this repository's root
 * included): `pnpm exec` finds the `mooring` that `pnpm install` linked.
 */
export function replayCommand(spec: BackendSpec | undefined, result: CheckResult, numRuns: number): string {
  const target = spec === undefined ? "memory:" : spec.temporaryDirectory !== undefined ? spec.kind : shellWord(spec.display);
  const seed = result.seed === undefined ? "" : `MOORING_FC_SEED=${result.seed} `;
  const runs = result.seed !== undefined && numRuns !== DEFAULT_NUM_RUNS ? ` --runs ${numRuns}` : "";
  return `${seed}pnpm exec mooring conformance --backend ${target} --only ${result.checkId}${runs}`;
}

function shellWord(text: string): string {
  return /^[\w:/.@%+,=-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}

function displayPath(path: string): string {
  const fromHere = relative(process.cwd(), path);
  return fromHere === "" ? "." : fromHere.startsWith("..") ? path : fromHere;
}

function splitList(value: string): string[] {
  return value
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "");
}

function positiveInteger(value: string, flag: string, max: number): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(number) || number < 1 || number > max) throw new UsageError(`${flag} takes an integer from 1 to ${max}, got "${value}"`);
  return number;
}

/** The promise's value, or null as soon as `signal` aborts. */
async function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T | null> {
  if (!signal) return promise;
  if (signal.aborted) return null;
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<null>((resolve) => {
    onAbort = () => resolve(null);
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([promise, aborted]);
  } finally {
    if (onAbort) signal.removeEventListener("abort", onAbort);
  }
}
