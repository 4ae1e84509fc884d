/**
 * The servers the scenarios run against (SPEC section 9), found in this order:
 *
 * - Postgres: `MOORING_POSTGRES_URL`; else a server on 127.0.0.1:5432 (database `test`, user
 *   `postgres`, no password).
 * - Redis: `MOORING_REDIS_URL`; else a server on 127.0.0.1:6379; else an ephemeral
 *   `redis-server` started from the local binary on a free port, in a temporary directory.
 * - Redis Cluster: `MOORING_REDIS_CLUSTER_URL` (`redis+cluster://host:port,host:port`); else
 *   three ephemeral `--cluster-enabled yes` masters joined with `redis-cli --cluster create`.
 *
 * A backend that cannot be had is skipped loudly with the reason, unless `MOORING_REQUIRE` (a
 * comma list: memory, sqlite, postgres, redis, redis-cluster) names it: then it is an error.
 *
 * Shared servers are never flushed, restarted or reconfigured: each scenario works under its own
 * schema or key prefix and removes only that (see `targets.ts`). No scenario here kills a server;
 * the server fault tests live in the backend packages and start their own ephemeral servers.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import pg from "pg";

const run = promisify(execFile);

export const BACKEND_KINDS = ["memory", "sqlite", "postgres", "redis", "redis-cluster"] as const;
export type BackendKind = (typeof BACKEND_KINDS)[number];

/** Where a server backend connects. Plain JSON: it is handed to worker processes. */
export type ServerAddress =
  | { readonly kind: "postgres"; readonly url: string }
  | { readonly kind: "redis"; readonly url: string }
  | { readonly kind: "redis-cluster"; readonly nodes: readonly string[] };

/** A backend that can be used, how it was found, and how to stop what was started for it. */
export interface Available {
  readonly kind: BackendKind;
  /** Null for memory and sqlite, which need no server. */
  readonly address: ServerAddress | null;
  /** "in process", "temporary file", "MOORING_POSTGRES_URL", "local 127.0.0.1:6379", "ephemeral", … */
  readonly source: string;
}

export type Availability = { readonly available: Available } | { readonly skip: string };

/** Whether `MOORING_REQUIRE` makes a missing `kind` an error. */
export function required(kind: BackendKind, env: NodeJS.ProcessEnv = process.env): boolean {
  return (env.MOORING_REQUIRE ?? "")
    .split(",")
    .map((item) => item.trim())
    .includes(kind);
}

/**
 * Finds (and where needed starts) the servers of `kinds`. `stop()` ends what was started here
 * (ephemeral servers), never a shared server.
 * @throws Error when a kind `MOORING_REQUIRE` names cannot be had.
 */
export class Servers {
  readonly #started: (() => Promise<void>)[] = [];
  readonly #found = new Map<BackendKind, Promise<Availability>>();
  readonly #warn: (message: string) => void;

  constructor(options: { readonly warn?: (message: string) => void } = {}) {
    this.#warn = options.warn ?? ((message) => console.warn(message));
  }

  /** The availability of `kind`, found once per `Servers`. */
  find(kind: BackendKind): Promise<Availability> {
    let found = this.#found.get(kind);
    if (!found) {
      found = this.#discover(kind).then((result) => {
        if ("skip" in result) {
          const message = `${kind} scenarios cannot run: ${result.skip}`;
          if (required(kind)) throw new Error(`${message} (MOORING_REQUIRE names ${kind}, so this is a failure)`);
          this.#warn(`\n*** SKIPPING ${message} ***\n`);
        }
        return result;
      });
      this.#found.set(kind, found);
    }
    return found;
  }

  async #discover(kind: BackendKind): Promise<Availability> {
    switch (kind) {
      case "memory":
        return { available: { kind, address: null, source: "in process" } };
      case "sqlite":
        return { available: { kind, address: null, source: "temporary file" } };
      case "postgres":
        return findPostgres();
      case "redis":
        return this.#findRedis();
      case "redis-cluster":
        return this.#findCluster();
    }
  }

  async #findRedis(): Promise<Availability> {
    const explicit = process.env.MOORING_REDIS_URL;
    if (explicit) {
      if (await redisAnswers(explicit)) return { available: { kind: "redis", address: { kind: "redis", url: explicit }, source: "MOORING_REDIS_URL" } };
      return { skip: `MOORING_REDIS_URL (${explicit}) does not answer PING` };
    }
    const local = "redis://127.0.0.1:6379";
    if (await redisAnswers(local)) return { available: { kind: "redis", address: { kind: "redis", url: local }, source: "local 127.0.0.1:6379" } };
    if (!(await commandExists("redis-server"))) return { skip: "no MOORING_REDIS_URL, nothing on 127.0.0.1:6379, no redis-server binary" };
    const server = await EphemeralRedis.start([]);
    this.#started.push(() => server.stop());
    return { available: { kind: "redis", address: { kind: "redis", url: server.url }, source: "ephemeral redis-server" } };
  }

  async #findCluster(): Promise<Availability> {
    const explicit = process.env.MOORING_REDIS_CLUSTER_URL;
    if (explicit) {
      const hosts = /^redis\+cluster:\/\/(?:[^@/]*@)?([^/?#]+)/.exec(explicit)?.[1];
      if (!hosts) return { skip: `MOORING_REDIS_CLUSTER_URL is not redis+cluster://host:port,…: ${explicit}` };
      return { available: { kind: "redis-cluster", address: { kind: "redis-cluster", nodes: hosts.split(",") }, source: "MOORING_REDIS_CLUSTER_URL" } };
    }
    if (!(await commandExists("redis-server")) || !(await commandExists("redis-cli"))) {
      return { skip: "no MOORING_REDIS_CLUSTER_URL and no redis-server / redis-cli binaries to start one" };
    }
    const servers: EphemeralRedis[] = [];
    const stop = async (): Promise<void> => {
      await Promise.all(servers.map((server) => server.stop()));
    };
    this.#started.push(stop);
    for (let i = 0; i < 3; i++) {
      servers.push(await EphemeralRedis.start(["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "5000"]));
    }
    await run("redis-cli", ["--cluster", "create", ...servers.map((server) => server.address), "--cluster-replicas", "0", "--cluster-yes"]);
    await waitForClusterOk(servers.map((server) => server.port));
    return { available: { kind: "redis-cluster", address: { kind: "redis-cluster", nodes: servers.map((server) => server.address) }, source: "ephemeral 3-master cluster" } };
  }

  /** Stops every server started here. */
  async stop(): Promise<void> {
    const stops = this.#started.splice(0);
    await Promise.all(stops.map((stop) => stop()));
  }
}

/** The server's product and version ("PostgreSQL 15.4", "Redis 7.0.15"), for reports; null for memory and sqlite. */
export async function serverVersion(available: Available): Promise<string | null> {
  const address = available.address;
  if (address === null) return null;
  if (address.kind === "postgres") {
    const client = new pg.Client({ connectionString: address.url, connectionTimeoutMillis: 5_000 });
    client.on("error", () => undefined);
    try {
      await client.connect();
      const result = await client.query<{ server_version: string }>("SHOW server_version");
      return `PostgreSQL ${result.rows[0]?.server_version ?? "?"}`;
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  const url = address.kind === "redis" ? address.url : `redis://${address.nodes[0] ?? "127.0.0.1:6379"}`;
  const client = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    const info = await client.info("server");
    const version = /^redis_version:(\S+)/m.exec(info)?.[1] ?? "?";
    return `Redis ${version}${address.kind === "redis-cluster" ? `, ${address.nodes.length}-node cluster` : ""}`;
  } finally {
    client.disconnect();
  }
}

async function findPostgres(): Promise<Availability> {
  const explicit = process.env.MOORING_POSTGRES_URL;
  if (explicit) {
    if (await postgresAnswers(explicit)) return { available: { kind: "postgres", address: { kind: "postgres", url: explicit }, source: "MOORING_POSTGRES_URL" } };
    return { skip: "MOORING_POSTGRES_URL does not answer SELECT 1" };
  }
  const local = "postgres://postgres@127.0.0.1:5432/test";
  if (await postgresAnswers(local)) return { available: { kind: "postgres", address: { kind: "postgres", url: local }, source: "local 127.0.0.1:5432" } };
  return { skip: "no MOORING_POSTGRES_URL and nothing answers on 127.0.0.1:5432 (database test, user postgres)" };
}

async function postgresAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function redisAnswers(url: string, timeoutMs = 1_000): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: timeoutMs, retryStrategy: () => null, maxRetriesPerRequest: 0 });
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

async function commandExists(command: string): Promise<boolean> {
  try {
    await run(command, ["--version"]);
    return true;
  } catch {
    return false;
  }
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** A free port whose cluster bus port (port + 10000) is free as well. */
async function freePortPair(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 30000);
    if ((await portIsFree(port)) && (await portIsFree(port + 10000))) return port;
  }
  throw new Error("no free port pair found");
}

/** A `redis-server` this process started, without persistence, in its own temporary directory. */
class EphemeralRedis {
  readonly port: number;
  readonly #dir: string;
  readonly #child: ChildProcess;
  readonly #exited: Promise<void>;

  private constructor(port: number, dir: string, child: ChildProcess) {
    this.port = port;
    this.#dir = dir;
    this.#child = child;
    // A run that ends abruptly must not leave the server behind.
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
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  static async start(args: readonly string[]): Promise<EphemeralRedis> {
    const dir = await mkdtemp(join(tmpdir(), "mooring-reliability-redis-"));
    const port = await freePortPair();
    const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no", "--logfile", "redis.log", ...args], {
      cwd: dir,
      stdio: "ignore",
    });
    const server = new EphemeralRedis(port, dir, child);
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`redis-server on ${port} exited with ${child.exitCode} (log in ${dir}/redis.log)`);
      if (await redisAnswers(server.url, 500)) return server;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await server.stop();
    throw new Error(`redis-server on ${port} did not answer within 10 s`);
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) {
      this.#child.kill("SIGTERM");
      await this.#exited;
    }
    await rm(this.#dir, { recursive: true, force: true });
  }
}

async function waitForClusterOk(ports: readonly number[]): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (const port of ports) {
    const client = new Redis({ host: "127.0.0.1", port });
    client.on("error", () => undefined);
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
