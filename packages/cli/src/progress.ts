/**
 * Progress of a conformance run on stderr: live bars (cli-progress), one per backend, when stderr
 * is a terminal; otherwise (CI logs, pipes, tests) plain lines: one when a backend starts, one
 * every `PLAIN_EVERY` checks, one per failed check, one when a backend finishes.
 */
import type { WriteStream } from "node:tty";
import cliProgress from "cli-progress";
import type { CheckResult, ConformanceReport } from "@mooring/conformance/runner";
import { type CliOutput, type Colors, firstLine, terminalOf, writeLines } from "./io.js";

export interface Progress {
  /** A backend's run starts with `total` checks. */
  start(label: string): void;
  result(label: string, result: CheckResult): void;
  finish(label: string, report: ConformanceReport): void;
  /** Ends the display (before anything else is printed). */
  stop(): void;
}

/** Plain mode prints a line every this many finished checks. */
const PLAIN_EVERY = 50;

/** The display for `output`: live on a terminal, plain lines elsewhere. */
export function createProgress(output: CliOutput, colors: Colors, labels: readonly string[], total: number): Progress {
  const terminal = terminalOf(output);
  return terminal ? new LiveProgress(terminal, colors, labels, total) : new PlainProgress(output, colors, total);
}

interface BarState {
  readonly bar: cliProgress.SingleBar;
  done: number;
  failed: number;
  timedOut: number;
}

const BAR_FORMAT = "{label} {bar} {value}/{total} {status}";
const ESC = "\x1b";
/** Clears from the cursor to the end of its row. */
const CLEAR_TO_END = `${ESC}[K`;
const RESET = `${ESC}[0m`;

class LiveProgress implements Progress {
  readonly #terminal: WriteStream;
  readonly #multibar: cliProgress.MultiBar;
  readonly #bars = new Map<string, BarState>();
  readonly #colors: Colors;
  #stopped = false;

  constructor(terminal: WriteStream, colors: Colors, labels: readonly string[], total: number) {
    this.#terminal = terminal;
    this.#colors = colors;
    const width = Math.max(...labels.map((label) => label.length));
    this.#multibar = new cliProgress.MultiBar(
      {
        stream: withoutWidth(terminal),
        format: (options, params, payload) => fit(cliProgress.Format.Formatter({ ...options, format: BAR_FORMAT }, params, payload), this.#columns()),
        // A line printed above the bars moves each of them one row down, but cli-progress redraws
        // only the bars whose text changed: the others stayed behind at their old rows, covering
        // the bar now there, and their own line showed nothing.
        forceRedraw: true,
        barsize: 30,
        hideCursor: true,
        clearOnComplete: false,
        stopOnComplete: false,
        autopadding: true,
        fps: 8,
      },
      cliProgress.Presets.shades_classic,
    );
    for (const label of labels) {
      const bar = this.#multibar.create(total, 0, { label: label.padEnd(width), status: colors.dim("waiting") });
      this.#bars.set(label, { bar, done: 0, failed: 0, timedOut: 0 });
    }
  }

  start(label: string): void {
    this.#bars.get(label)?.bar.update(0, { status: "starting" });
  }

  result(label: string, result: CheckResult): void {
    const state = this.#bars.get(label);
    if (!state) return;
    state.done++;
    const problem = problemWord(result, this.#colors);
    if (problem !== null) {
      if (result.status === "timed-out") state.timedOut++;
      else state.failed++;
      const line = `${problem} ${label} ${result.checkId}: ${firstLine(result.error?.message ?? result.status, 200)}`;
      // cli-progress prints these lines over the rows the bars held, clearing only the first.
      this.#multibar.log(`${fit(line, this.#columns())}${CLEAR_TO_END}\n`);
    }
    const failed = state.failed > 0 ? this.#colors.red(`${state.failed} failed `) : "";
    const timedOut = state.timedOut > 0 ? this.#colors.yellow(`${state.timedOut} timed out `) : "";
    state.bar.update(state.done, { status: `${failed}${timedOut}${this.#colors.dim(result.checkId)}` });
  }

  finish(label: string, report: ConformanceReport): void {
    const state = this.#bars.get(label);
    if (!state) return;
    const { totals } = report;
    const status =
      totals.failed + totals.timedOut > 0
        ? this.#colors.red(`${totals.failed} FAILED, ${totals.timedOut > 0 ? `${totals.timedOut} TIMED OUT, ` : ""}${totals.passed} passed`)
        : this.#colors.green(`${totals.passed} passed${totals.skipped + totals.notDeclared > 0 ? `, ${totals.skipped + totals.notDeclared} not run` : ""}`);
    state.bar.update(state.done, { status: `${status} ${this.#colors.dim(`(${(report.durationMs / 1000).toFixed(1)} s)`)}` });
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    // cli-progress's stop() draws the bars a last time but drops the lines logged since the last
    // frame: the last failures of a run.
    this.#multibar.update();
    this.#multibar.stop();
  }

  /**
   * The columns a line may use: all but the last, where a character would make the terminal wrap
   * or, with wrapping off, be erased by the clearing that follows it.
   */
  #columns(): number {
    return Math.max(1, (this.#terminal.columns || 80) - 1);
  }
}

/**
 * The terminal as cli-progress sees it: of unbounded width. Given the real width, cli-progress
 * cuts each bar's last frame at that many UTF-16 units, colour codes included: the final status
 * lost its end, and a cut colour code left the terminal dim. `fit` cuts by columns instead.
 */
function withoutWidth(terminal: WriteStream): NodeJS.WritableStream {
  // cli-progress uses only these members of its stream.
  const view = { isTTY: true, columns: Number.MAX_SAFE_INTEGER, write: (text: string) => terminal.write(text) };
  return view as unknown as NodeJS.WritableStream;
}

/** Escape sequences (colours, cursor moves): kept as they are, taking no column. */
const ESCAPE = new RegExp(`${ESC}\\[[0-?]*[ -/]*[@-~]`, "y");
/** Control characters would move the cursor (a tab, a carriage return): each shows as a space. */
const CONTROL = /\p{Cc}/u;
/** Combining marks and invisible formatting characters. */
const ZERO_WIDTH = /[\p{Mn}\p{Me}\u200b-\u200f\u2060\ufeff]/u;
/** What terminals show two columns wide: East Asian wide and fullwidth characters, emoji. */
const WIDE =
  /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{20000}-\u{3fffd}]|\p{Emoji_Presentation}/u;

/**
 * `text` on one row of `columns` columns, cut with "…" when wider. cli-progress turns the
 * terminal's wrapping off while it draws, so a wider line ran into the last column, each character
 * past it overwriting the one before; and it turns wrapping back on before drawing the bars a last
 * time, when a wider bar would spill onto the row below.
 */
function fit(text: string, columns: number): string {
  const pieces: { readonly text: string; readonly width: number }[] = [];
  let width = 0;
  for (let index = 0; index < text.length; ) {
    ESCAPE.lastIndex = index;
    const escape = ESCAPE.exec(text);
    if (escape) {
      pieces.push({ text: escape[0], width: 0 });
      index = ESCAPE.lastIndex;
      continue;
    }
    const char = String.fromCodePoint(text.codePointAt(index) ?? 0x20);
    index += char.length;
    const shown = CONTROL.test(char) ? " " : char;
    const columnsOf = ZERO_WIDTH.test(shown) ? 0 : WIDE.test(shown) ? 2 : 1;
    pieces.push({ text: shown, width: columnsOf });
    width += columnsOf;
  }
  if (width <= columns) return pieces.map((piece) => piece.text).join("");
  let cut = "";
  let used = 0;
  let styled = false;
  for (const piece of pieces) {
    if (used + piece.width > columns - 1) break;
    cut += piece.text;
    used += piece.width;
    styled ||= piece.text.startsWith(ESC);
  }
  return `${cut}…${styled ? RESET : ""}`;
}

class PlainProgress implements Progress {
  readonly #output: CliOutput;
  readonly #colors: Colors;
  readonly #total: number;
  readonly #counts = new Map<string, { done: number; notPassed: number }>();

  constructor(output: CliOutput, colors: Colors, total: number) {
    this.#output = output;
    this.#colors = colors;
    this.#total = total;
  }

  start(label: string): void {
    this.#counts.set(label, { done: 0, notPassed: 0 });
    writeLines(this.#output, `${label}: running ${this.#total} checks`);
  }

  result(label: string, result: CheckResult): void {
    const counts = this.#counts.get(label);
    if (!counts) return;
    counts.done++;
    const problem = problemWord(result, this.#colors);
    if (problem !== null) {
      counts.notPassed++;
      writeLines(this.#output, `${label}: ${problem} ${result.checkId}: ${firstLine(result.error?.message ?? result.status, 200)}`);
    }
    if (counts.done % PLAIN_EVERY === 0 && counts.done < this.#total) {
      writeLines(this.#output, `${label}: ${counts.done}/${this.#total} checks${counts.notPassed > 0 ? `, ${counts.notPassed} failed or timed out` : ""}`);
    }
  }

  finish(label: string, report: ConformanceReport): void {
    const { totals } = report;
    const summary = `${totals.checks} checks: ${totals.passed} passed, ${totals.failed} failed, ${totals.timedOut} timed out, ${totals.skipped} skipped, ${totals.notDeclared} not declared`;
    const broken = totals.failed + totals.timedOut > 0;
    writeLines(this.#output, `${label}: ${broken ? this.#colors.red(summary) : this.#colors.green(summary)} (${(report.durationMs / 1000).toFixed(1)} s)`);
  }

  stop(): void {
    // Plain lines need no ending.
  }
}

/** The word a failed or timed-out check is printed with above the display; null for any other result. */
function problemWord(result: CheckResult, colors: Colors): string | null {
  if (result.status === "failed") return colors.red("FAIL");
  if (result.status === "timed-out") return colors.yellow("TIMEOUT");
  return null;
}
