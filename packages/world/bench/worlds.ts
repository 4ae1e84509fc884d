/**
 * The Worlds the bench compares, each on a store made for the run and removed after it:
 * `@mooring/world` on every backend, `@workflow/world-postgres` on the same Postgres server (a
 * database of its own, migrated by its own `bootstrap` command), and `@workflow/world-local`
 * (files in a temporary directory). Each World is configured the way its maintainers document,
 * through its environment variables, and is otherwise left at its defaults.
 *
 * Servers are the ones the repository's bench measures (`@mooring/bench`'s `postgresUrl` and
 * `redisUrl`: the URL variable, else the local server; never an ephemeral one, since a benchmark
 * measures the server it is pointed at), except Redis Cluster, which has no shared server here:
 * `MOORING_REDIS_CLUSTER_URL`, else three ephemeral masters started for the run.
 */
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import {
  benchSchemaName,
  connectPostgres,
  dropBenchSchema,
  postgresUnavailable,
  postgresUrl,
  randomTag,
  redactUrl,
  redisUnavailable,
  redisUrl,
} from "@mooring/bench/servers";
import { quoteIdentifier } from "@mooring/testing/identifiers";
import { clusterServer, clusterUnavailable } from "@mooring/testing/redis-cluster";
import { removePrefix, withPrefix } from "../test/support/stores.js";

/** The World modules bench/timed-world.mjs can load (its `BENCH_WORLD`). */
export type WorldModule = "@mooring/world" | "@workflow/world-postgres" | "@workflow/world-local";

export interface WorldTarget {
  /** The name on the command line and in the report. */
  readonly name: string;
  readonly module: WorldModule;
  /**
   * Makes the target's store, with `dir` (a temporary directory of its own, removed after the run)
   * for its files; why not, when its server cannot be had.
   */
  open(dir: string): Promise<OpenWorld | { readonly unavailable: string }>;
}

export interface OpenWorld {
  /** What the World reads from its environment. */
  readonly env: Readonly<Record<string, string>>;
  /** Where its data lives, for the report. */
  readonly store: string;
  /** Removes the store, and stops a server started for it. */
  cleanUp(): Promise<void>;
}

/** `@mooring/world` on the backend of `url` (its `MOORING_WORLD_URL`). */
function mooringWorld(url: string, store: string, cleanUp: () => Promise<void>): OpenWorld {
  return { env: { MOORING_WORLD_URL: url }, store, cleanUp };
}

const memory: WorldTarget = {
  name: "memory",
  module: "@mooring/world",
  open: async () => mooringWorld("memory:", "memory: (in the app process)", async () => undefined),
};

const sqlite: WorldTarget = {
  name: "sqlite",
  module: "@mooring/world",
  open: async (dir) => {
    const file = join(dir, "world.db");
    return mooringWorld(`sqlite:${file}`, "sqlite: a file in a temporary directory", async () => undefined);
  },
};

const postgres: WorldTarget = {
  name: "postgres",
  module: "@mooring/world",
  open: async () => {
    const server = postgresUrl();
    const unavailable = await postgresUnavailable(server);
    if (unavailable !== null) return { unavailable };
    const schema = benchSchemaName("world");
    const url = new URL(server);
    url.searchParams.set("schema", schema);
    return mooringWorld(url.toString(), `${redactUrl(server)}, schema ${schema}`, () => dropBenchSchema(server, schema));
  },
};

/** `@mooring/world` on a Redis deployment at `server` (`label` in the report), under a prefix of its own. */
function redisWorld(server: string, label: string, stop: () => Promise<void>): OpenWorld {
  const prefix = `bench-world-${randomTag()}`;
  return mooringWorld(withPrefix(server, prefix), `${label}, prefix ${prefix}`, async () => {
    try {
      await removePrefix(server, prefix);
    } finally {
      await stop();
    }
  });
}

const redis: WorldTarget = {
  name: "redis",
  module: "@mooring/world",
  open: async () => {
    const server = redisUrl();
    const unavailable = await redisUnavailable(server);
    if (unavailable !== null) return { unavailable };
    return redisWorld(server, redactUrl(server), async () => undefined);
  },
};

const redisCluster: WorldTarget = {
  name: "redis-cluster",
  module: "@mooring/world",
  open: async () => {
    const unavailable = await clusterUnavailable();
    if (unavailable !== null) return { unavailable };
    const cluster = await clusterServer();
    // Named by its nodes: redactUrl cannot parse a cluster URL's list of hosts.
    return redisWorld(cluster.url, `Redis Cluster ${cluster.nodes.join(",")} (${cluster.source})`, () => cluster.stop());
  },
};

/** Databases this bench creates look like this, and it drops no other. */
const OWN_DATABASE = /^bench_world_postgres_[0-9a-f]{8}$/;

/**
 * `@workflow/world-postgres` in a database of its own on the same server: its tables live in fixed
 * schemas (`workflow`, `workflow_drizzle`, `graphile_worker`), so a fresh database is the only
 * way to give it a store no one else uses. It is migrated by the package's own `bootstrap`
 * command, as its README says, and dropped with everything in it after the run.
 */
const worldPostgres: WorldTarget = {
  name: "world-postgres",
  module: "@workflow/world-postgres",
  open: async () => {
    const server = postgresUrl();
    const unavailable = await postgresUnavailable(server);
    if (unavailable !== null) return { unavailable };
    const database = `bench_world_postgres_${randomTag()}`;
    await administer(server, `CREATE DATABASE ${quoteIdentifier(database)}`);
    const url = new URL(server);
    url.pathname = `/${database}`;
    const dropDatabase = () => dropBenchDatabase(server, database);
    try {
      await bootstrapWorldPostgres(url.toString());
    } catch (error) {
      await dropDatabase();
      throw error;
    }
    return { env: { WORKFLOW_POSTGRES_URL: url.toString() }, store: `${redactUrl(server)}, database ${database}`, cleanUp: dropDatabase };
  },
};

/** world-local keeps everything in `WORKFLOW_LOCAL_DATA_DIR` and queues in the app process. */
const worldLocal: WorldTarget = {
  name: "world-local",
  module: "@workflow/world-local",
  open: async (dir) => ({ env: { WORKFLOW_LOCAL_DATA_DIR: join(dir, "workflow-data") }, store: "files in a temporary directory", cleanUp: async () => undefined }),
};

/** Every target, in report order: ours, then the peers. */
export const WORLD_TARGETS: readonly WorldTarget[] = [memory, sqlite, postgres, redis, redisCluster, worldPostgres, worldLocal];

const run = promisify(execFile);

/** Runs world-postgres's `bootstrap` bin (drizzle migrations, then graphile-worker's) on `url`. */
async function bootstrapWorldPostgres(url: string): Promise<void> {
  // The package exports no package.json, so its bin is found from its entry point (dist/index.js).
  const bin = join(dirname(createRequire(import.meta.url).resolve("@workflow/world-postgres")), "..", "bin", "setup.js");
  await run(process.execPath, [bin], { env: { ...process.env, WORKFLOW_POSTGRES_URL: url } });
}

async function administer(server: string, statement: string): Promise<void> {
  const client = await connectPostgres(server);
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** Drops a database this bench created (and only such a database), ending its connections. */
async function dropBenchDatabase(server: string, database: string): Promise<void> {
  if (!OWN_DATABASE.test(database)) throw new Error(`refusing to drop database ${database}: not a bench database`);
  await administer(server, `DROP DATABASE IF EXISTS ${quoteIdentifier(database)} WITH (FORCE)`);
}
