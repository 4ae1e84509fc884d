/**
 * The Redis backend (`@mooring/backend-redis`) on the run's server (`MOORING_REDIS_URL`, else the
 * local one), each session under a fresh key prefix `bench-<random>` whose keys are removed when
 * the session closes, by the backend's own namespace remover (SCAN + UNLINK of the prefix's keys;
 * never FLUSHALL or FLUSHDB on a shared server); no injected clock, so the server's TIME decides
 * (SPEC C3).
 *
 * Paired with BullMQ at 1 and 50 workers (issue 5), plus a batched drain (claim limit 50) at 50.
 */
import { mooringSession } from "./mooring.js";
import { connectRedis, randomTag, redactUrl, redisCounters, redisUnavailable, redisUrl, releaseAll } from "./servers.js";
import type { TargetDefinition } from "./target.js";

const PAIRED_DRAINS = new Set(["drain-c1", "drain-c50", "drain-c50-batch"]);

export const redisTarget: TargetDefinition = {
  name: "redis",
  backend: "redis",
  defaultConcurrency: 50,
  goals: { minRatioToPeer: 1, maxDeepQueueLatencyRatio: 1.5 },
  describe: () => ({ server: redactUrl(redisUrl()), prefix: "fresh per session, removed after", clock: "server TIME" }),
  skips: (workload) =>
    workload.startsWith("drain-") && !PAIRED_DRAINS.has(workload) ? "paired with BullMQ at 1 and 50 workers (drain-c1, drain-c50, drain-c50-batch)" : null,
  unavailable: () => redisUnavailable(redisUrl()),
  async open() {
    // Imported here so that a run of other backends never loads ioredis.
    const { createRedisBackend, openNamespaceRemover } = await import("@mooring/backend-redis");
    const url = redisUrl();
    const prefix = `bench-${randomTag()}`;
    const admin = await connectRedis(url);
    const remover = openNamespaceRemover(url);
    const release = (): Promise<void> => releaseAll([() => remover.remove(prefix), () => remover.close(), async () => admin.disconnect()]);
    try {
      const backend = await createRedisBackend({
        url,
        prefix,
        onWarning: (message) => process.stderr.write(`[redis target] ${message}\n`),
      });
      return { ...mooringSession(backend, release), serverCounters: () => redisCounters(admin) };
    } catch (error) {
      await release();
      throw error;
    }
  },
};
