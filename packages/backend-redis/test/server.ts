/**
 * Redis servers for the tests (SPEC section 9), found in this order:
 *
 * 1. an explicit URL: `MOORING_REDIS_URL` (standalone), `MOORING_REDIS_CLUSTER_URL`
 *    (`redis+cluster://host:port,host:port`);
 * 2. standalone only: a server already listening on 127.0.0.1:6379;
 * 3. standalone only: a `redis:7` container through testcontainers, when a Docker engine is
 *    reachable (a cluster in containers announces container-internal addresses the host cannot
 *    reach, so the cluster skips this step);
 * 4. ephemeral servers started from the local `redis-server` binary on free ports in temporary
 *    directories, without persistence (the cluster: three `--cluster-enabled yes` servers joined
 *    by `redis-cli --cluster create`), stopped afterwards.
 *
 * When none can be had the test file skips loudly with the reason, unless `MOORING_REQUIRE`
 * (a comma list) names `redis` / `redis-cluster`: then it fails.
 *
 * Shared servers (an explicit URL, the one on 6379) are never flushed, restarted or reconfigured:
 * each test file works under its own key prefix and removes only its keys (SCAN + UNLINK).
 * Fault tests only ever use ephemeral servers they started themselves.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Cluster, Redis } from "ioredis";

const run = promisify(execFile);

export type Requirement = "redis" | "redis-cluster";

/** A test file's key prefix: unique per run, so files never see each other's keys. */
export function testPrefix(label: string): string {
  return `mt-${label}-${randomBytes(4).toString("hex")}`;
}

/** Whether `MOORING_REQUIRE` makes a missing server a failure. */
export function required(requirement: Requirement): boolean {
  return (process.env.MOORING_REQUIRE ?? "")
    .split(",")
    .map((item) => item.trim())
    .includes(requirement);
}

/**
 * Reports a missing server: throws under MOORING_REQUIRE, else warns loudly and returns the
 * reason for a visible skip.
 */
export function unavailable(requirement: Requirement, reason: string): string {
  const message = `${requirement} tests cannot run: ${reason}`;
  if (required(requirement)) throw new Error(`${message} (MOORING_REQUIRE names ${requirement})`);
  console.warn(`\n*** SKIPPING ${message} ***\n`);
  return message;
}

async function commandExists(command: string): Promise<boolean> {
  try {
    await run(command, ["--version"]);
    return true;
  } catch {
    return false;
  }
}

/** Whether a Redis answers PING at `port` on 127.0.0.1 within `timeoutMs`. */
async function answersPing(port: number, timeoutMs = 1000): Promise<boolean> {
  const client = new Redis({ host: "127.0.0.1", port, lazyConnect: true, connectTimeout: timeoutMs, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** A free port whose cluster bus port (port + 10000) is free as well. */
async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 30000);
    if ((await portIsFree(port)) && (await portIsFree(port + 10000))) return port;
  }
  throw new Error("no free port pair found");
}

/**
 * A `redis-server` this process started, on a free port, in its own temporary directory, without
 * persistence unless `args` asks for it. It can be killed and restarted with the same port,
 * directory and arguments (fault tests).
 */
export class EphemeralRedis {
  readonly port: number;
  readonly dir: string;
  readonly #args: readonly string[];
  #process: ChildProcess | null = null;
  #exited: Promise<void> = Promise.resolve();

  private constructor(port: number, dir: string, args: readonly string[]) {
    this.port = port;
    this.dir = dir;
    this.#args = args;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Starts a server; `args` come after the defaults (`--save "" --appendonly no`) and win. */
  static async start(args: readonly string[] = []): Promise<EphemeralRedis> {
    const dir = await mkdtemp(join(tmpdir(), "mooring-redis-"));
    const server = new EphemeralRedis(await freePort(), dir, args);
    await server.#spawn();
    return server;
  }

  async #spawn(): Promise<void> {
    const child = spawn(
      "redis-server",
      ["--port", String(this.port), "--bind", "127.0.0.1", "--dir", this.dir, "--save", "", "--appendonly", "no", "--logfile", "redis.log", ...this.#args],
      { cwd: this.dir, stdio: "ignore" },
    );
    this.#process = child;
    // A test that times out or a worker that dies must not leave the server running.
    const killOnExit = (): void => {
      child.kill("SIGKILL");
    };
    process.once("exit", killOnExit);
    this.#exited = new Promise((resolve) =>
      child.once("exit", () => {
        process.off("exit", killOnExit);
        resolve();
      }),
    );
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`redis-server on ${this.port} exited with ${child.exitCode} (log in ${this.dir}/redis.log)`);
      if (await answersPing(this.port, 500)) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`redis-server on ${this.port} did not answer within 10 s`);
  }

  /** Kills the server with `signal` (SIGKILL: a crash) and waits for it to exit. */
  async kill(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    const child = this.#process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    await this.#exited;
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
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** A standalone server for a test file. `stop` ends only what this module started. */
export interface StandaloneTarget {
  readonly url: string;
  /** "MOORING_REDIS_URL", "local 6379", "testcontainers", "ephemeral" */
  readonly source: string;
  stop(): Promise<void>;
}

async function dockerReachable(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import("testcontainers");
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

/** Finds or starts a standalone server (see the module comment for the order). */
export async function standaloneServer(): Promise<StandaloneTarget | { readonly skip: string }> {
  const explicit = process.env.MOORING_REDIS_URL;
  if (explicit) return { url: explicit, source: "MOORING_REDIS_URL", stop: async () => undefined };
  if (await answersPing(6379)) return { url: "redis://127.0.0.1:6379", source: "local 6379", stop: async () => undefined };
  if (await dockerReachable()) {
    const { RedisContainer } = await import("@testcontainers/redis");
    const container = await new RedisContainer("redis:7").start();
    return { url: container.getConnectionUrl(), source: "testcontainers", stop: async () => void (await container.stop()) };
  }
  if (await commandExists("redis-server")) {
    const server = await EphemeralRedis.start();
    return { url: server.url, source: "ephemeral", stop: () => server.stop() };
  }
  return { skip: unavailable("redis", "no MOORING_REDIS_URL, nothing on 127.0.0.1:6379, no Docker engine, no redis-server binary") };
}

/**
 * Whether this machine can start ephemeral servers (fault tests and tests of server settings never
 * touch a shared server). Decided while the test file is collected.
 */
export async function ephemeralAvailability(): Promise<{ readonly available: true } | { readonly skip: string }> {
  if (await commandExists("redis-server")) return { available: true };
  return { skip: unavailable("redis", "no redis-server binary to start an ephemeral server with (fault and server-setting tests never use a shared server)") };
}

/** A Redis Cluster for a test file. */
export interface ClusterTarget {
  /** Seed nodes, "host:port". */
  readonly nodes: readonly string[];
  readonly source: string;
  stop(): Promise<void>;
}

/**
 * Whether a cluster can be had, decided without starting one (test files decide between running
 * and skipping while they are collected, and start the cluster in `beforeAll`).
 */
export async function clusterAvailability(): Promise<{ readonly available: true } | { readonly skip: string }> {
  if (process.env.MOORING_REDIS_CLUSTER_URL) return { available: true };
  if ((await commandExists("redis-server")) && (await commandExists("redis-cli"))) return { available: true };
  return { skip: unavailable("redis-cluster", "no MOORING_REDIS_CLUSTER_URL and no redis-server / redis-cli binaries to start one") };
}

/**
 * The cluster of `MOORING_REDIS_CLUSTER_URL`, else three ephemeral `--cluster-enabled yes` masters
 * joined with `redis-cli --cluster create … --cluster-replicas 0`, ready when every node reports
 * `cluster_state:ok`.
 */
export async function clusterServer(): Promise<ClusterTarget> {
  const explicit = process.env.MOORING_REDIS_CLUSTER_URL;
  if (explicit) {
    const hosts = /^redis\+cluster:\/\/(?:[^@/]*@)?([^/?#]+)/.exec(explicit)?.[1];
    if (!hosts) throw new Error(`MOORING_REDIS_CLUSTER_URL is not redis+cluster://host:port,…: ${explicit}`);
    return { nodes: hosts.split(","), source: "MOORING_REDIS_CLUSTER_URL", stop: async () => undefined };
  }
  const servers: EphemeralRedis[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(servers.map((server) => server.stop()));
  };
  try {
    for (let i = 0; i < 3; i++) {
      servers.push(await EphemeralRedis.start(["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "5000"]));
    }
    await run("redis-cli", ["--cluster", "create", ...servers.map((server) => server.address), "--cluster-replicas", "0", "--cluster-yes"]);
    await waitForClusterOk(servers.map((server) => server.port));
  } catch (error) {
    await stop();
    throw error;
  }
  return { nodes: servers.map((server) => server.address), source: "ephemeral", stop };
}

async function waitForClusterOk(ports: readonly number[]): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (const port of ports) {
    const client = new Redis({ host: "127.0.0.1", port });
    try {
      for (;;) {
        const info = await client.cluster("INFO");
        if (typeof info === "string" && info.includes("cluster_state:ok")) break;
        if (Date.now() > deadline) throw new Error(`cluster node ${port} is not ok after 20 s`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      client.disconnect();
    }
  }
}

/**
 * Removes every key matching `pattern` (a test file's prefix, e.g. `{mt-conf-1a2b.*`) with
 * SCAN + UNLINK, on every master of a cluster. Never FLUSH: the server may be shared.
 */
export async function removeKeys(target: { readonly url: string } | { readonly nodes: readonly string[] }, pattern: string): Promise<number> {
  const clients: Redis[] = [];
  let cluster: Cluster | null = null;
  if ("url" in target) {
    clients.push(new Redis(target.url));
  } else {
    cluster = new Cluster(target.nodes.map((node) => ({ host: node.slice(0, node.lastIndexOf(":")), port: Number(node.slice(node.lastIndexOf(":") + 1)) })));
    await new Promise<void>((resolve, reject) => {
      cluster?.once("ready", () => resolve());
      cluster?.once("error", reject);
    });
    clients.push(...cluster.nodes("master"));
  }
  let removed = 0;
  try {
    for (const client of clients) {
      let cursor = "0";
      do {
        const [next, keys] = await client.scan(cursor, "MATCH", pattern, "COUNT", 1000);
        cursor = next;
        // One key per UNLINK: a cluster node refuses a multi-key command across slots.
        if (keys.length > 0) {
          const replies = (await client.pipeline(keys.map((key) => ["unlink", key])).exec()) ?? [];
          removed += replies.filter(([error, count]) => error === null && count === 1).length;
        }
      } while (cursor !== "0");
    }
  } finally {
    if (cluster) cluster.disconnect();
    else for (const client of clients) client.disconnect();
  }
  return removed;
}
