/** Hostile input: every numeric parameter, as an operation of the number property. */
import { type CapabilityName } from "@mooring/core";
import { brief, ensure, sameData } from "../../support/index.js";
import { attempt } from "./attempt.js";
import { type Env, freshLease, type HostileFacet } from "./fixtures.js";
import { isNonNegativeInt, isPositiveInt, isSafeInt, verdict } from "./oracle.js";

// ---------------------------------------------------------------------------------------------
// Numbers through every numeric parameter

interface NumberOp {
  readonly name: string;
  readonly facet: HostileFacet;
  readonly requires: readonly CapabilityName[];
  run(env: Env, n: number): Promise<void>;
}

/** Numbers as the backend reads them back: JSON has no negative zero. */
const plain = (n: number): number => (Object.is(n, -0) ? 0 : n);

export const numberOps: readonly NumberOp[] = [
  {
    name: "enqueue priority / runAt / maxAttempts / backoff",
    facet: "engine",
    requires: ["leases", "priorities", "delays"],
    async run(env, n) {
      const { engine } = env.view;
      const queue = `number-queue-${env.leaseCount++}`;
      const now = env.ctx.clock.now();
      const cases: { field: string; valid: boolean; input: Record<string, unknown>; read: (task: NonNullable<Awaited<ReturnType<typeof engine.getTask>>>) => unknown; expected: unknown }[] = [
        { field: "priority", valid: isSafeInt(n), input: { priority: n }, read: (task) => task.priority, expected: plain(n) },
        { field: "runAt", valid: isNonNegativeInt(n), input: { runAt: n }, read: (task) => task.runAt, expected: plain(n) },
        { field: "maxAttempts", valid: isPositiveInt(n), input: { maxAttempts: n }, read: (task) => task.maxAttempts, expected: n },
        { field: "backoff.baseMs", valid: isPositiveInt(n), input: { backoff: { baseMs: n } }, read: () => null, expected: null },
        { field: "backoff.factor", valid: Number.isFinite(n) && n >= 1, input: { backoff: { factor: n } }, read: () => null, expected: null },
      ];
      for (const { field, valid, input, read, expected } of cases) {
        await attempt(env, {
          what: `enqueue({ ${field}: ${String(n)} })`,
          verdict: verdict(valid),
          probes: [queue],
          call: () => engine.enqueue({ queue, payload: field, ...input }),
          verify: async ({ id }) => {
            env.taskIds.push(id);
            const task = await engine.getTask(id);
            ensure(task !== null, `getTask of the task enqueued with ${field} ${String(n)} is null`);
            sameData(read(task), expected, `the task's ${field}`);
            if (field === "runAt") sameData(task.state, n <= now ? "ready" : "scheduled", `the state of a task with runAt ${String(n)} at ${now}`);
          },
        });
      }
    },
  },
  {
    name: "claim leaseMs / limit, renew leaseMs, release runAt",
    facet: "engine",
    requires: ["leases"],
    async run(env, n) {
      const { engine } = env.view;
      const queue = `number-claim-${env.leaseCount++}`;
      const { id } = await engine.enqueue({ queue, payload: "n" });
      env.taskIds.push(id);
      const now = env.ctx.clock.now();
      const leases = await attempt(env, {
        what: `claim({ leaseMs: ${String(n)} })`,
        verdict: verdict(isPositiveInt(n)),
        call: () => engine.claim({ workerId: "w", queues: [queue], leaseMs: n }),
        verify: (granted) => {
          sameData(granted.map((lease) => lease.taskId), [id], "the leases granted");
          sameData(granted[0]?.expiresAt, now + n, "the lease's expiresAt");
        },
      });
      await attempt(env, {
        what: `claim({ limit: ${String(n)} })`,
        verdict: verdict(isPositiveInt(n, 1000)),
        call: () => engine.claim({ workerId: "w", queues: [`${queue}-empty`], leaseMs: 1000, limit: n }),
        verify: (granted) => sameData(granted, [], "the leases of an empty queue"),
      });
      const lease = leases?.[0] ?? (await freshLease(env));
      await attempt(env, {
        what: `renew(lease, { leaseMs: ${String(n)} })`,
        verdict: verdict(isPositiveInt(n)),
        call: () => engine.renew(lease, { leaseMs: n }),
        verify: (renewed) => sameData([renewed.expiresAt, renewed.epoch], [now + n, lease.epoch], "the renewed lease's expiresAt and epoch"),
      });
      await attempt(env, {
        what: `release(lease, { runAt: ${String(n)} })`,
        verdict: verdict(isNonNegativeInt(n)),
        call: () => engine.release(lease, { runAt: n }),
        verify: async () => sameData((await engine.getTask(lease.taskId))?.runAt, plain(n), "the released task's runAt"),
      });
    },
  },
  {
    name: "renew with a forged epoch",
    facet: "engine",
    requires: ["leases"],
    async run(env, n) {
      const lease = await freshLease(env);
      await attempt(env, {
        what: `renew of a lease whose epoch is ${String(n)}`,
        verdict: verdict(isNonNegativeInt(n)),
        allowed: ["STALE_LEASE", "INVALID_STATE"],
        call: () => env.view.engine.renew({ ...lease, epoch: n }),
        verify: (renewed) => sameData(plain(n), renewed.epoch, "a renew accepted with a forged epoch is the lease's own epoch"),
      });
    },
  },
  {
    name: "event log numbers",
    facet: "workflows",
    // The log's numbers where `events` is declared, writeSnapshot's where `snapshots` is.
    requires: ["runs"],
    async run(env, n) {
      const { workflows } = env.view;
      if (!env.runIds.has(env.runId)) return;
      if (env.declared("events")) {
        const latest = await workflows.latestSequence(env.runId);
        await attempt(env, {
          what: `appendEvents(…, { expectedSequence: ${String(n)} })`,
          verdict: verdict(isNonNegativeInt(n)),
          allowed: ["SEQUENCE_CONFLICT"],
          call: () => workflows.appendEvents(env.runId, [{ type: "n" }], { expectedSequence: n }),
          verify: (sequences) => sameData([plain(n), sequences], [latest, [latest + 1]], "a conditional append's sequences"),
        });
        await attempt(env, {
          what: `readEvents({ after: ${String(n)}, limit: ${String(n)} })`,
          verdict: verdict(isNonNegativeInt(n) && isPositiveInt(n, 10_000)),
          call: () => workflows.readEvents(env.runId, { after: n, limit: n }),
          verify: (events) => ensure(events.every((event) => event.sequence > n), `readEvents after ${String(n)} returned ${brief(events.map((e) => e.sequence))}`),
        });
      }
      if (env.declared("snapshots")) {
        await attempt(env, {
          what: `writeSnapshot({ atSequence: ${String(n)} })`,
          verdict: verdict(isNonNegativeInt(n)),
          allowed: ["INVALID_STATE"],
          call: () => workflows.writeSnapshot(env.runId, { atSequence: n, state: "n" }),
          verify: (snapshot) => sameData(snapshot.atSequence, plain(n), "the snapshot's atSequence"),
        });
      }
      await attempt(env, {
        what: `listRuns({ limit: ${String(n)} })`,
        verdict: verdict(isPositiveInt(n, 10_000)),
        call: () => workflows.listRuns({ limit: n }),
        verify: (page) => ensure(page.items.length <= n, `listRuns of limit ${String(n)} returned ${page.items.length}`),
      });
    },
  },
  {
    name: "state numbers",
    facet: "state",
    requires: ["kv"],
    async run(env, n) {
      const { state } = env.view;
      const key = `number-key-${env.leaseCount++}`;
      await attempt(env, {
        what: `set(…, { ttlMs: ${String(n)} })`,
        verdict: verdict(isPositiveInt(n)),
        probes: [key],
        call: () => state.set(key, new Uint8Array([7]), { ttlMs: n }),
        verify: async () => {
          env.keys.add(key);
          sameData(await state.get(key), new Uint8Array([7]), `a value with ttlMs ${String(n)} read before any time passed`);
        },
      });
      const executionId = `number-exec-${env.leaseCount++}`;
      await attempt(env, {
        what: `saveSnapshot({ sequence: ${String(n)}, ttlMs: ${String(n)} })`,
        verdict: verdict(isPositiveInt(n)),
        probes: [executionId],
        call: () => state.saveSnapshot({ executionId, sequence: n, state: null, ttlMs: n }),
        verify: async () => sameData((await state.loadSnapshot(executionId))?.sequence, n, "the cached snapshot's sequence"),
      });
    },
  },
  {
    name: "engine numbers: progress, suspend timeoutAt, setQueue concurrency, reclaim limit, frames, waitForWork",
    facet: "engine",
    requires: ["leases", "progress", "signals", "queueControl", "reclaim", "streams", "notifications"],
    async run(env, n) {
      const { engine } = env.view;
      const lease = await freshLease(env);
      await attempt(env, {
        what: `progress(lease, { percent: ${String(n)} })`,
        verdict: verdict(Number.isFinite(n) && n >= 0 && n <= 100),
        call: () => engine.progress(lease, { percent: n }),
        verify: async () => sameData((await engine.getTask(lease.taskId))?.progress?.percent, plain(n), "the task's progress"),
      });
      await attempt(env, {
        what: `readFrames({ attempt: ${String(n)}, after: ${String(n)}, limit: ${String(n)} })`,
        verdict: verdict(isPositiveInt(n, 10_000)),
        call: () => engine.readFrames(lease.taskId, { attempt: n, after: n, limit: n }),
        verify: (frames) => sameData(frames, [], "frames of a task that has none"),
      });
      await attempt(env, {
        what: `suspend(lease, { timeoutAt: ${String(n)} })`,
        verdict: verdict(isNonNegativeInt(n)),
        call: () => engine.suspend(lease, { keys: [`number-signal-${env.leaseCount++}`], timeoutAt: n }),
        verify: async (result) => {
          sameData(result, { suspended: true }, "suspend without buffered signals");
          const task = await engine.getTask(lease.taskId);
          // decisions.md: a suspended task whose timeoutAt has come reads as ready.
          sameData(task?.state, n <= env.ctx.clock.now() ? "ready" : "suspended", `the task suspended until ${String(n)}`);
        },
      });
      const queue = `number-setqueue-${env.leaseCount++}`;
      await attempt(env, {
        what: `setQueue(…, { concurrency: ${String(n)} })`,
        verdict: verdict(isPositiveInt(n)),
        probes: [queue],
        call: () => engine.setQueue(queue, { concurrency: n }),
        verify: (settings) => sameData(settings.concurrency, n, "the queue's concurrency"),
      });
      await attempt(env, {
        what: `reclaimExpired({ limit: ${String(n)} })`,
        verdict: verdict(isPositiveInt(n, 10_000)),
        call: () => engine.reclaimExpired({ limit: n }),
        verify: (result) => sameData(result, { retried: [], deadLettered: [] }, "a sweep with nothing expired"),
      });
      // The seed queue holds a ready task, so a valid wait answers at once whatever the timeout (a
      // huge one must not hang). A timeout of a few milliseconds may win the race against the
      // backend's look at the queue, so only longer ones must answer true.
      await attempt(env, {
        what: `waitForWork({ timeoutMs: ${String(n)} })`,
        verdict: verdict(isPositiveInt(n, 2 ** 31 - 1)),
        call: () => engine.waitForWork([env.queue], { timeoutMs: n }),
        verify: (ready) =>
          ensure(typeof ready === "boolean" && (ready || n < 1_000), `waitForWork with timeoutMs ${String(n)} on a queue with a ready task answered ${brief(ready)}`),
      });
    },
  },
  {
    name: "tokens expiresAt",
    facet: "tokens",
    requires: ["tokens"],
    async run(env, n) {
      await attempt(env, {
        what: `tokens.create({ expiresAt: ${String(n)} })`,
        verdict: verdict(isNonNegativeInt(n)),
        call: () => env.view.tokens.create({ name: "n", role: "r", expiresAt: n }),
        verify: async ({ token, info }) => {
          sameData(info.expiresAt, plain(n), "the token's expiresAt");
          const validated = await env.view.tokens.validate(token);
          sameData(validated?.expiresAt ?? null, n > env.ctx.clock.now() ? plain(n) : null, `tokens.validate of a token expiring at ${String(n)} (now ${env.ctx.clock.now()})`);
        },
      });
    },
  },
];

