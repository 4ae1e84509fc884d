/**
 * Child processes that talk in lines: what they print is collected, and a test waits for a line
 * with a bound (never a sleep).
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { createInterface } from "node:readline";

export class LineProcess {
  readonly lines: string[] = [];
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #stderr: string[] = [];
  readonly #waiters = new Set<() => void>();
  #exitCode: number | string | null = null;
  /** Resolves with the exit code (null when killed by a signal) once every line was read. */
  readonly closed: Promise<number | null>;

  constructor(script: string, args: readonly string[]) {
    this.#child = spawn(process.execPath, [script, ...args], { stdio: ["pipe", "pipe", "pipe"] });
    createInterface({ input: this.#child.stdout }).on("line", (line) => {
      this.lines.push(line);
      for (const waiter of [...this.#waiters]) waiter();
    });
    this.#child.stderr.on("data", (chunk: Buffer) => this.#stderr.push(chunk.toString("utf8")));
    this.closed = new Promise((resolve) => {
      this.#child.on("close", (code, signal) => {
        this.#exitCode = code ?? signal;
        for (const waiter of [...this.#waiters]) waiter();
        resolve(code);
      });
    });
  }

  get stderr(): string {
    return this.#stderr.join("");
  }

  /** The first line (from the start) that satisfies `accept`; rejects after `timeoutMs` or when the process ends without it. */
  waitFor(accept: (line: string) => boolean, timeoutMs: number, what: string): Promise<string> {
    return new Promise((resolve, reject) => {
      let exited = false;
      const check = (): void => {
        const found = this.lines.find(accept);
        if (found !== undefined) return finish(() => resolve(found));
        const failure = this.lines.find((line) => line.startsWith("error "));
        if (failure !== undefined) return finish(() => reject(new Error(`${what}: the child failed: ${failure}\n${this.stderr}`)));
        if (exited) finish(() => reject(new Error(`${what}: the child exited (code ${String(this.#exitCode)}) first; lines: ${this.lines.slice(-5).join(" | ")}\n${this.stderr}`)));
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`${what}: no such line within ${timeoutMs} ms; last lines: ${this.lines.slice(-5).join(" | ")}\n${this.stderr}`))), timeoutMs);
      const finish = (settle: () => void): void => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        settle();
      };
      void this.closed.then(() => {
        exited = true;
        check();
      });
      this.#waiters.add(check);
      check();
    });
  }

  send(line: string): void {
    this.#child.stdin.write(`${line}\n`);
  }

  kill(): void {
    this.#child.kill("SIGKILL");
  }
}
