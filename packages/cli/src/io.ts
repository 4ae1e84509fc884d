/**
 * Where the `mooring` command writes, and how it decides on colour and live progress. Commands
 * take a `CliIo` instead of touching `process`, so that tests run them in-process and read what
 * they printed.
 */
import { WriteStream } from "node:tty";
import pc from "picocolors";

/** An output stream: `process.stdout`, `process.stderr`, or a test's collector. */
export interface CliOutput {
  write(text: string): unknown;
  /** True for a terminal: enables colour (unless `NO_COLOR`) and, on stderr, live progress. */
  readonly isTTY?: boolean;
  /** The terminal's width, when it has one. */
  readonly columns?: number;
}

export interface CliIo {
  /** Results: the matrix, the doctor's findings, what migrate did. */
  readonly stdout: CliOutput;
  /** Diagnostics: progress, which backends were found, warnings and errors. */
  readonly stderr: CliOutput;
  /** Default `process.env`: `NO_COLOR`, `FORCE_COLOR`, `MOORING_*`. */
  readonly env?: NodeJS.ProcessEnv;
  /** Aborting it (Ctrl-C) stops a conformance run after cleaning up what it created. */
  readonly signal?: AbortSignal;
}

export type Colors = ReturnType<typeof pc.createColors>;

/**
 * Colour for `output`: on a terminal unless `NO_COLOR` is set to anything non-empty
 * (https://no-color.org) or `TERM=dumb`; `FORCE_COLOR` (not "0") turns it on anywhere.
 */
export function colorsFor(output: CliOutput, env: NodeJS.ProcessEnv): Colors {
  const forced = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "" && env.FORCE_COLOR !== "0";
  const disabled = (env.NO_COLOR !== undefined && env.NO_COLOR !== "") || env.TERM === "dumb";
  return pc.createColors(!disabled && (forced || output.isTTY === true));
}

/** The stream itself when it is a real terminal that can redraw lines (for live progress). */
export function terminalOf(output: CliOutput): WriteStream | null {
  return output instanceof WriteStream && output.isTTY ? output : null;
}

/** The width to lay tables out in: the terminal's, or 120 columns for logs and files. */
export function widthOf(output: CliOutput): number {
  const columns = output.columns;
  return typeof columns === "number" && columns >= 40 ? columns : 120;
}

/** Writes `lines` to `output`, each followed by a newline. */
export function writeLines(output: CliOutput, ...lines: string[]): void {
  if (lines.length > 0) output.write(`${lines.join("\n")}\n`);
}

/**
 * A one-line description of any thrown value, for messages: its code, its message, and its
 * cause's message when the message does not already say it (a driver's "ECONNREFUSED" under a
 * MooringError's UNAVAILABLE).
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // Node reports a refused connection to a name with several addresses as an AggregateError
  // with an empty message; its first error says what happened.
  if (error.message === "" && error instanceof AggregateError && error.errors.length > 0) return describeError(error.errors[0]);
  const code = (error as { code?: unknown }).code;
  const prefix = typeof code === "string" && code !== "" && !error.message.startsWith(code) ? `${code}: ` : "";
  let text = `${prefix}${error.message.split("\n", 1)[0] ?? ""}`;
  const cause = error.cause instanceof Error ? (error.cause.message.split("\n", 1)[0] ?? "") : "";
  if (cause !== "" && !text.includes(cause)) text += ` (${cause})`;
  return text;
}

/** The first line of `text`, cut at `max` characters. */
export function firstLine(text: string, max = 300): string {
  const line = text.split("\n", 1)[0] ?? "";
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

/** A mistake in the command line: printed with a hint to `--help`, exit status 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}
