/**
 * The live progress of `mooring conformance` on a real terminal: tmux provides the pseudo-terminal
 * and reads back the screen, since what matters is what a terminal makes of the bytes (wrapping,
 * cursor moves, clearing), which a byte-collecting stream cannot show.
 *
 * The display writes to the pane's tty from this process, and its redraw timer is faked, so the
 * test decides where each redraw falls between the results and needs no child process, no build
 * and no waiting for time; it only polls tmux until tmux has read everything written.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { closeSync, constants, openSync } from "node:fs";
import { setTimeout as delay } from "node:timers/promises";
import { WriteStream } from "node:tty";
import pc from "picocolors";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createProgress, type Progress } from "../src/progress.js";
import type { CheckResult, ConformanceReport } from "@mooring/conformance/runner";

const tmuxMissing = spawnSync("tmux", ["-V"]).status !== 0;
const skipped = "tmux is not installed: the live progress tests, which need a terminal, are SKIPPED";
if (tmuxMissing) console.warn(`\n*** progress.test.ts: ${skipped} ***\n`);

const COLUMNS = 80;
const ROWS = 30;
const DONE = "progress-test-done";
/** Only a hang trips it: tmux shows a few kilobytes within milliseconds. */
const HANG_MS = 60_000;

/** A tmux server of its own (no user configuration, no other sessions) with one idle pane. */
class Pane {
  readonly #socket = `mooring-progress-${randomUUID()}`;
  #started = false;

  start(): string {
    this.#started = true;
    // `cat` keeps the pane open and writes nothing unless something is typed, which nothing is.
    this.#tmux("-f", "/dev/null", "new-session", "-d", "-x", String(COLUMNS), "-y", String(ROWS), "-s", "progress", "cat");
    return this.#tmux("display-message", "-p", "-t", "progress", "#{pane_tty}").trim();
  }

  /** The visible screen, one string per row, trailing blanks removed; `styled`: with colour codes. */
  screen(styled = false): string[] {
    return this.#tmux("capture-pane", "-p", ...(styled ? ["-e"] : []), "-t", "progress")
      .split("\n")
      .map((row) => row.trimEnd());
  }

  /** The screen once it shows `marker`: the display wrote it last, so everything before is drawn. */
  async screenWith(marker: string): Promise<string[]> {
    const deadline = Date.now() + HANG_MS;
    for (;;) {
      const rows = this.screen();
      if (rows.includes(marker)) return rows;
      if (Date.now() > deadline) throw new Error(`the pane never showed ${marker}:\n${rows.join("\n")}`);
      await delay(20);
    }
  }

  kill(): void {
    if (!this.#started) return;
    this.#started = false;
    spawnSync("tmux", ["-L", this.#socket, "kill-server"]);
  }

  #tmux(...args: string[]): string {
    return execFileSync("tmux", ["-u", "-L", this.#socket, ...args], { encoding: "utf8" });
  }
}

function result(checkId: string, failure?: string): CheckResult {
  return {
    checkId,
    rule: checkId.split(".", 1)[0] ?? checkId,
    area: "workflows",
    title: checkId,
    kind: "example",
    durationMs: 1,
    ...(failure === undefined ? { status: "passed" } : { status: "failed", error: { message: failure } }),
  };
}

function report(label: string, passed: number, failed: number): ConformanceReport {
  return {
    backend: label,
    backendName: label,
    startedAt: "2025-01-01T00:00:00.000Z",
    durationMs: 1500,
    results: [],
    rules: [],
    capabilities: [],
    totals: {
      checks: passed + failed,
      passed,
      failed,
      timedOut: 0,
      skipped: 0,
      notDeclared: 0,
      rules: { passed: 0, failed: 0, "timed-out": 0, partial: 0, skipped: 0, "not-declared": 0, "not-run": 0, "no-check": 0 },
    },
  };
}

/** A failure message far wider than the pane, as assertion messages from a property often are. */
function failure(what: string): string {
  return `expected ${what} to be claimed by exactly one worker, but two workers claimed it after the lease expired`;
}

const TOTAL = 10;
const LABELS = ["memory", "sqlite", "postgres"] as const;
/** A check id long enough that a bar showing it is wider than the pane. */
const LONG_CHECK = "E4.single-claimer-under-contention-when-every-worker-polls-at-once";
const BAR = /[█░]/;

describe.skipIf(tmuxMissing)(`the live progress on a terminal${tmuxMissing ? ` (${skipped})` : ""}`, () => {
  let pane: Pane | null = null;
  let fd: number | null = null;

  afterEach(() => {
    vi.useRealTimers();
    if (fd !== null) closeSync(fd);
    fd = null;
    pane?.kill();
    pane = null;
  });

  /**
   * Runs `script` against a live display on the pane, `frame()` letting the display redraw once,
   * and returns the screen after the display stopped: plain, and with its colours as escape codes.
   */
  async function show(script: (progress: Progress, frame: () => void) => void): Promise<{ rows: string[]; styled: string[] }> {
    const current = new Pane();
    pane = current;
    fd = openSync(current.start(), constants.O_WRONLY | constants.O_NOCTTY);
    const terminal = new WriteStream(fd);
    expect(terminal.columns).toBe(COLUMNS);
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const progress = createProgress(terminal, pc.createColors(true), LABELS, TOTAL);
    // Longer than the display's frame interval, so that each call redraws once.
    const frame = (): void => void vi.advanceTimersByTime(250);
    frame();
    script(progress, frame);
    progress.stop();
    terminal.write(`${DONE}\n`);
    vi.useRealTimers();
    const rows = await current.screenWith(DONE);
    return { rows, styled: current.screen(true) };
  }

  it("keeps one bar per backend, below every FAIL line, when failures are printed above the bars", async () => {
    const { rows, styled } = await show((progress, frame) => {
      // memory passes everything, with redraws in between, as a real run has.
      progress.start("memory");
      frame();
      for (let i = 0; i < TOTAL; i++) {
        progress.result("memory", result(i === 5 ? LONG_CHECK : `W1.check-${i}`));
        frame();
      }
      progress.finish("memory", report("memory", TOTAL, 0));
      frame();

      // sqlite fails twice, each failure printed in a frame where the other bars do not change.
      progress.start("sqlite");
      frame();
      for (let i = 0; i < TOTAL; i++) {
        progress.result("sqlite", result(i === 3 ? LONG_CHECK : `S3.check-${i}`, i === 3 || i === 7 ? failure(`task ${i}`) : undefined));
        frame();
      }
      progress.finish("sqlite", report("sqlite", TOTAL - 2, 2));
      frame();

      // postgres fails twice in one frame, the second time with a short message, then once just
      // before the display stops.
      progress.start("postgres");
      frame();
      for (let i = 0; i < TOTAL; i++) {
        const message = i === 2 ? failure(`task ${i}`) : i === 3 ? "boom" : i === 9 ? failure(`task ${i}`) : undefined;
        progress.result("postgres", result(`E6.check-${i}`, message));
        if (i !== 2 && i !== 9) frame();
      }
      progress.finish("postgres", report("postgres", TOTAL - 3, 3));
    });

    const shown = rows.join("\n");
    const done = rows.indexOf(DONE);
    const bars = rows.flatMap((row, index) => (BAR.test(row) ? [index] : []));
    expect(
      bars.map((index) => rows[index]?.split(" ", 1)[0]),
      `each bar exactly once, no stale copy or fragment:\n${shown}`,
    ).toEqual([...LABELS]);
    expect(bars, `the bars on the rows right above the marker:\n${shown}`).toEqual([done - 3, done - 2, done - 1]);
    expect(rows[done - 3], shown).toMatch(/^memory +█{30} 10\/10 10 passed \(1\.5 s\)$/);
    expect(rows[done - 2], shown).toMatch(/^sqlite +█{30} 10\/10 2 FAILED, 8 passed \(1\.5 s\)$/);
    expect(rows[done - 1], shown).toMatch(/^postgres █{30} 10\/10 3 FAILED, 7 passed \(1\.5 s\)$/);

    const fails = [
      { start: `FAIL sqlite ${LONG_CHECK}`, cut: true },
      { start: "FAIL sqlite S3.check-7: expected task 7 ", cut: true },
      { start: "FAIL postgres E6.check-2: expected task 2 ", cut: true },
      { start: "FAIL postgres E6.check-3: boom", cut: false },
      { start: "FAIL postgres E6.check-9: expected task 9 ", cut: true },
    ];
    const above = rows.slice(0, done - 3);
    expect(above.length, `every FAIL line once, on the rows above the bars, no blank row between:\n${shown}`).toBe(fails.length);
    above.forEach((row, index) => {
      const { start, cut } = fails[index] ?? { start: "?", cut: false };
      if (cut) {
        expect(row, `a FAIL line wider than the pane, cut on its row before the last column:\n${shown}`).toMatch(new RegExp(`^${escapeRegExp(start)}.*…$`));
        expect(row.length, shown).toBe(COLUMNS - 1);
      } else {
        expect(row, `a short FAIL line, on a row cleared of the bar that was there:\n${shown}`).toBe(start);
      }
    });
    expect(attributesOn(styled.slice(0, done + 1)), `no colour or dimming left on after the display:\n${styled.join("\n")}`).toEqual([]);
  });

  it("cuts a bar wider than the pane to its row when the run stops in the middle", async () => {
    const { rows, styled } = await show((progress, frame) => {
      progress.start("memory");
      progress.result("memory", result("W1.check-0", failure("task 0")));
      progress.result("memory", result("W1.check-1", "boom"));
      frame();
      progress.result("memory", result(LONG_CHECK, "boom"));
    });

    const shown = rows.join("\n");
    const done = rows.indexOf(DONE);
    expect(rows.slice(0, done), shown).toEqual([
      expect.stringMatching(/^FAIL memory W1\.check-0: expected task 0 .+…$/),
      "FAIL memory W1.check-1: boom",
      expect.stringMatching(new RegExp(`^FAIL memory ${escapeRegExp(LONG_CHECK)}.*…$`)),
      expect.stringMatching(new RegExp(`^memory {3}█{9}░{21} 3/10 3 failed ${escapeRegExp(LONG_CHECK.slice(0, 20))}.*…$`)),
      expect.stringMatching(/^sqlite {3}░{30} 0\/10 waiting$/),
      expect.stringMatching(/^postgres ░{30} 0\/10 waiting$/),
    ]);
    for (const row of rows.slice(0, done)) expect(row.length, shown).toBeLessThan(COLUMNS);
    expect(attributesOn(styled.slice(0, done + 1)), `no colour or dimming left on after the display:\n${styled.join("\n")}`).toEqual([]);
  });
});

const ESC = "\x1b";
/** A colour or attribute change, with its codes. */
const SGR = new RegExp(`${ESC}\\[([0-9;:]*)m`, "g");

/**
 * The colours and attributes still on at the end of `rows`, captured with escape codes. tmux
 * writes each change from the cell before, across rows, so all rows before count.
 */
function attributesOn(rows: readonly string[]): string[] {
  const on = new Map<string, number>();
  for (const [, list = ""] of rows.join("\n").matchAll(SGR)) {
    const codes = list === "" ? [0] : list.split(/[;:]/).map(Number);
    for (let index = 0; index < codes.length; index++) {
      const code = codes[index] ?? 0;
      if (code === 0) on.clear();
      else if (code === 38 || code === 48) {
        on.set(code === 38 ? "foreground" : "background", code);
        index += codes[index + 1] === 5 ? 2 : 4;
      } else if (code === 39) on.delete("foreground");
      else if (code === 49) on.delete("background");
      else if ((code >= 30 && code <= 37) || (code >= 90 && code <= 97)) on.set("foreground", code);
      else if ((code >= 40 && code <= 47) || (code >= 100 && code <= 107)) on.set("background", code);
      else if (code === 1 || code === 2) on.set("intensity", code);
      else if (code === 22) on.delete("intensity");
      else if (code >= 3 && code <= 9) on.set(`attribute ${code}`, code);
      else if (code >= 23 && code <= 29) on.delete(`attribute ${code - 20}`);
    }
  }
  return [...on].map(([what, code]) => `${what} ${code}`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
