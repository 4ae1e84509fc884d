/** The command line of `pnpm --filter @mooring/world bench`. */
import { parseArgs } from "node:util";
import { WORKFLOWS } from "./workflows.js";
import { WORLD_TARGETS } from "./worlds.js";

export const USAGE = `Usage: pnpm --filter @mooring/world bench [-- options]

  --runs <n>          runs started at once in each round (default 20)
  --rounds <n>        measured rounds (default 5); each World runs each workflow once per round
  --worlds <a,b,…>    of ${WORLD_TARGETS.map((t) => t.name).join(", ")} (default all)
  --workflows <a,b>   of ${WORKFLOWS.map((w) => w.id).join(", ")} (default both)
  --out <file>        also write the JSON results there (relative to where the command was typed)
  --page <file>       write the tables into that page's <!-- generated:world-bench --> section
  --help`;

export interface BenchOptions {
  readonly runs: number;
  readonly rounds: number;
  readonly worlds: readonly string[];
  readonly workflows: readonly string[];
  readonly out: string | null;
  readonly page: string | null;
  readonly help: boolean;
}

export class UsageError extends Error {
  override readonly name = "UsageError";
}

export function parseCommandLine(argv: readonly string[]): BenchOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv].filter((arg) => arg !== "--"),
      options: {
        runs: { type: "string", default: "20" },
        rounds: { type: "string", default: "5" },
        worlds: { type: "string" },
        workflows: { type: "string" },
        out: { type: "string" },
        page: { type: "string" },
        help: { type: "boolean", default: false },
      },
      strict: true,
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values } = parsed;
  return {
    runs: positiveInteger("--runs", values.runs),
    rounds: positiveInteger("--rounds", values.rounds),
    worlds: listOf("--worlds", values.worlds, WORLD_TARGETS.map((t) => t.name)),
    workflows: listOf("--workflows", values.workflows, WORKFLOWS.map((w) => w.id)),
    out: values.out ?? null,
    page: values.page ?? null,
    help: values.help,
  };
}

function positiveInteger(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw new UsageError(`${flag} must be a positive integer, got ${text}`);
  return value;
}

/** The names of a comma list, each one of `known`; all of `known` when the flag is absent. */
function listOf(flag: string, text: string | undefined, known: readonly string[]): string[] {
  if (text === undefined) return [...known];
  const names = text.split(",").map((name) => name.trim()).filter((name) => name !== "");
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length > 0 || names.length === 0) throw new UsageError(`${flag}: unknown ${unknown.join(", ") || "(empty list)"}; known: ${known.join(", ")}`);
  return names;
}
