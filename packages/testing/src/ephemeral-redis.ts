/**
 * Ephemeral Redis servers started from the local binaries, SPEC section 9's last resort: a
 * standalone `redis-server`, or a cluster of three `--cluster-enabled yes` masters joined with
 * `redis-cli --cluster create`. Each server runs on a free loopback port in a temporary directory,
 * without persistence unless asked for, and `stop()` ends it and removes its directory; if the
 * process exits first (a second Ctrl-C, a test worker ending), the exit hook does both.
 *
 * `mooring conformance` starts its Redis Cluster column with this (redis-cluster.ts) when no
 * `MOORING_REDIS_CLUSTER_URL` is set, and the Redis backend's tests, fault tests included, start
 * their servers with it. It uses no driver (readiness is asked with `redis-cli`), so the command
 * does not load ioredis to start a cluster.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { MooringError } from "@mooring/core";
import { listenAndClose, LOOPBACK } from "./ports.js";

/** Runs a command and resolves its output; rejects when it fails or cannot be started. */
export const run = promisify(execFile);

/** The binaries a server or a cluster needs: the server, and the client that asks it and joins a cluster. */
export const REDIS_BINARIES = ["redis-server", "redis-cli"] as const;

export interface EphemeralOptions {
  /** The environment the binaries are looked up in (its PATH) and run with; default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** The directory in which the server's own temporary directory is made; default the OS's. */
  readonly parent?: string;
}

/** A cluster node also listens on its port + 10000, the cluster bus. */
const CLUSTER_BUS_OFFSET = 10_000;
const START_TIMEOUT_MS = 10_000;
/** How long a server may take to shut down after SIGTERM before it is killed. */
const STOP_TIMEOUT_MS = 5_000;
/** How often readiness is asked. */
export const POLL_MS = 50;
/** How many ports a start tries: another process may take a free port before the server binds it. */
const PORT_ATTEMPTS = 3;

/** The commands of `commands` that cannot be run from `env`'s PATH, in order; empty when all can. */
export async function missingCommands(commands: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const found = await Promise.all(commands.map((command) => run(command, ["--version"], { env }).then(() => true, () => false)));
  return commands.filter((_command, index) => !found[index]);
}

/**
 * A `redis-server` this process started, on a free loopback port (whose cluster bus port is free
 * too), in its own temporary directory, without persistence unless `args` asks for it. It can be
 * killed and restarted with the same port, directory and arguments (fault tests).
 */
export class EphemeralRedis {
  readonly port: number;
  /** The server's temporary directory: its log (`redis.log`) and any files it writes. */
  readonly dir: string;
  readonly #args: readonly string[];
  readonly #env: NodeJS.ProcessEnv;
  #process: ChildProcess | null = null;
  #exited: Promise<void> = Promise.resolve();
  /** Kills the server and removes its directory when the process exits before `stop()`. */
  readonly #onProcessExit = (): void => {
    this.#process?.kill("SIGKILL");
    rmSync(this.dir, { recursive: true, force: true });
  };

  private constructor(port: number, dir: string, args: readonly string[], env: NodeJS.ProcessEnv) {
    this.port = port;
    this.dir = dir;
    this.#args = args;
    this.#env = env;
  }

  get url(): string {
    return `redis://${this.address}`;
  }

  get address(): string {
    return `${LOOPBACK}:${this.port}`;
  }

  /**
   * Starts a server and resolves once it answers PING; `args` come after the defaults
   * (`--save "" --appendonly no`) and win.
   * @throws MooringError UNAVAILABLE when it exits or does not answer within 10 s (its directory is removed)
   */
  static async start(args: readonly string[] = [], options: EphemeralOptions = {}): Promise<EphemeralRedis> {
    const env = options.env ?? process.env;
    const dir = await mkdtemp(join(options.parent ?? tmpdir(), "mooring-redis-"));
    for (let attempt = 1; ; attempt++) {
      const server = new EphemeralRedis(await freeServerPort(), dir, args, env);
      process.once("exit", server.#onProcessExit);
      try {
        await server.#spawn();
        return server;
      } catch (error) {
        process.off("exit", server.#onProcessExit);
        if (attempt < PORT_ATTEMPTS && (await server.#lostPortRace())) continue;
        await rm(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }

  async #spawn(): Promise<void> {
    const child = spawn(
      "redis-server",
      ["--port", String(this.port), "--bind", LOOPBACK, "--dir", this.dir, "--save", "", "--appendonly", "no", "--logfile", "redis.log", ...this.#args],
      { cwd: this.dir, env: this.#env, stdio: "ignore" },
    );
    this.#process = child;
    const spawnFailure = new Promise<Error>((resolve) => child.once("error", resolve));
    if (child.pid === undefined) {
      const error = await spawnFailure;
      throw this.#unavailable(`redis-server could not be started: ${error.message}`, error);
    }
    this.#exited = new Promise((resolve) => child.once("exit", () => resolve()));
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw this.#unavailable(`redis-server on port ${this.port} exited with ${child.exitCode ?? child.signalCode} (log in ${this.dir}/redis.log)`);
      }
      if ((await this.command("PING")) === "PONG") return;
      await sleep(POLL_MS);
    }
    await this.kill();
    throw this.#unavailable(`redis-server on port ${this.port} did not answer within ${START_TIMEOUT_MS / 1000} s`);
  }

  /** Whether the last start failed because another process took the port first. */
  async #lostPortRace(): Promise<boolean> {
    const log = await readFile(join(this.dir, "redis.log"), "utf8").catch(() => "");
    return log.includes("Address already in use");
  }

  #unavailable(message: string, cause?: unknown): MooringError {
    return new MooringError("UNAVAILABLE", message, { backend: "redis", details: { port: this.port, dir: this.dir }, cause });
  }

  /** The reply `redis-cli` prints for one command to this server; "" when it cannot connect. */
  async command(...args: readonly string[]): Promise<string> {
    try {
      const { stdout } = await run("redis-cli", ["-h", LOOPBACK, "-p", String(this.port), ...args], { env: this.#env, timeout: START_TIMEOUT_MS });
      return stdout.trim();
    } catch {
      return "";
    }
  }

  /**
   * Ends the server with `signal` (SIGKILL: a crash) and waits for it to exit; a server that has
   * not exited 5 s after another signal is killed.
   */
  async kill(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    const child = this.#process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
    await this.#exited;
    clearTimeout(timer);
    this.#process = null;
  }

  /** Starts the server again: same port, directory and arguments (so the same AOF). */
  async restart(): Promise<void> {
    await this.kill();
    await this.#spawn();
  }

  /** Stops the server and removes its directory. */
  async stop(): Promise<void> {
    await this.kill("SIGTERM");
    process.off("exit", this.#onProcessExit);
    await rm(this.dir, { recursive: true, force: true });
  }
}

/**
 * A loopback port the OS reports free whose cluster bus port (port + 10000) is free as well.
 * @throws MooringError UNAVAILABLE when no such pair turns up in 50 tries
 */
async function freeServerPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await listenAndClose(0);
    if (port + CLUSTER_BUS_OFFSET <= 65_535 && (await listenAndClose(port + CLUSTER_BUS_OFFSET).then(() => true, () => false))) return port;
  }
  throw new MooringError("UNAVAILABLE", "no free loopback port whose port + 10000 is free too", { backend: "redis" });
}
