/**
 * Fault tests (SPEC C2, E7, section 9) on ephemeral servers this file starts and stops; never on
 * a shared server.
 *
 * - A connection killed (`CLIENT KILL`) while large scripts are in flight: each call is applied
 *   whole or not at all, whichever way the kill cut it (request half sent, script run but reply
 *   lost), and every index agrees with every task afterwards.
 * - A server running `--appendonly yes --appendfsync always`, killed (SIGKILL) and restarted in the
 *   middle of a claim/complete load: no acknowledged enqueue or completion is lost, and no task is
 *   completed twice.
 */
import { type Backend, type Lease, ManualClock, MooringError } from "@mooring/core";
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { createRedisBackend } from "../src/index.js";
import { KeySpace } from "../src/keys.js";
import { EphemeralRedis, ephemeralAvailability, testPrefix } from "@mooring/testing/redis";

const ephemeral = await ephemeralAvailability();
const filePrefix = testPrefix("faults");

/** Runs `call` until it does not fail with UNAVAILABLE (a transport error); counts the failures. */
async function untilDelivered<T>(call: () => Promise<T>, failures: { count: number }): Promise<T> {
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (!MooringError.is(error, "UNAVAILABLE")) throw error;
      failures.count++;
    }
  }
}

const COUNTED = ["blocked", "suspended", "dead", "cancelled"] as const;

/** Reads every task of the tenant from Redis and checks that each index agrees with each task. */
async function checkIndexes(probe: Redis, base: string): Promise<number> {
  const tasks: Record<string, string>[] = [];
  let cursor = "0";
  do {
    const [next, keys] = await probe.scan(cursor, "MATCH", `${base}:t:*`, "COUNT", 1000);
    cursor = next;
    for (const key of keys) tasks.push(await probe.hgetall(key));
  } while (cursor !== "0");
  const pad = (value: string | undefined): string => (value ?? "").padStart(16, "0");
  const queues = new Set(tasks.map((task) => task.qe ?? ""));
  for (const qe of queues) {
    const q = (part: string): string => `${base}:q:${qe}:${part}`;
    const own = tasks.filter((task) => task.qe === qe);
    const ready = new Set(await probe.zrange(q("r"), 0, -1));
    const counts = await probe.hgetall(q("n"));
    expect(Number(counts.all ?? "0"), `tasks of ${qe}`).toBe(own.length);
    for (const state of COUNTED) {
      expect(Number(counts[state] ?? "0"), `${state} count of ${qe}`).toBe(own.filter((task) => task.st === state).length);
    }
    const leaseScores: number[] = [];
    for (const task of own) {
      const tid = Buffer.from(task.id ?? "", "utf8").toString("base64url");
      const inScheduled = await probe.zscore(q("s"), tid);
      const readyMember = `${task.pk}${pad(task.ra)}${task.ord}${tid}`;
      const leaseScore = await probe.zscore(q("l"), `${task.ord}${tid}`);
      expect(task.ord, `${task.id} order is a 16-digit sort key`).toMatch(/^\d{16}$/);
      if (task.st === "queued") {
        expect((inScheduled !== null ? 1 : 0) + (ready.has(readyMember) ? 1 : 0), `${task.id} in exactly one of ready, scheduled`).toBe(1);
      } else {
        expect([inScheduled, ready.has(readyMember)], `${task.id} (${task.st}) is not queued`).toEqual([null, false]);
      }
      if (task.st === "leased") {
        expect(leaseScore, `${task.id} leased is indexed`).toBe(task.lx);
        leaseScores.push(Number(task.lx));
      } else {
        expect(leaseScore, `${task.id} (${task.st}) is not leased`).toBeNull();
      }
    }
    // The queue's lease-expiry bound is at most its earliest lease, and B:lq mirrors it.
    const bound = await probe.hget(base, `l:${qe}`);
    expect(await probe.zscore(`${base}:lq`, qe), `lease bound of ${qe} mirrored`).toBe(bound);
    if (leaseScores.length > 0) expect(Number(bound), `lease bound of ${qe}`).toBeLessThanOrEqual(Math.min(...leaseScores));
  }
  return tasks.length;
}

describe.skipIf("skip" in ephemeral)("faults on ephemeral servers", () => {
  it("CLIENT KILL in the middle of scripts leaves every call applied whole or not at all", async () => {
    const redis = await EphemeralRedis.start();
    const prefix = `${filePrefix}.kill`;
    const clock = new ManualClock();
    const backend = await createRedisBackend({ url: redis.url, prefix, clock });
    const killer = new Redis(redis.url);
    const probe = new Redis(redis.url);
    const failures = { count: 0 };
    let interrupted = 0;
    const outcomes = { ranReplyLost: 0, neverRan: 0 };
    let kills = 0;
    /**
     * Kills every other connection around `call` and reports whether the call failed. Every other
     * time the kill comes first (the request then goes out on a connection the server has just
     * closed: it never runs), else right after the call (the script runs and its reply may be cut).
     */
    const killDuring = async <T>(call: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false }> => {
      const killFirst = kills++ % 2 === 0;
      if (killFirst) await killer.client("KILL", "TYPE", "normal", "SKIPME", "yes");
      const pending = call().then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => {
          if (!MooringError.is(error, "UNAVAILABLE")) throw error;
          interrupted++;
          return { ok: false as const };
        },
      );
      if (!killFirst) await killer.client("KILL", "TYPE", "normal", "SKIPME", "yes");
      return pending;
    };
    try {
      const filler = "x".repeat(2000);
      for (let round = 0; round < 12; round++) {
        // A large batch: the kill may cut the request, or the reply after the script ran.
        const batch = Array.from({ length: 300 }, (_, i) => ({ queue: "q", payload: { round, i, filler }, idempotencyKey: `r${round}-${i}` }));
        const first = await killDuring(() => backend.engine.enqueueMany(batch));
        const again = await untilDelivered(() => backend.engine.enqueueMany(batch), failures);
        const created = again.filter((result) => result.created).length;
        expect([0, batch.length], `round ${round}: the batch was applied partly`).toContain(created);
        if (!first.ok) outcomes[created === 0 ? "ranReplyLost" : "neverRan"]++;

        // A commit that settles a task and writes the run in one script.
        const runId = `run-${round}`;
        await untilDelivered(() => backend.workflows.createRun({ id: runId, workflowId: "w", version: "1" }), failures);
        await untilDelivered(() => backend.engine.enqueue({ queue: "c", payload: runId, idempotencyKey: runId }), failures);
        let lease: Lease | undefined;
        while (!lease) {
          const leases = await untilDelivered(() => backend.engine.claim({ workerId: "w", queues: ["c"], leaseMs: 60_000 }), failures);
          lease = leases[0];
          if (!lease) clock.advance(120_000);
        }
        const held = lease;
        await killDuring(() =>
          backend.workflows.commit(runId, {
            lease: held,
            events: [{ type: "a", payload: filler }, { type: "b" }, { type: "c" }],
            status: "running",
            context: { done: true },
            settle: { complete: { result: runId } },
          }),
        );
        const task = await untilDelivered(() => backend.engine.getTask(held.taskId), failures);
        const run = await untilDelivered(() => backend.workflows.getRun(runId), failures);
        const sequence = await untilDelivered(() => backend.workflows.latestSequence(runId), failures);
        if (task?.state === "completed") {
          expect([run?.status, run?.context, sequence, task.result]).toEqual(["running", { done: true }, 3, runId]);
        } else {
          expect([task?.state, run?.status, run?.context, sequence]).toEqual(["leased", "pending", {}, 0]);
          await untilDelivered(() => backend.engine.complete(held), failures);
        }

        // A claim of many tasks at once.
        await killDuring(() => backend.engine.claim({ workerId: "w", queues: ["q"], leaseMs: 60_000, limit: 200 }));
      }
      expect(interrupted, "some calls must have been cut by the kills").toBeGreaterThan(0);
      if (process.env.MOORING_DEBUG) console.log({ interrupted, outcomes, failures: failures.count });
      const checked = await checkIndexes(probe, new KeySpace(prefix).tenant("default"));
      expect(checked).toBeGreaterThan(3600);
    } finally {
      killer.disconnect();
      probe.disconnect();
      await backend.close();
      await redis.stop();
    }
  });

  it("a restart of an appendfsync-always server in the middle of a claim/complete load loses no acknowledged write and completes no task twice", async () => {
    const redis = await EphemeralRedis.start(["--appendonly", "yes", "--appendfsync", "always"]);
    const prefix = `${filePrefix}.restart`;
    const clock = new ManualClock();
    const backend: Backend = await createRedisBackend({ url: redis.url, prefix, clock, connectTimeoutMs: 2000 });
    const failures = { count: 0 };
    const total = 400;
    const enqueued = new Set<string>();
    const completedEpochs = new Map<string, Set<number>>();
    let acknowledgedCompletions = 0;
    let restart: Promise<void> | null = null;
    try {
      for (let start = 0; start < total; start += 50) {
        const batch = Array.from({ length: 50 }, (_, i) => ({ queue: "load", payload: start + i, idempotencyKey: `task-${start + i}`, backoff: { baseMs: 1 } }));
        for (const result of await untilDelivered(() => backend.engine.enqueueMany(batch), failures)) enqueued.add(result.id);
      }
      expect(enqueued.size).toBe(total);

      const complete = async (lease: Lease): Promise<void> => {
        try {
          await untilDelivered(() => backend.engine.complete(lease, { result: lease.epoch }), failures);
        } catch (error) {
          // A lease lost with a claim reply expired and was reclaimed: its holder is fenced off.
          if (MooringError.is(error, "LEASE_EXPIRED") || MooringError.is(error, "STALE_LEASE")) return;
          throw error;
        }
        const epochs = completedEpochs.get(lease.taskId) ?? new Set<number>();
        epochs.add(lease.epoch);
        completedEpochs.set(lease.taskId, epochs);
        acknowledgedCompletions++;
        if (acknowledgedCompletions === 150) restart = redis.restart();
      };
      const worker = async (id: number): Promise<void> => {
        for (;;) {
          const leases = await untilDelivered(() => backend.engine.claim({ workerId: `worker-${id}`, queues: ["load"], leaseMs: 30_000, limit: 5 }), failures);
          if (leases.length === 0) return;
          for (const lease of leases) await complete(lease);
        }
      };
      await Promise.all(Array.from({ length: 10 }, (_, id) => worker(id)));
      await restart;
      // Leases whose claim reply was lost in the restart: let them expire, reclaim, finish.
      for (;;) {
        const stats = await untilDelivered(() => backend.engine.queueStats("load"), failures);
        if (stats.counts.completed === total) break;
        const leases = await untilDelivered(() => backend.engine.claim({ workerId: "drain", queues: ["load"], leaseMs: 30_000, limit: 50 }), failures);
        if (leases.length === 0) clock.advance(60_000);
        for (const lease of leases) await complete(lease);
      }

      expect(restart, "the server was restarted during the load").not.toBeNull();
      expect(failures.count, "the restart failed some calls").toBeGreaterThan(0);
      for (const id of enqueued) {
        const task = await backend.engine.getTask(id);
        expect(task?.state, `acknowledged task ${id}`).toBe("completed");
        expect([...(completedEpochs.get(id) ?? [])], `completions of ${id}`).toEqual([task?.result]);
      }
      expect(acknowledgedCompletions).toBe(total);
      expect((await backend.engine.queueStats("load")).counts.completed).toBe(total);
    } finally {
      await backend.close();
      await redis.stop();
    }
  });
});
