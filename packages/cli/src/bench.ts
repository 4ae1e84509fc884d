/**
 * `mooring bench [--backend URL]…`: runs the repository's benchmark harness (`packages/bench`,
 * private, so only from a checkout of the Mooring repository) with the backends asked for, lets
 * it print its tables, and writes an SVG chart of its JSON report beside it.
 *
 * The harness opens fresh stores of its own for every workload (a new memory store, a new
 * temporary SQLite file), so a `sqlite:` URL selects the backend, not the file; a server URL is
 * handed to the harness as `MOORING_POSTGRES_URL` / `MOORING_REDIS_URL` / `MOORING_REDIS_CLUSTER_URL`.
 *
 * Exit status: the harness's (0, or 1 when a workload failed); 2 for a usage error or when the
 * harness is not there to run.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { isBenchReport, renderBenchChart } from "./bench-chart.js";
import { type CliIo, colorsFor, writeLines } from "./io.js";
import { BACKEND_KINDS, type BackendKind, kindOfUrl, URL_VARIABLES } from "./targets.js";

export interface BenchCommandOptions {
  readonly backend: readonly string[];
  readonly out: string;
  readonly quick: boolean;
  readonly skipMillion: boolean;
  readonly workload?: string;
  readonly concurrency?: string;
}

/** `packages/bench/dist/main.js`, from `packages/cli/{src,dist}/`. */
const BENCH_MAIN = fileURLToPath(new URL("../../bench/dist/main.js", import.meta.url));

export async function benchCommand(options: BenchCommandOptions, io: CliIo): Promise<number> {
  const env = io.env ?? process.env;
  const colors = colorsFor(io.stderr, env);
  if (!existsSync(BENCH_MAIN)) {
    writeLines(
      io.stderr,
      colors.red(`mooring bench: the benchmark harness is not built (${BENCH_MAIN} is missing).`),
      "It is part of the Mooring repository, not of the published packages: in a checkout, run `pnpm turbo run build --filter=@mooring/bench...` first.",
    );
    return 2;
  }

  const kinds: BackendKind[] = [];
  const urls: Record<string, string> = {};
  for (const value of options.backend) {
    const kind = (BACKEND_KINDS as readonly string[]).includes(value) ? (value as BackendKind) : kindOfUrl(value);
    if (!kinds.includes(kind)) kinds.push(kind);
    const variable = kind === "memory" || kind === "sqlite" ? undefined : URL_VARIABLES[kind];
    if (variable !== undefined && value !== kind) urls[variable] = value;
    if (kind === "sqlite" && value !== kind) writeLines(io.stderr, colors.dim(`note: the bench opens temporary SQLite files of its own; ${value} selects the backend only`));
  }

  const out = resolve(options.out);
  await mkdir(dirname(out), { recursive: true });
  // A report left by an earlier run must not be charted as this run's.
  await rm(out, { force: true });
  const args = [
    "--expose-gc",
    BENCH_MAIN,
    ...(kinds.length > 0 ? ["--backend", kinds.join(",")] : []),
    ...(options.workload === undefined ? [] : ["--workload", options.workload]),
    ...(options.concurrency === undefined ? [] : ["--concurrency", options.concurrency]),
    ...(options.quick ? ["--quick"] : []),
    ...(options.skipMillion ? ["--skip-million"] : []),
    "--out",
    out,
  ];
  const status = await runHarness(args, { ...env, ...urls }, io);

  let report: unknown;
  try {
    report = JSON.parse(await readFile(out, "utf8"));
  } catch {
    // The harness printed why it wrote no report (a usage error, an unknown backend).
    return status === 0 ? 2 : status;
  }
  if (!isBenchReport(report)) {
    writeLines(io.stderr, colors.red(`mooring bench: ${out} is not a bench report this command can chart`));
    return 2;
  }
  const chart = out.endsWith(".json") ? `${out.slice(0, -".json".length)}.svg` : `${out}.svg`;
  await writeFile(chart, renderBenchChart(report), "utf8");
  writeLines(io.stderr, `report: ${out}`, `chart: ${chart}`);
  return status;
}

/** Runs the harness in its own directory, streaming its output; resolves its exit status. */
function runHarness(args: readonly string[], env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  return new Promise((resolveStatus, reject) => {
    const child = spawn(process.execPath, args, { cwd: dirname(dirname(BENCH_MAIN)), env, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.on("data", (chunk: Buffer) => io.stdout.write(chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => io.stderr.write(chunk.toString("utf8")));
    const onAbort = (): void => {
      child.kill("SIGINT");
    };
    io.signal?.addEventListener("abort", onAbort, { once: true });
    child.once("error", reject);
    child.once("close", (code, signal) => {
      io.signal?.removeEventListener("abort", onAbort);
      resolveStatus(code ?? (signal === null ? 1 : 130));
    });
  });
}
