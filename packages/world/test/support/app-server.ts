/**
 * One app process: the vendor's own app server (`@workflow/world-testing`'s `dist/src/server.mjs`,
 * the one its suite starts, with its prebuilt workflows) on a World module of the caller's (the
 * fault tests' `support/fault-world.mjs`, the bench's `bench/timed-world.mjs`). Like the vendor's
 * `startServer`, it reads the port from the server's control pipe (fd 3); unlike it, the caller
 * keeps the process to SIGKILL it, as packages/reliability keeps its workers, and reads its output
 * line by line.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";

const vendorServer = join(dirname(createRequire(import.meta.url).resolve("@workflow/world-testing/package.json")), "dist/src/server.mjs");

export interface AppServerOptions {
  /** The World module the server loads (`WORKFLOW_TARGET_WORLD`): an absolute path, or one relative to `cwd` starting with `./`. */
  readonly world: string;
  /** The server's working directory. */
  readonly cwd: string;
  /** Added to this process's environment for the server: what the World reads (its store, its settings). */
  readonly env: Readonly<Record<string, string>>;
}

/**
 * This process's environment without PORT, as the vendor's suite starts its server: the server
 * then listens on a free port and sets PORT itself before `world.start()`. A World that reads PORT
 * when it is created (world-postgres does, for its deliveries) would otherwise keep an inherited
 * or zero port and never reach the app.
 */
function inheritedEnvironment(): NodeJS.ProcessEnv {
  const { PORT: _port, ...rest } = process.env;
  return rest;
}

export class AppServer {
  readonly #child: ChildProcess;
  readonly #output: string[] = [];
  readonly #exited: Promise<void>;
  readonly #lineWaiters: { readonly prefix: string; resolve(line: string): void }[] = [];
  readonly #lines: string[] = [];
  readonly #lineListeners: ((line: string) => void)[] = [];
  readonly port: Promise<number>;

  constructor(options: AppServerOptions) {
    this.#child = spawn(process.execPath, [vendorServer], {
      cwd: options.cwd,
      stdio: ["ignore", "pipe", "pipe", "pipe"],
      env: { ...inheritedEnvironment(), ...options.env, WORKFLOW_TARGET_WORLD: options.world, CONTROL_FD: "3" },
    });
    const stdout = this.#child.stdout as Readable;
    const stderr = this.#child.stderr as Readable;
    stderr.on("data", (chunk: Buffer) => this.#output.push(chunk.toString("utf8")));
    createInterface({ input: stdout }).on("line", (line) => {
      this.#output.push(`${line}\n`);
      this.#lines.push(line);
      for (const listener of this.#lineListeners) listener(line);
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

  /** Calls `listener` with every stdout line written from now on. */
  onLine(listener: (line: string) => void): void {
    this.#lineListeners.push(listener);
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
