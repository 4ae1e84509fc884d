/**
 * graphile-worker, the peer of the `postgres` target (issue 4): on the same server in the same
 * run, in its own fresh schema `bench_graphile_<random>` (its `schema` option), dropped when the
 * session closes. A no-op task; jobs added in bulk with `addJobs`; then a runner with 24
 * concurrent jobs processes them:
 *
 * - plain mode (drain-c24): each worker fetches one job, runs it, completes it (a DELETE);
 * - local-queue mode (drain-c24-batch): graphile-worker's batching, as its performance page
 *   configures it: `localQueue: { size: 500 }`, `completeJobBatchDelay: 0`, `failJobBatchDelay: 0`.
 *
 * Its pool has 25 connections (its documented setting for 24 concurrent jobs), and success logging
 * is off (`NO_LOG_SUCCESS`, as in its own perfTest), so it runs as its maintainers benchmark it.
 *
 * Completions are timed by its `job:complete` event, which it emits before the completion is
 * written (completions are pipelined); the last completion counts only once the schema holds no
 * job any more, read by a query after the last event, so both rows end at a committed state.
 */
import { EventEmitter } from "node:events";
import type { AddJobsJobSpec, Logger, Runner, WorkerEvents, WorkerUtils, run } from "graphile-worker";
import type pg from "pg";
import { DrainClock } from "../drain.js";
import { ratePerSecond } from "../harness.js";
import { POSTGRES_POOL_SIZE } from "./postgres.js";
import {
  PostgresCounterReader,
  benchSchemaName,
  connectPostgres,
  dropBenchSchema,
  packageVersion,
  postgresUnavailable,
  postgresUrl,
  randomTag,
  redactUrl,
  releaseAll,
} from "./servers.js";
import type { DrainOperations, DrainPlan, DrainResult, FillResult, TargetDefinition, TargetSession } from "./target.js";

/** Jobs per `addJobs` call, as the Mooring targets' fill uses 10,000 per `enqueueMany`. */
const ADD_BATCH = 10_000;
/** graphile-worker's documented high-throughput settings (worker.graphile.org/docs/performance). */
const LOCAL_QUEUE_SIZE = 500;
/** How often the end-of-drain check asks whether every completion has been written. */
const CONFIRM_INTERVAL_MS = 1;

const PAIRED_DRAINS = new Set(["drain-c24", "drain-c24-batch"]);

export const graphileWorkerTarget: TargetDefinition = {
  name: "graphile-worker",
  backend: "postgres",
  reference: { target: "postgres", kind: "peer" },
  defaultConcurrency: 24,
  describe: () => ({
    version: packageVersion("graphile-worker"),
    server: redactUrl(postgresUrl()),
    schema: "fresh per session, dropped after",
    maxPoolSize: String(POSTGRES_POOL_SIZE),
    NO_LOG_SUCCESS: "1",
  }),
  skips: (workload) => (PAIRED_DRAINS.has(workload) ? null : "a peer: runs the drains it is paired on with postgres (drain-c24, drain-c24-batch)"),
  unavailable: () => postgresUnavailable(postgresUrl()),
  async open() {
    // Read by graphile-worker when its modules load: without it, every job logs a line.
    process.env.NO_LOG_SUCCESS = "1";
    const graphile = await import("graphile-worker");
    const { default: pgModule } = await import("pg");
    const url = postgresUrl();
    const schema = benchSchemaName("graphile");
    const applicationName = `graphile-bench-${randomTag()}`;
    const admin = await connectPostgres(url);
    // Our pool, handed to graphile-worker, which then leaves it open: its connections (and their
    // server processes, whose CPU the counters read) outlive each runner.
    const pool = new pgModule.Pool({ connectionString: url, max: POSTGRES_POOL_SIZE, application_name: applicationName, idleTimeoutMillis: 0 });
    // The error handlers graphile-worker asks of a pool it is given (err.red/wpeh): a connection
    // the server ends while idle must not crash the process.
    pool.on("error", () => {});
    pool.on("connect", (client) => {
      client.on("error", () => {});
    });
    let utils: WorkerUtils | null = null;
    const release = (): Promise<void> =>
      releaseAll([async () => utils?.release(), () => pool.end(), () => dropBenchSchema(url, schema), () => admin.end()]);
    try {
      const logger = new graphile.Logger(() => (level, message) => {
        if (level === "error") process.stderr.write(`[graphile-worker] ${message}\n`);
      });
      utils = await graphile.makeWorkerUtils({ pgPool: pool, schema, logger });
      await utils.migrate();
      const counters = new PostgresCounterReader(admin, applicationName, url);
      const drain = graphileDrain({ run: graphile.run, utils, pool, admin, schema, logger });
      let closing: Promise<void> | null = null;
      const session: TargetSession = {
        drain,
        serverCounters: () => counters.read(),
        close: () => (closing ??= release()),
      };
      return session;
    } catch (error) {
      await release();
      throw error;
    }
  },
};

interface GraphileParts {
  readonly run: typeof run;
  readonly utils: WorkerUtils;
  readonly pool: pg.Pool;
  readonly admin: pg.Client;
  readonly schema: string;
  readonly logger: Logger;
}

function graphileDrain(parts: GraphileParts): DrainOperations {
  return {
    unsupported: () => null,
    async fill(plan): Promise<FillResult> {
      const started = performance.now();
      for (let done = 0; done < plan.jobs; done += ADD_BATCH) {
        const specs: AddJobsJobSpec[] = Array.from({ length: Math.min(ADD_BATCH, plan.jobs - done) }, (_, n) => ({
          identifier: plan.queue,
          payload: { n },
        }));
        await parts.utils.addJobs(specs);
      }
      const elapsedMs = performance.now() - started;
      return { tasks: plan.jobs, elapsedMs, tasksPerSec: ratePerSecond(plan.jobs, elapsedMs) };
    },
    process: (plan) => processJobs(parts, plan),
  };
}

async function processJobs(parts: GraphileParts, plan: DrainPlan): Promise<DrainResult> {
  const localQueue = plan.batch > 1;
  const events: WorkerEvents = new EventEmitter();
  let failed: unknown = null;
  let fetches = 0;
  let settle: () => void = () => {};
  const allEmitted = new Promise<void>((resolve) => {
    settle = resolve;
  });
  const clock = new DrainClock();
  events.on("job:complete", ({ error }) => {
    if (error !== undefined && error !== null) {
      failed ??= error;
      settle();
    } else if (clock.completion() >= plan.jobs) {
      settle();
    }
  });
  // A plain worker asks the database for each job; the local queue asks for a batch.
  events.on(localQueue ? "localQueue:getJobs:complete" : "worker:getJob:start", () => {
    fetches++;
  });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<"deadline">((resolve) => {
    timer = setTimeout(() => resolve("deadline"), plan.maxMs);
  });
  let runner: Runner | null = null;
  let stopped = false;
  try {
    runner = await parts.run({
      pgPool: parts.pool,
      schema: parts.schema,
      concurrency: plan.concurrency,
      noHandleSignals: true,
      logger: parts.logger,
      events,
      taskList: { [plan.queue]: async () => {} },
      ...(localQueue ? { preset: { worker: { localQueue: { size: LOCAL_QUEUE_SIZE }, completeJobBatchDelay: 0, failJobBatchDelay: 0 } } } : {}),
    });
    const outcome = await Promise.race([allEmitted, deadline, runner.promise.then(() => "stopped" as const)]);
    if (failed !== null) throw failed;
    if (outcome === "stopped") {
      stopped = true;
      throw new Error("graphile-worker stopped before the drain ended");
    }
    const confirmedAt = outcome === "deadline" ? null : await confirmEmpty(parts, plan.queue, clock.startedAt + plan.maxMs);
    return clock.finish(
      {
        truncated: confirmedAt === null,
        fetches,
        cycleLatency: null,
        settings: localQueue
          ? { mode: `local queue (size ${LOCAL_QUEUE_SIZE}), completeJobBatchDelay 0` }
          : { mode: "plain (one getJob per job, one completion per job)" },
      },
      confirmedAt ?? undefined,
    );
  } finally {
    clearTimeout(timer);
    if (runner !== null && !stopped) await runner.stop();
  }
}

/**
 * Waits until no job of `identifier` is left (graphile-worker deletes a job when it completes it),
 * and returns when that was seen: the moment every completion of the drain was written. Null when
 * `deadlineAt` passes first.
 */
async function confirmEmpty(parts: GraphileParts, identifier: string, deadlineAt: number): Promise<number | null> {
  const table = `"${parts.schema}"._private_jobs`;
  const tasks = `"${parts.schema}"._private_tasks`;
  while (performance.now() < deadlineAt) {
    const { rows } = await parts.admin.query<{ left: number }>(
      `SELECT count(*)::int AS left FROM ${table} j JOIN ${tasks} t ON t.id = j.task_id WHERE t.identifier = $1`,
      [identifier],
    );
    const seenAt = performance.now();
    if ((rows[0]?.left ?? 0) === 0) return seenAt;
    await new Promise((resolve) => setTimeout(resolve, CONFIRM_INTERVAL_MS));
  }
  return null;
}
