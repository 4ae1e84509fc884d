/**
 * Load with a recorded history (issue 7): many concurrent workers on several clients of one
 * deployment claim, renew, complete, fail and release tasks; sweepers call `reclaimExpired`;
 * appenders append event batches (some conditional, SPEC W8) to a set of runs, whose whole logs
 * are read at the end. A share of the tasks lives in a second queue served by unreliable workers,
 * whose claims often stall: the worker stops renewing and tries to settle only after its lease
 * expired (a forced expiry). Nobody else claims from that queue, so those expired leases are
 * mostly reclaimed by the sweepers, racing each other and the unreliable workers' own claims
 * (which reclaim lazily, E10), rather than all silently by the claims of the main queue. Every invoke / ok / fail goes through the kit's
 * `HistoryRecorder`, and `checkHistory` verifies exclusivity (E4), single settlement (E7),
 * exactly-once reclaim (E11) and gap-free sequences (W7) over the whole history.
 *
 * Time is the backend's own (the server's clock for Postgres and Redis): the checker's wall-clock
 * model relates lease expiries to the recorder's times within `CLOCK_SKEW_MS`.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Backend, Lease } from "@mooring/core";
import { checkHistory, HistoryRecorder, type HistoryEntry, type LeaseRef, type RecordingClient } from "@mooring/conformance/history";
import { Prng } from "../prng.js";
import type { ScenarioResult } from "../results.js";
import type { Target } from "../targets.js";

export interface LoadOptions {
  readonly seed: number;
  /** Default 50,000 (issue 7). */
  readonly tasks?: number;
  /** Concurrent workers; default 64. */
  readonly workers?: number;
  /** Backend clients (each with its own connections) the workers share; default 4. */
  readonly clients?: number;
  /** Postgres pool size of each client; default 5. */
  readonly poolSize?: number;
  /** The lease of an ordinary claim; default 10 s (ample: those workers settle at once). */
  readonly leaseMs?: number;
  /** Share of the tasks in the unreliable workers' queue; default 0.01 (at least 20 tasks). */
  readonly unreliableShare?: number;
  /** Workers (of `workers`) that serve the unreliable queue; default 8. */
  readonly unreliableWorkers?: number;
  /** The lease of an unreliable worker's claim; default 200 ms. */
  readonly stallLeaseMs?: number;
  /** Probability that an unreliable worker's claim stalls past its lease; default 0.4. */
  readonly stallRate?: number;
  /** Probability that a lease is failed (retryable); default 0.03. */
  readonly failRate?: number;
  /** Probability that a lease is released; default 0.01. */
  readonly releaseRate?: number;
  /** Probability that a lease is renewed before it is settled; default 0.1. */
  readonly renewRate?: number;
  /** Runs whose logs the appenders write; default 16. */
  readonly runs?: number;
  /** Concurrent appenders; default 8. */
  readonly appenders?: number;
  /** Appends in all; default tasks / 20. */
  readonly appends?: number;
  /** The run fails when the tasks are not all terminal by then; default 10 minutes. */
  readonly deadlineMs?: number;
  readonly log?: (line: string) => void;
}

const QUEUE = "load-work";
const UNRELIABLE_QUEUE = "load-unreliable";
/** A retried task waits this long: a real backoff, short enough for the run's tail. */
const RETRY_BACKOFF = { baseMs: 50, factor: 1, maxMs: 50 } as const;
/** Enough for the fails, stalls and releases of one run: a task dead-letters only if it is very unlucky. */
const MAX_ATTEMPTS = 20;
const SWEEPERS = 2;
const SWEEP_INTERVAL_MS = 25;
const CLOCK_SKEW_MS = 100;
const ENQUEUE_BATCH = 1_000;


/** Resolves with `call`'s value, or null when it threw (the recorder has recorded the failure). */
async function attempt<T>(call: () => Promise<T>): Promise<T | null> {
  try {
    return await call();
  } catch {
    return null;
  }
}

/** Runs the scenario once on `target` and reports what it found. */
export async function runLoad(target: Target, options: LoadOptions): Promise<ScenarioResult> {
  const started = Date.now();
  const tasks = options.tasks ?? 50_000;
  const workerCount = options.workers ?? 64;
  const clientCount = options.clients ?? 4;
  const leaseMs = options.leaseMs ?? 10_000;
  const unreliableTasks = Math.min(tasks, Math.max(20, Math.round(tasks * (options.unreliableShare ?? 0.01))));
  const unreliableCount = Math.min(workerCount - 1, options.unreliableWorkers ?? 8);
  const stallLeaseMs = options.stallLeaseMs ?? 200;
  const stallRate = options.stallRate ?? 0.4;
  const failRate = options.failRate ?? 0.03;
  const releaseRate = options.releaseRate ?? 0.01;
  const renewRate = options.renewRate ?? 0.1;
  const runCount = options.runs ?? 16;
  const appenderCount = options.appenders ?? 8;
  const appendCount = options.appends ?? Math.ceil(tasks / 20);
  const deadline = started + (options.deadlineMs ?? 600_000);
  const log = options.log ?? (() => undefined);
  const prng = new Prng(options.seed);
  const violations: string[] = [];

  const clients: Backend[] = [];
  try {
    for (let i = 0; i < clientCount; i++) clients.push(await target.open({ poolSize: options.poolSize ?? 5 }));
    const [setup] = clients as [Backend];
    const runIds: string[] = [];
    for (let i = 0; i < runCount; i++) runIds.push((await setup.workflows.createRun({ workflowId: "load", version: "1" })).run.id);
    for (let i = 0; i < tasks; i += ENQUEUE_BATCH) {
      const size = Math.min(ENQUEUE_BATCH, tasks - i);
      await setup.engine.enqueueMany(
        Array.from({ length: size }, (_, j) => ({
          queue: i + j < unreliableTasks ? UNRELIABLE_QUEUE : QUEUE,
          payload: { n: i + j },
          maxAttempts: MAX_ATTEMPTS,
          backoff: RETRY_BACKOFF,
        })),
      );
    }
    const enqueuedAt = Date.now();
    log(`${target.kind}: ${tasks} tasks enqueued in ${((enqueuedAt - started) / 1000).toFixed(1)} s`);

    const recorder = new HistoryRecorder();
    const client = (name: string, index: number): RecordingClient => recorder.client(name, clients[index % clientCount] as Backend);
    let done = false;
    let stalls = 0;

    const worker = async (index: number): Promise<void> => {
      const random = prng.fork();
      const c = client(`w${index}`, index);
      const workerId = `w${index}`;
      const unreliable = index < unreliableCount;
      const queue = unreliable ? UNRELIABLE_QUEUE : QUEUE;
      while (!done) {
        const leases = await attempt(() => c.claim({ workerId, queues: [queue], leaseMs: unreliable ? stallLeaseMs : leaseMs, limit: unreliable ? 1 : random.int(1, 4) }));
        if (leases === null) {
          await sleep(10);
          continue;
        }
        if (leases.length === 0) {
          await c.backend.engine.waitForWork([queue], { timeoutMs: 100 }).catch(() => false);
          continue;
        }
        if (unreliable && random.chance(stallRate)) {
          // A worker that stopped renewing: it wakes after its lease expired and still tries to
          // complete. The fence must refuse it (E5); the task is reclaimed and retried.
          stalls++;
          await sleep(stallLeaseMs + 100);
          for (const lease of leases) await attempt(() => c.complete(lease, { result: "stale" }));
          continue;
        }
        for (const claimed of leases) {
          let lease: Lease = claimed;
          if (random.chance(renewRate)) {
            const renewed = await attempt(() => c.renew(lease));
            if (renewed === null) continue;
            lease = renewed;
          }
          const roll = random.next();
          if (roll < failRate) await attempt(() => c.fail(lease, { error: { reason: "load" }, retryable: true }));
          else if (roll < failRate + releaseRate) await attempt(() => c.release(lease));
          else await attempt(() => c.complete(lease, { result: { by: workerId } }));
        }
      }
    };

    const sweeper = async (index: number): Promise<void> => {
      const c = client(`sweeper${index}`, index);
      while (!done) {
        await attempt(() => c.reclaimExpired({ limit: 500 }));
        await sleep(SWEEP_INTERVAL_MS);
      }
    };

    let appended = 0;
    const appender = async (index: number): Promise<void> => {
      const random = prng.fork();
      const c = client(`a${index}`, index);
      let n = 0;
      while (appended < appendCount && !done) {
        appended++;
        const runId = random.pick(runIds);
        const events = Array.from({ length: random.int(1, 3) }, () => ({ type: "load.event", payload: { appender: index, n: n++ } }));
        if (random.chance(0.2)) {
          const latest = await attempt(() => c.backend.workflows.latestSequence(runId));
          if (latest !== null) await attempt(() => c.appendEvents(runId, events, latest));
        } else {
          await attempt(() => c.appendEvents(runId, events));
        }
      }
    };

    const terminalCount = async (): Promise<{ completed: number; dead: number }> => {
      const counts = await Promise.all([QUEUE, UNRELIABLE_QUEUE].map(async (queue) => (await setup.engine.queueStats(queue)).counts));
      return { completed: counts.reduce((sum, c) => sum + c.completed, 0), dead: counts.reduce((sum, c) => sum + c.dead, 0) };
    };
    const monitor = async (): Promise<number> => {
      for (;;) {
        const counts = await terminalCount();
        const terminal = counts.completed + counts.dead;
        if (terminal >= tasks) return terminal;
        if (Date.now() > deadline) {
          violations.push(`only ${terminal} of ${tasks} tasks were terminal after ${Math.round((Date.now() - started) / 1000)} s (deadline)`);
          return terminal;
        }
        await sleep(250);
      }
    };

    const running = [
      ...Array.from({ length: workerCount }, (_, i) => worker(i)),
      ...Array.from({ length: SWEEPERS }, (_, i) => sweeper(i)),
      ...Array.from({ length: appenderCount }, (_, i) => appender(i)),
    ];
    await monitor();
    done = true;
    await Promise.all(running);
    const drainedAt = Date.now();
    const reader = client("reader", 0);
    for (const runId of runIds) await attempt(() => reader.readAllEvents(runId));

    const history = recorder.history();
    const report = checkHistory(history, { clock: { kind: "wall", skewMs: CLOCK_SKEW_MS }, maxViolations: 50 });
    for (const violation of report.violations) violations.push(`${violation.rule} ${violation.kind}: ${violation.message}`);
    if (report.truncated) violations.push("… the history checker found more violations than listed");

    const counts = await terminalCount();
    const settled = settlements(history);
    const terminal = counts.completed + counts.dead;
    if (counts.completed < settled.completed || counts.completed > settled.completed + settled.uncertainCompletes) {
      violations.push(
        `the backend counts ${counts.completed} completed tasks, the history acknowledges ${settled.completed} completions (+ ${settled.uncertainCompletes} of unknown outcome) (E7)`,
      );
    }
    const seconds = (drainedAt - enqueuedAt) / 1000;
    return {
      scenario: "load",
      backend: target.kind,
      seed: options.seed,
      faults: stalls,
      faultKinds: { "forced lease expiry": stalls },
      operations: history.length,
      lost: tasks - terminal,
      duplicated: settled.duplicated,
      durationMs: Date.now() - started,
      violations,
      notes: [
        `${tasks} tasks (${unreliableTasks} served by ${unreliableCount} unreliable workers), ${workerCount} workers on ${clientCount} clients`,
        `${Math.round(tasks / seconds)} tasks/s drained`,
        `${counts.completed} completed, ${counts.dead} dead-lettered`,
        `${report.stats.leases} leases, ${report.stats.reclaimed} sweeper reclaims`,
        `${report.stats.appendedEvents} events in ${report.stats.runs} runs`,
        `${report.stats.fail} refused, ${report.stats.info} of unknown outcome`,
      ],
    };
  } finally {
    for (const backend of clients) await backend.close();
  }
}

/**
 * Per task, the terminal settlements the history acknowledges (a complete, or a fail that
 * dead-lettered): `duplicated` counts the tasks settled by more than one lease.
 */
function settlements(history: readonly HistoryEntry[]): { completed: number; uncertainCompletes: number; duplicated: number } {
  const settledBy = new Map<string, Set<number>>();
  const completed = new Set<string>();
  const uncertain = new Set<string>();
  for (const entry of history) {
    if (entry.op !== "complete" && entry.op !== "fail") continue;
    const { taskId, epoch } = entry.args as LeaseRef;
    if (entry.outcome === "info" && entry.op === "complete") uncertain.add(taskId);
    if (entry.outcome !== "ok") continue;
    if (entry.op === "fail" && (entry.value as { outcome?: string } | null)?.outcome !== "dead") continue;
    if (entry.op === "complete") completed.add(taskId);
    const epochs = settledBy.get(taskId) ?? new Set<number>();
    epochs.add(epoch);
    settledBy.set(taskId, epochs);
  }
  let duplicated = 0;
  for (const epochs of settledBy.values()) if (epochs.size > 1) duplicated++;
  return { completed: completed.size, uncertainCompletes: uncertain.size, duplicated };
}
