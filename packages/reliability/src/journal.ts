/**
 * A history recorder for processes that may be SIGKILLed at any instant. `HistoryRecorder` keeps
 * its entries in memory, which a killed process takes with it; a `FileJournal` writes each
 * invocation before the call starts and each completion when it returns, one JSON line per
 * `writeSync`, so the kernel holds every line written before the kill. A call whose completion
 * never reached the file is, in the merged history, an operation of unknown outcome (`info`,
 * `completedAt: null`), which is exactly what a crash makes it.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import { classifyError, type HistoryEntry, type HistoryError, type Invocation, type Outcome } from "@mooring/conformance/history";

/** What the scenarios record through: `HistoryRecorder` and `FileJournal` both fit. */
export interface Recorder {
  invoke(process: string, op: string, args: unknown): Invocation;
}

interface InvokeLine {
  readonly k: "i";
  readonly n: number;
  readonly p: string;
  readonly op: string;
  readonly args: unknown;
  readonly t: number;
}

interface CompleteLine {
  readonly k: "c";
  readonly n: number;
  readonly o: Outcome;
  readonly v: unknown;
  readonly e: HistoryError | null;
  readonly t: number;
}

/** The smallest step between two times of one journal (a microsecond), so that no two readings tie. */
const TIME_NUDGE_MS = 0.001;

export class FileJournal implements Recorder {
  readonly #fd: number;
  readonly #now: () => number;
  #last = Number.NEGATIVE_INFINITY;
  #next = 0;
  #closed = false;

  /** Appends to `path` (created when missing); times come from `now` (see `time-base.ts`). */
  constructor(path: string, now: () => number) {
    this.#fd = openSync(path, "a");
    this.#now = now;
  }

  #time(): number {
    const reading = this.#now();
    this.#last = reading > this.#last ? reading : this.#last + TIME_NUDGE_MS;
    return this.#last;
  }

  #write(line: InvokeLine | CompleteLine): void {
    if (this.#closed) return;
    writeSync(this.#fd, `${JSON.stringify(line)}\n`);
  }

  invoke(process: string, op: string, args: unknown): Invocation {
    const n = this.#next++;
    this.#write({ k: "i", n, p: process, op, args, t: this.#time() });
    let done = false;
    const complete = (o: Outcome, v: unknown, e: HistoryError | null): void => {
      if (done) throw new Error(`journal entry #${n} (${op}) completed twice`);
      done = true;
      this.#write({ k: "c", n, o, v: o === "ok" ? (v ?? null) : null, e, t: this.#time() });
    };
    return {
      ok: (value) => complete("ok", value, null),
      error: (thrown) => {
        const classified = classifyError(thrown);
        complete(classified.outcome, null, classified.error);
      },
    };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    closeSync(this.#fd);
  }
}

/**
 * The history a journal's text holds. Invocations without a completion are `info` with
 * `completedAt: null`. A last line cut short (the process died inside the write) is ignored;
 * any other malformed line is an error.
 */
export function readJournal(text: string, where: string): HistoryEntry[] {
  const invoked = new Map<number, InvokeLine>();
  const completed = new Map<number, CompleteLine>();
  const lines = text.split("\n");
  for (const [number, line] of lines.entries()) {
    if (line.trim() === "") continue;
    let parsed: InvokeLine | CompleteLine;
    try {
      parsed = JSON.parse(line) as InvokeLine | CompleteLine;
    } catch (error) {
      const last = lines.slice(number + 1).every((rest) => rest.trim() === "");
      if (last) break;
      throw new Error(`${where} line ${number + 1} is not JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (parsed.k === "i") invoked.set(parsed.n, parsed);
    else if (parsed.k === "c") completed.set(parsed.n, parsed);
    else throw new Error(`${where} line ${number + 1} is neither an invocation nor a completion`);
  }
  const entries: HistoryEntry[] = [];
  for (const [n, call] of [...invoked].sort(([a], [b]) => a - b)) {
    const done = completed.get(n);
    entries.push({
      index: n,
      process: call.p,
      op: call.op,
      args: call.args,
      invokedAt: call.t,
      completedAt: done ? done.t : null,
      outcome: done ? done.o : "info",
      value: done ? done.v : null,
      error: done ? done.e : { code: "PENDING", message: "the process died before the call returned" },
    });
  }
  return entries;
}
