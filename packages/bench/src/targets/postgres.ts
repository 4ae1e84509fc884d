/**
 * The Postgres backend (`@mooring/backend-postgres`) on the run's server (`MOORING_POSTGRES_URL`,
 * else the local one), each session in a fresh schema `bench_mooring_<random>` that is dropped when
 * the session closes; no injected clock, so the server's clock decides (SPEC C3).
 *
 * Paired with graphile-worker at 24 workers (issue 4): its plain mode against our limit-1 claims,
 * its local-queue mode against our limit-50 claims. Both get 25 connections, graphile-worker's own
 * performance setting for 24 concurrent jobs.
 */
import { mooringSession } from "./mooring.js";
import {
  PostgresCounterReader,
  benchSchemaName,
  connectPostgres,
  dropBenchSchema,
  postgresUnavailable,
  postgresUrl,
  randomTag,
  redactUrl,
  releaseAll,
} from "./servers.js";
import type { TargetDefinition } from "./target.js";

/** Connections of the backend's pool: one per worker of the drains, plus one. */
export const POSTGRES_POOL_SIZE = 25;
const WORKERS = 24;

const PAIRED_DRAINS = new Set(["drain-c24", "drain-c24-batch"]);

export const postgresTarget: TargetDefinition = {
  name: "postgres",
  backend: "postgres",
  defaultConcurrency: WORKERS,
  goals: { minRatioToPeer: 1, maxDeepQueueLatencyRatio: 1.5 },
  describe: () => ({ server: redactUrl(postgresUrl()), schema: "fresh per session, dropped after", poolSize: String(POSTGRES_POOL_SIZE), clock: "server" }),
  skips: (workload) =>
    workload.startsWith("drain-") && !PAIRED_DRAINS.has(workload) ? "paired with graphile-worker at 24 workers (drain-c24, drain-c24-batch)" : null,
  unavailable: () => postgresUnavailable(postgresUrl()),
  async open() {
    // Imported here so that a run of other backends never loads pg.
    const { createPostgresBackend } = await import("@mooring/backend-postgres");
    const url = postgresUrl();
    const schema = benchSchemaName("mooring");
    const applicationName = `mooring-bench-${randomTag()}`;
    const admin = await connectPostgres(url);
    const counters = new PostgresCounterReader(admin, applicationName, url);
    const release = (): Promise<void> => releaseAll([() => dropBenchSchema(url, schema), () => admin.end()]);
    try {
      const backend = await createPostgresBackend({ connectionString: url, schema, poolSize: POSTGRES_POOL_SIZE, applicationName });
      return { ...mooringSession(backend, release), serverCounters: () => counters.read() };
    } catch (error) {
      // The factory may have created the schema before failing (a migration error).
      await release();
      throw error;
    }
  },
};
