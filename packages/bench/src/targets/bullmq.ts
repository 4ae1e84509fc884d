/**
 * BullMQ, the peer of the `redis` target (issue 5): on the same server in the same run, under its
 * own key prefix `bench-bullmq-<random>`, removed key by key (SCAN + UNLINK) when the session
 * closes. Jobs are added with `addBulk` (`removeOnComplete: true`), then one `Worker` with a no-op
 * processor and `concurrency` 1 or 50 processes them; a completion counts at the Worker's
 * `completed` event, which it emits once `moveToCompleted` has run on the server.
 *
 * BullMQ's open-source Worker fetches one job at a time (it takes the next job in the same script
 * that completes the previous one); batches are a BullMQ Pro feature. So it has no batched drain,
 * and our batched drain at 50 workers is set beside its plain drain at 50 (`pairs`).
 */
import type * as BullMQ from "bullmq";
import type { Queue, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { DrainClock } from "../drain.js";
import { ratePerSecond } from "../harness.js";
import {
  connectRedis,
  packageVersion,
  randomTag,
  redactUrl,
  redisCounters,
  redisUnavailable,
  redisUrl,
  releaseAll,
  unlinkMatching,
} from "./servers.js";
import type { DrainOperations, DrainPlan, DrainResult, FillResult, TargetDefinition, TargetSession } from "./target.js";

/** Jobs per `addBulk` call, as the Mooring targets' fill uses 10,000 per `enqueueMany`. */
const ADD_BATCH = 10_000;

const PAIRED_DRAINS = new Set(["drain-c1", "drain-c50"]);

export const bullmqTarget: TargetDefinition = {
  name: "bullmq",
  backend: "redis",
  reference: { target: "redis", kind: "peer", pairs: { "drain-c50-batch": "drain-c50" } },
  defaultConcurrency: 50,
  describe: () => ({
    version: packageVersion("bullmq"),
    server: redactUrl(redisUrl()),
    prefix: "fresh per session, removed after",
    jobs: "removeOnComplete: true",
  }),
  skips: (workload) => (PAIRED_DRAINS.has(workload) ? null : "a peer: runs the drains it is paired on with redis (drain-c1, drain-c50)"),
  unavailable: () => redisUnavailable(redisUrl()),
  async open() {
    const bullmq = await import("bullmq");
    const url = redisUrl();
    const prefix = `bench-bullmq-${randomTag()}`;
    const admin = await connectRedis(url);
    const queues: Queue[] = [];
    const parts: BullParts = { bullmq, url, prefix, queues };
    let closing: Promise<void> | null = null;
    const session: TargetSession = {
      drain: bullDrain(parts),
      serverCounters: () => redisCounters(admin),
      close: () => (closing ??= release(admin, parts)),
    };
    return session;
  },
};

interface BullParts {
  readonly bullmq: typeof BullMQ;
  readonly url: string;
  readonly prefix: string;
  /** Every queue the session opened, closed with it. */
  readonly queues: Queue[];
}

function release(admin: Redis, parts: BullParts): Promise<void> {
  return releaseAll([
    ...parts.queues.map((queue) => () => queue.close()),
    // The prefix is this session's own: every key under it is BullMQ's data of this session.
    () => unlinkMatching(admin, `${parts.prefix}:*`),
    async () => admin.disconnect(),
  ]);
}

function bullDrain(parts: BullParts): DrainOperations {
  return {
    unsupported: (plan) =>
      plan.batch > 1 ? "BullMQ's open-source Worker fetches one job at a time (batches are BullMQ Pro); see its drain at the same concurrency" : null,
    async fill(plan): Promise<FillResult> {
      const queue = new parts.bullmq.Queue(plan.queue, { connection: { url: parts.url }, prefix: parts.prefix });
      parts.queues.push(queue);
      const started = performance.now();
      for (let done = 0; done < plan.jobs; done += ADD_BATCH) {
        const jobs = Array.from({ length: Math.min(ADD_BATCH, plan.jobs - done) }, (_, n) => ({
          name: "noop",
          data: { n },
          opts: { removeOnComplete: true },
        }));
        await queue.addBulk(jobs);
      }
      const elapsedMs = performance.now() - started;
      return { tasks: plan.jobs, elapsedMs, tasksPerSec: ratePerSecond(plan.jobs, elapsedMs) };
    },
    process: (plan) => processJobs(parts, plan),
  };
}

async function processJobs(parts: BullParts, plan: DrainPlan): Promise<DrainResult> {
  let failed: Error | null = null;
  let settle: () => void = () => {};
  const allDone = new Promise<void>((resolve) => {
    settle = resolve;
  });

  const clock = new DrainClock();
  const worker: Worker = new parts.bullmq.Worker(plan.queue, async () => {}, {
    // A Worker's connections must retry forever (BullMQ requires maxRetriesPerRequest: null).
    connection: { url: parts.url, maxRetriesPerRequest: null },
    prefix: parts.prefix,
    concurrency: plan.concurrency,
    autorun: false,
  });
  worker.on("completed", () => {
    if (clock.completion() >= plan.jobs) settle();
  });
  const fail = (error: Error): void => {
    failed ??= error;
    settle();
  };
  worker.on("failed", (_job, error) => fail(error));
  worker.on("error", fail);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<"deadline">((resolve) => {
    timer = setTimeout(() => resolve("deadline"), plan.maxMs);
  });
  const running = worker.run();
  try {
    const outcome = await Promise.race([allDone.then(() => "done" as const), deadline]);
    if (failed !== null) throw failed;
    return clock.finish({
      truncated: outcome === "deadline",
      // Fetching rides on the completion script (and a blocking wait when idle): not counted apart.
      fetches: null,
      cycleLatency: null,
      settings: { mode: "Worker, one job per fetch (fetched by the completing script)" },
    });
  } finally {
    clearTimeout(timer);
    await worker.close();
    await running;
  }
}
