/**
 * Progress of a conformance run on stderr: live bars (cli-progress), one per backend, when stderr
 * is a terminal; otherwise (CI logs, pipes, tests) plain lines: one when a backend starts, one
 * every `PLAIN_EVERY` checks, one per failed check, one when a backend finishes.
 */
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
}

class LiveProgress implements Progress {
  readonly #multibar: cliProgress.MultiBar;
  readonly #bars = new Map<string, BarState>();
  readonly #colors: Colors;
  #stopped = false;

  constructor(stream: NodeJS.WritableStream, colors: Colors, labels: readonly string[], total: number) {
    this.#colors = colors;
    const width = Math.max(...labels.map((label) => label.length));
    this.#multibar = new cliProgress.MultiBar(
      {
        stream,
        format: `{label} {bar} {value}/{total} {status}`,
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
      this.#bars.set(label, { bar, done: 0, failed: 0 });
    }
  }

  start(label: string): void {
    this.#bars.get(label)?.bar.update(0, { status: "starting" });
  }

  result(label: string, result: CheckResult): void {
    const state = this.#bars.get(label);
    if (!state) return;
    state.done++;
    if (result.status === "failed") {
      state.failed++;
      this.#multibar.log(`${this.#colors.red("FAIL")} ${label} ${result.checkId}: ${firstLine(result.error?.message ?? "failed", 200)}\n`);
    }
    const failed = state.failed > 0 ? this.#colors.red(`${state.failed} failed `) : "";
    state.bar.update(state.done, { status: `${failed}${this.#colors.dim(result.checkId)}` });
  }

  finish(label: string, report: ConformanceReport): void {
    const state = this.#bars.get(label);
    if (!state) return;
    const { totals } = report;
    const status =
      totals.failed > 0
        ? this.#colors.red(`${totals.failed} FAILED, ${totals.passed} passed`)
        : this.#colors.green(`${totals.passed} passed${totals.skipped + totals.notDeclared > 0 ? `, ${totals.skipped + totals.notDeclared} not run` : ""}`);
    state.bar.update(state.done, { status: `${status} ${this.#colors.dim(`(${(report.durationMs / 1000).toFixed(1)} s)`)}` });
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#multibar.stop();
  }
}

class PlainProgress implements Progress {
  readonly #output: CliOutput;
  readonly #colors: Colors;
  readonly #total: number;
  readonly #counts = new Map<string, { done: number; failed: number }>();

  constructor(output: CliOutput, colors: Colors, total: number) {
    this.#output = output;
    this.#colors = colors;
    this.#total = total;
  }

  start(label: string): void {
    this.#counts.set(label, { done: 0, failed: 0 });
    writeLines(this.#output, `${label}: running ${this.#total} checks`);
  }

  result(label: string, result: CheckResult): void {
    const counts = this.#counts.get(label);
    if (!counts) return;
    counts.done++;
    if (result.status === "failed") {
      counts.failed++;
      writeLines(this.#output, `${label}: ${this.#colors.red("FAIL")} ${result.checkId}: ${firstLine(result.error?.message ?? "failed", 200)}`);
    }
    if (counts.done % PLAIN_EVERY === 0 && counts.done < this.#total) {
      writeLines(this.#output, `${label}: ${counts.done}/${this.#total} checks${counts.failed > 0 ? `, ${counts.failed} failed` : ""}`);
    }
  }

  finish(label: string, report: ConformanceReport): void {
    const { totals } = report;
    const summary = `${totals.checks} checks: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped, ${totals.notDeclared} not declared`;
    writeLines(this.#output, `${label}: ${totals.failed > 0 ? this.#colors.red(summary) : this.#colors.green(summary)} (${(report.durationMs / 1000).toFixed(1)} s)`);
  }

  stop(): void {
    // Plain lines need no ending.
  }
}
