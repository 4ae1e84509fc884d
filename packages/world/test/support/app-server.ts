/**
 * One app process for the fault tests: the vendor's own app server (`@workflow/world-testing`'s
 * `dist/src/server.mjs`, the one its suite starts) with the World of `support/fault-world.mjs`
 * on a given store. Like the vendor's `startServer`, it reads the port from the server's control
 * pipe (fd 3); unlike it, the test keeps the process to SIGKILL it, as packages/reliability keeps
 * its workers.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";

const packageDir = fileURLToPath(new URL("../..", import.meta.url));
const vendorServer = join(dirname(createRequire(import.meta.url).resolve("@workflow/world-testing/package.json")), "dist/src/server.mjs");

export interface AppServerOptions {
  /** The store (`MOORING_WORLD_URL`). */
  readonly url: string;
  /** Where every process of the test journals its deliveries (see fault-world.mjs). */
  readonly journalDir: string;
  /** The dispatcher's lease; default the World's. */
  readonly leaseMs?: number;
  /** Hold the first step completion and wait to be killed. */
  readonly holdStepCompletion?: boolean;
}

export class AppServer {
  readonly #child: ChildProcess;
  readonly #output: string[] = [];
  readonly #exited: Promise<void>;
  readonly #lineWaiters: { readonly prefix: string; resolve(line: string): void }[] = [];
  readonly #lines: string[] = [];
  readonly port: Promise<number>;

  constructor(options: AppServerOptions) {
    this.#child = spawn(process.execPath, [vendorServer], {
      cwd: packageDir,
      stdio: ["ignore", "pipe", "pipe", "pipe"],
      env: {
        ...process.env,
        WORKFLOW_TARGET_WORLD: "./test/support/fault-world.mjs",
        CONTROL_FD: "3",
        PORT: "0",
        MOORING_WORLD_URL: options.url,
        FAULT_JOURNAL_DIR: options.journalDir,
        ...(options.leaseMs ? { FAULT_LEASE_MS: String(options.leaseMs) } : {}),
        ...(options.holdStepCompletion ? { FAULT_HOLD_STEP_COMPLETION: "1" } : {}),
      },
    });
    const stdout = this.#child.stdout as Readable;
    const stderr = this.#child.stderr as Readable;
    stderr.on("data", (chunk: Buffer) => this.#output.push(chunk.toString("utf8")));
    createInterface({ input: stdout }).on("line", (line) => {
      this.#output.push(`${line}\n`);
      this.#lines.push(line);
      for (const waiter of this.#lineWaiters.filter((w) => line.startsWith(w.prefix))) {
        this.#lineWaiters.splice(this.#lineWaiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    });
    this.#exited = new Promise((resolve) => this.#child.once("close", () => resolve()));
    this.port = new Promise((resolve, reject) => {
      const control = createInterface({ input: this.#child.stdio[3] as Readable });
      control.once("line", (line) => resolve((JSON.parse(line) as { info: { port: number } }).info.port));
      void this.#exited.then(() => reject(new Error(`app server exited before it listened:\n${this.output()}`)));
    });
    this.port.catch(() => undefined);
  }

  get pid(): number {
    return this.#child.pid ?? -1;
  }

  /** Everything the process wrote, for failure messages. */
  output(): string {
    return this.#output.join("");
  }

  /** The first stdout line starting with `prefix` (one already written counts). */
  line(prefix: string): Promise<string> {
    const seen = this.#lines.find((line) => line.startsWith(prefix));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      this.#lineWaiters.push({ prefix, resolve });
      void this.#exited.then(() => reject(new Error(`app server exited before printing "${prefix}":\n${this.output()}`)));
    });
  }

  /** Starts a workflow of the vendor's app (`POST /invoke`); its run id. */
  async invoke(file: string, workflow: string, args: readonly unknown[]): Promise<string> {
    const response = await fetch(`http://localhost:${await this.port}/invoke`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ file, workflow, args }),
    });
    if (!response.ok) throw new Error(`invoke ${workflow}: ${response.status} ${await response.text()}`);
    return ((await response.json()) as { runId: string }).runId;
  }

  async kill(): Promise<void> {
    this.#child.kill("SIGKILL");
    await this.#exited;
  }

  /** Ends the process (SIGTERM, as the vendor's suite does; SIGKILL if it lingers). */
  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    this.#child.kill("SIGTERM");
    const timer = setTimeout(() => this.#child.kill("SIGKILL"), 15_000);
    await this.#exited;
    clearTimeout(timer);
  }
}
