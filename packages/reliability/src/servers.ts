/**
 * The servers the scenarios run against (SPEC section 9), found in this order:
 *
 * `@mooring/testing`'s discovery: an explicit URL (`MOORING_POSTGRES_URL`, `MOORING_REDIS_URL`,
 * `MOORING_REDIS_CLUSTER_URL`), the default local port, testcontainers (Postgres, Redis), an
 * ephemeral server or three-master cluster from the local binaries.
 *
 * A backend that cannot be had is skipped loudly with the reason, unless `MOORING_REQUIRE` (a
 * comma list: memory, sqlite, postgres, redis, redis-cluster) names it: then it is an error.
 *
 * Shared servers are never flushed, restarted or reconfigured: each scenario works under its own
 * schema or key prefix and removes only that (see `targets.ts`). No scenario here kills a server;
 * the server fault tests live in the backend packages and start their own ephemeral servers.
 */
import { findPostgres } from "@mooring/testing/postgres";
import { findRedis } from "@mooring/testing/redis";
import { clusterServer, clusterUnavailable } from "@mooring/testing/redis-cluster";
import { type BackendKind, skipLoudly } from "@mooring/testing/require";
import { Redis } from "ioredis";
import pg from "pg";

export { BACKEND_KINDS, type BackendKind } from "@mooring/testing/require";

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
        if ("skip" in result) skipLoudly(kind, `${kind} scenarios`, result.skip, this.#warn);
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
        return this.#findServer("postgres");
      case "redis":
        return this.#findServer("redis");
      case "redis-cluster":
        return this.#findCluster();
    }
  }

  async #findServer(kind: "postgres" | "redis"): Promise<Availability> {
    const found = kind === "postgres" ? await findPostgres() : await findRedis();
    if (!found.server) return { skip: found.reason };
    const { url, source, stop } = found.server;
    this.#started.push(stop);
    return { available: { kind, address: { kind, url }, source } };
  }

  async #findCluster(): Promise<Availability> {
    const reason = await clusterUnavailable();
    if (reason !== null) return { skip: reason };
    // A cluster that fails to start stops what it started before rejecting, so only a started one is recorded.
    const cluster = await clusterServer();
    this.#started.push(() => cluster.stop());
    return { available: { kind: "redis-cluster", address: { kind: "redis-cluster", nodes: cluster.nodes }, source: cluster.source } };
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
