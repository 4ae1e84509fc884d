/**
 * The servers the scenarios run against (SPEC section 9), found in this order:
 *
 * - Postgres: `MOORING_POSTGRES_URL`; else a server on 127.0.0.1:5432 (database `test`, user
 *   `postgres`, no password).
 * - Redis: `MOORING_REDIS_URL`; else a server on 127.0.0.1:6379; else an ephemeral
 *   `redis-server` (`EphemeralRedis` of `@mooring/conformance/servers`).
 * - Redis Cluster: `MOORING_REDIS_CLUSTER_URL` (`redis+cluster://host:port,host:port`); else an
 *   ephemeral three-master cluster (`EphemeralRedisCluster` of `@mooring/conformance/servers`).
 *
 * A backend that cannot be had is skipped loudly with the reason, unless `MOORING_REQUIRE` (a
 * comma list: memory, sqlite, postgres, redis, redis-cluster) names it: then it is an error.
 *
 * Shared servers are never flushed, restarted or reconfigured: each scenario works under its own
 * schema or key prefix and removes only that (see `targets.ts`). No scenario here kills a server;
 * the server fault tests live in the backend packages and start their own ephemeral servers.
 */
import { EphemeralRedis, EphemeralRedisCluster, missingCommands, REDIS_BINARIES } from "@mooring/conformance/servers";
import { Redis } from "ioredis";
import pg from "pg";

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
 * @throws MooringError UNAVAILABLE when an ephemeral server or cluster does not start.
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
    const missing = await missingCommands(REDIS_BINARIES);
    if (missing.length > 0) return { skip: `no MOORING_REDIS_URL, nothing on 127.0.0.1:6379, and no ${missing.join(" / ")} to start a server` };
    const server = await EphemeralRedis.start();
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
    const missing = await missingCommands(REDIS_BINARIES);
    if (missing.length > 0) return { skip: `no MOORING_REDIS_CLUSTER_URL and no ${missing.join(" / ")} to start one` };
    // A cluster that fails to start stops what it started before rejecting, so only a started one is recorded.
    const cluster = await EphemeralRedisCluster.start();
    this.#started.push(() => cluster.stop());
    return { available: { kind: "redis-cluster", address: { kind: "redis-cluster", nodes: cluster.addresses }, source: "ephemeral 3-master cluster" } };
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

async function redisAnswers(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 1_000, retryStrategy: () => null, maxRetriesPerRequest: 0 });
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
