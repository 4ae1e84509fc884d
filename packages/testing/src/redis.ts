/**
 * Standalone Redis servers for tests and scenarios (SPEC section 9), found in this order:
 *
 * 1. `MOORING_REDIS_URL`, when it answers PING;
 * 2. a server answering on 127.0.0.1:6379;
 * 3. a `redis:7` container through testcontainers, when a Docker engine answers;
 * 4. an ephemeral `redis-server` (ephemeral-redis.ts) on a free port in a temporary directory,
 *    without persistence, stopped afterwards.
 *
 * Shared servers (an explicit URL, the one on 6379) are never flushed, restarted or reconfigured:
 * each test file works under its own key prefix (`testPrefix`) and removes only its keys. Fault
 * tests only ever use ephemeral servers they started themselves (`ephemeralAvailability`).
 * For Redis Cluster see redis-cluster.ts.
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { DEFAULT_REDIS, URL_VARIABLES } from "./defaults.js";
import { type Found, findServer, type FoundServer } from "./discovery.js";
import { EphemeralRedis, missingCommands, REDIS_BINARIES } from "./ephemeral-redis.js";
import { skipLoudly } from "./require.js";

export { EphemeralRedis };

export const DEFAULT_REDIS_URL = DEFAULT_REDIS.url;

/** A server found or started for a test file or a run. `stop` ends only what was started for it. */
export type RedisServer = FoundServer;

/** A key prefix of a test file or scenario: unique per run, so files never see each other's keys. */
export function testPrefix(label: string): string {
  return `mt-${label}-${randomBytes(4).toString("hex")}`;
}

/** Whether a Redis answers PING at `url` within `timeoutMs`. */
export async function redisAnswers(url: string, timeoutMs = 1_000): Promise<boolean> {
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

/** Finds or starts a server in the order of the module comment; the reasons each way failed when none worked. */
export function findRedis(): Promise<Found> {
  return findServer({
    variable: URL_VARIABLES.redis,
    local: { url: DEFAULT_REDIS_URL, source: "local 127.0.0.1:6379", absent: "nothing answers on 127.0.0.1:6379" },
    answers: (url) => redisAnswers(url),
    startContainer: async () => {
      const { RedisContainer } = await import("@testcontainers/redis");
      const container = await new RedisContainer("redis:7").start();
      return { url: container.getConnectionUrl(), source: "testcontainers", stop: async () => void (await container.stop()) };
    },
    startEphemeral: async () => {
      const missing = await missingCommands(REDIS_BINARIES);
      if (missing.length > 0) return `no ${missing.join(" / ")} binary to start a server with`;
      const server = await EphemeralRedis.start();
      return { url: server.url, source: "ephemeral redis-server", stop: () => server.stop() };
    },
  });
}

/** The server of a test file, or a skip reason after a loud warning (a failure under `MOORING_REQUIRE`). */
export async function standaloneServer(): Promise<RedisServer | { readonly skip: string }> {
  const found = await findRedis();
  return found.server ?? { skip: skipLoudly("redis", "redis tests", found.reason) };
}

/**
 * Whether this machine can start ephemeral servers (fault tests and tests of server settings never
 * touch a shared server). Decided while the test file is collected.
 */
export async function ephemeralAvailability(): Promise<{ readonly available: true } | { readonly skip: string }> {
  const missing = await missingCommands(REDIS_BINARIES);
  if (missing.length === 0) return { available: true };
  return { skip: skipLoudly("redis", "redis tests", `no ${missing.join(" / ")} binary to start an ephemeral server with (fault and server-setting tests never use a shared server)`) };
}
