/**
 * Redis servers for the tests (SPEC section 9), found in this order:
 *
 * 1. an explicit URL: `MOORING_REDIS_URL` (standalone), `MOORING_REDIS_CLUSTER_URL`
 *    (`redis+cluster://host:port,host:port`);
 * 2. standalone only: a server already listening on 127.0.0.1:6379;
 * 3. standalone only: a `redis:7` container through testcontainers, when a Docker engine is
 *    reachable (a cluster in containers announces container-internal addresses the host cannot
 *    reach, so the cluster skips this step);
 * 4. ephemeral servers started from the local `redis-server` and `redis-cli` binaries on free
 *    ports in temporary directories, without persistence (the cluster: three `--cluster-enabled
 *    yes` servers joined by `redis-cli --cluster create`), stopped afterwards. They come from
 *    `@mooring/conformance/servers`, which `mooring conformance` starts its cluster with too.
 *
 * When none can be had the test file skips loudly with the reason, unless `MOORING_REQUIRE`
 * (a comma list) names `redis` / `redis-cluster`: then it fails.
 *
 * Shared servers (an explicit URL, the one on 6379) are never flushed, restarted or reconfigured:
 * each test file works under its own key prefix and removes only its keys (SCAN + UNLINK).
 * Fault tests only ever use ephemeral servers they started themselves.
 */
import { randomBytes } from "node:crypto";
import { EphemeralRedis, EphemeralRedisCluster, missingCommands, REDIS_BINARIES } from "@mooring/conformance/servers";
import { Cluster, Redis } from "ioredis";

export { EphemeralRedis };

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
  const missing = await missingCommands(REDIS_BINARIES);
  if (missing.length === 0) {
    const server = await EphemeralRedis.start();
    return { url: server.url, source: "ephemeral", stop: () => server.stop() };
  }
  return { skip: unavailable("redis", `no MOORING_REDIS_URL, nothing on 127.0.0.1:6379, no Docker engine, no ${missing.join(" / ")} binary`) };
}

/**
 * Whether this machine can start ephemeral servers (fault tests and tests of server settings never
 * touch a shared server). Decided while the test file is collected.
 */
export async function ephemeralAvailability(): Promise<{ readonly available: true } | { readonly skip: string }> {
  const missing = await missingCommands(REDIS_BINARIES);
  if (missing.length === 0) return { available: true };
  return { skip: unavailable("redis", `no ${missing.join(" / ")} binary to start an ephemeral server with (fault and server-setting tests never use a shared server)`) };
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
  if ((await missingCommands(REDIS_BINARIES)).length === 0) return { available: true };
  return { skip: unavailable("redis-cluster", "no MOORING_REDIS_CLUSTER_URL and no redis-server / redis-cli binaries to start one") };
}

/**
 * The cluster of `MOORING_REDIS_CLUSTER_URL`, else an `EphemeralRedisCluster`: three
 * `--cluster-enabled yes` masters joined with `redis-cli --cluster create … --cluster-replicas 0`,
 * ready when every node reports `cluster_state:ok`.
 */
export async function clusterServer(): Promise<ClusterTarget> {
  const explicit = process.env.MOORING_REDIS_CLUSTER_URL;
  if (explicit) {
    const hosts = /^redis\+cluster:\/\/(?:[^@/]*@)?([^/?#]+)/.exec(explicit)?.[1];
    if (!hosts) throw new Error(`MOORING_REDIS_CLUSTER_URL is not redis+cluster://host:port,…: ${explicit}`);
    return { nodes: hosts.split(","), source: "MOORING_REDIS_CLUSTER_URL", stop: async () => undefined };
  }
  const cluster = await EphemeralRedisCluster.start();
  return { nodes: cluster.addresses, source: "ephemeral", stop: () => cluster.stop() };
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
