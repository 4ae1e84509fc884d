/**
 * The `mooring` command line (commander): `conformance`, `migrate`, `doctor` and `bench`. `main` takes the
 * arguments and the output streams and resolves the exit status, so that tests run it in-process.
 *
 * Each command's module is imported when that command runs, so that `mooring --help` and a usage
 * error answer at once instead of loading the whole kit and every driver first.
 *
 * Exit status: 0 success; 1 a check failed (conformance), a problem was found (doctor) or the
 * migration failed (migrate); 2 a usage error or a backend that was asked for cannot be opened;
 * 130 interrupted.
 */
import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { redact } from "@mooring/core";
import { MissingModuleError } from "./backends.js";
import { type CliIo, colorsFor, describeError, UsageError, writeLines } from "./io.js";

export type { CliIo, CliOutput } from "./io.js";

const URL_HELP = "memory:, sqlite:./file.db, sqlite::memory:, postgres://user@host/db, redis://host:6379, rediss://…, redis+cluster://host:port,host:port";

/**
 * Runs `mooring <argv…>` and resolves its exit status. Never rejects: every failure is printed
 * to `io.stderr` and becomes a status.
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const env = io.env ?? process.env;
  const errorColors = colorsFor(io.stderr, env);
  let status = 0;
  const commandLine = ["mooring", ...argv.map(redactArgument)].join(" ");

  const program = new Command("mooring")
    .description("Mooring: run the conformance matrix, migrate a backend, check a backend's server settings, benchmark.")
    .version(packageVersion(), "-V, --version")
    .exitOverride()
    .showHelpAfterError("(mooring --help shows the usage)")
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(errorColors.red(text)),
    });

  program
    .command("conformance")
    .description("run the conformance kit against each backend and print the matrix of SPEC rules by backend")
    .option("--backend <url>", `a backend to test (repeatable): a URL (${URL_HELP}), label=URL, or memory|sqlite|postgres|redis|redis-cluster for that kind's default; default: memory, a temporary SQLite file, and the Postgres / Redis / Redis Cluster servers that are found`, collect)
    .option("--report <formats>", "report formats per backend: md, json, junit (repeatable or a comma list; default all three)", collect)
    .option("--out <dir>", "where the reports and matrix.md / matrix.json go", "reports")
    .option("--runs <n>", "fast-check runs per property (default 100; MOORING_FC_RUNS overrides)")
    .option("--only <rules>", "run only these SPEC rules or check ids (repeatable or a comma list, e.g. E4,W7,T1)", collect)
    .option("--concurrency <n>", "checks run at once against one backend (default 4)")
    .addHelpText(
      "after",
      [
        "",
        "Servers are found as the tests find them: MOORING_POSTGRES_URL, else 127.0.0.1:5432 (database test, user postgres);",
        "MOORING_REDIS_URL, else 127.0.0.1:6379; MOORING_REDIS_CLUSTER_URL. MOORING_REQUIRE=postgres,redis makes a missing one an error.",
        "",
        "Exit status: 0 every check passed, 1 a check failed, 2 usage error or a backend cannot be opened.",
      ].join("\n"),
    )
    .action(async (_options: unknown, command: Command) => {
      const options = command.opts<{ backend?: string[]; report?: string[]; out: string; runs?: string; only?: string[]; concurrency?: string }>();
      const { conformanceCommand } = await import("./conformance.js");
      status = await conformanceCommand({ ...options, backend: options.backend ?? [], report: options.report ?? [], only: options.only ?? [] }, io, commandLine);
    });

  program
    .command("migrate")
    .description("create or upgrade the backend's schema (idempotent) and print what was applied")
    .requiredOption("--backend <url>", `the backend: ${URL_HELP}`)
    .action(async (_options: unknown, command: Command) => {
      const { migrateCommand } = await import("./migrate.js");
      status = await migrateCommand(command.opts<{ backend: string }>(), io);
    });

  program
    .command("doctor")
    .description("check reachability, latency, server version and the settings that matter, each with a verdict")
    .requiredOption("--backend <url>", `the backend: ${URL_HELP}`)
    .addHelpText("after", "\nExit status: 0 no problem (warnings allowed), 1 a problem was found, 2 usage error.")
    .action(async (_options: unknown, command: Command) => {
      const { doctorCommand } = await import("./doctor.js");
      status = await doctorCommand(command.opts<{ backend: string }>(), io);
    });

  program
    .command("bench")
    .description("run the repository's benchmark harness (packages/bench) and write an SVG chart beside its JSON report")
    .option("--backend <url>", "a backend to measure (repeatable): memory|sqlite|postgres|redis or a URL of one; default: every backend the harness has", collect)
    .option("--out <file>", "the JSON report; the chart goes beside it as .svg", "reports/bench.json")
    .option("--quick", "small sizes for a smoke run", false)
    .option("--skip-million", "skip the claim latency with a 1,000,000-task queue", false)
    .option("--workload <ids>", "comma-separated workloads (default: all)")
    .option("--concurrency <spec>", 'workers per workload: "4", or "claim-complete-1=24,enqueue=8"')
    .action(async (_options: unknown, command: Command) => {
      const options = command.opts<{ backend?: string[]; out: string; quick: boolean; skipMillion: boolean; workload?: string; concurrency?: string }>();
      const { benchCommand } = await import("./bench.js");
      status = await benchCommand({ ...options, backend: options.backend ?? [] }, io);
    });

  try {
    await program.parseAsync([...argv], { from: "user" });
    return status;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof UsageError) {
      writeLines(io.stderr, errorColors.red(`mooring: ${error.message}`), "(mooring --help shows the usage)");
      return 2;
    }
    if (error instanceof MissingModuleError) {
      writeLines(io.stderr, errorColors.red(`mooring: ${error.message}`));
      return 2;
    }
    writeLines(io.stderr, errorColors.red(`mooring: ${describeError(error)}`));
    if (error instanceof Error && error.stack) writeLines(io.stderr, errorColors.dim(error.stack));
    return 2;
  }
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** An argument as the matrix records it: any URL's password replaced by `***`. */
function redactArgument(argument: string): string {
  if (!argument.includes("://")) return argument;
  const equals = argument.indexOf("=");
  const scheme = argument.indexOf("://");
  return equals !== -1 && equals < scheme ? `${argument.slice(0, equals + 1)}${redact(argument.slice(equals + 1))}` : redact(argument);
}

function packageVersion(): string {
  // src/ and dist/ are both one level below the package's manifest.
  const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version?: unknown };
  return typeof manifest.version === "string" ? manifest.version : "0.0.0";
}
