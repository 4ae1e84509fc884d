/** Stores the World's tests open by URL, each with what to remove after the file. */
import { openNamespaceRemover } from "@mooring/backend-redis";
import { findTestServer, SchemaNames } from "@mooring/testing/postgres";
import { standaloneServer, testPrefix } from "@mooring/testing/redis";
import { clusterAvailability, clusterServer } from "@mooring/testing/redis-cluster";

/** A store for one test file: its URL, and how to clean up after the file. */
export interface StoreTarget {
  readonly url: string;
  cleanUp(): Promise<void>;
}

/**
 * A schema of its own on the Postgres server of SPEC section 9 (found by `@mooring/testing`), or
 * why there is none; cleaning up drops the schema and stops only a server started for the file.
 */
export async function postgresStore(file: string, prefix: string, schema: string): Promise<StoreTarget | { readonly skip: string }> {
  const { server, reason } = await findTestServer(file);
  if (!server) return { skip: reason };
  const schemas = new SchemaNames(server.url, prefix);
  const url = new URL(server.url);
  url.searchParams.set("schema", schemas.name(schema));
  return {
    url: url.toString(),
    cleanUp: async () => {
      await schemas.dropAll();
      await server.stop();
    },
  };
}

/**
 * A prefix of its own on the standalone Redis of SPEC section 9, or why there is none; cleaning up
 * removes the prefix's keys and stops only a server started for the file.
 */
export async function redisStore(): Promise<StoreTarget | { readonly skip: string }> {
  const server = await standaloneServer();
  if ("skip" in server) return server;
  const prefix = testPrefix("world");
  return {
    url: withPrefix(server.url, prefix),
    cleanUp: async () => {
      await removePrefix(server.url, prefix);
      await server.stop();
    },
  };
}

/**
 * A prefix of its own on Redis Cluster: `MOORING_REDIS_CLUSTER_URL`, else three ephemeral masters
 * started for the file; or why there is none.
 */
export async function redisClusterStore(): Promise<StoreTarget | { readonly skip: string }> {
  const availability = await clusterAvailability();
  if ("skip" in availability) return availability;
  const cluster = await clusterServer();
  const prefix = testPrefix("world");
  return {
    url: withPrefix(cluster.url, prefix),
    cleanUp: async () => {
      await removePrefix(cluster.url, prefix);
      await cluster.stop();
    },
  };
}

/** A Redis or Redis Cluster URL with a key prefix. */
export function withPrefix(url: string, prefix: string): string {
  // Built as text: WHATWG URL cannot parse a cluster URL's list of hosts.
  return `${url}${url.includes("?") ? "&" : "?"}prefix=${encodeURIComponent(prefix)}`;
}

/** Removes every key of `prefix` from the Redis deployment at `url` (each primary of a cluster). */
export async function removePrefix(url: string, prefix: string): Promise<void> {
  const remover = openNamespaceRemover(url);
  try {
    await remover.removeEveryStartingWith(prefix);
  } finally {
    await remover.close();
  }
}
