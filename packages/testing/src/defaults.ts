/**
 * Where SPEC section 9 looks for servers, without loading a driver (the `mooring` command reads
 * these before it knows which backends it will run).
 */

/** The environment variable that names each server kind's URL. */
export const URL_VARIABLES = {
  postgres: "MOORING_POSTGRES_URL",
  redis: "MOORING_REDIS_URL",
  "redis-cluster": "MOORING_REDIS_CLUSTER_URL",
} as const;

/** A server on its default local port. Redis Cluster has none: without its variable, an ephemeral one is started. */
export interface DefaultServer {
  readonly host: string;
  readonly port: number;
  readonly url: string;
}

/** The local Postgres looked for second: database `test`, user `postgres`, no password. */
export const DEFAULT_POSTGRES: DefaultServer = { host: "127.0.0.1", port: 5432, url: "postgres://postgres@127.0.0.1:5432/test" };

/** The local Redis looked for second. */
export const DEFAULT_REDIS: DefaultServer = { host: "127.0.0.1", port: 6379, url: "redis://127.0.0.1:6379" };
