/**
 * A recorded concurrent workload, checked as a history (SPEC K3; ANCHORS: Jepsen-style histories):
 * four clients of one store claim, complete, fail, release, renew and hold tasks, append events
 * to a few runs, and sweep, while the manual clock jumps forward and forces expiries and reclaims.
 * Every call is recorded with its real-time interval and outcome, and `checkHistory` verifies the
 * whole history: exclusivity (E4), fencing (E5), single settlement (E7), exactly-once reclaim
 * (E11), gap-free sequences (W7) and conditional appends (W8). Forged fences, operator revokes and
 * cancels and conditional appends are mixed in. The check is filed under E4, the rule the others
 * protect. `E20.recorded-history` runs the same workload with the tasks spread over a few
 * concurrency keys under a key limit, and the history is judged for E20 too.
 */
import fc from "fast-check";
import { type Backend, type Lease, MooringError } from "@mooring/core";
import { assertProperty } from "../../fast-check.js";
import { HistoryViolationError, checkHistory } from "../../history/checker.js";
import { HistoryRecorder, type RecordingClient } from "../../history/recorder.js";
import { type Check, type CheckContext, defineCheck } from "../../registry.js";
import { ensure, show } from "../support/index.js";

const CLIENTS = 4;
const TASKS = 200;
/** Tasks claimed once at the start and then only ever reclaimed by the sweepers: E11's subjects. */
const SWEPT_TASKS = 24;
const RUNS = 3;
const LEASE_MS = 1_000;
/** Retries come back quickly, so that expired tasks are worked again within the run. */
const BACKOFF = { baseMs: 50, factor: 1, maxMs: 50 } as const;
/** Every this many driver steps the clock jumps a whole lease, expiring every lease then held. */
const JUMP_EVERY = 12;
/** The workload ends when no lease was granted for this many driver steps (or at MAX_STEPS). */
const IDLE_STEPS = 3 * JUMP_EVERY;
/** A conforming store drains in 60 to 80 steps; this bounds an adapter that grants for ever. */
const MAX_STEPS = 400;

/** Codes a holder call may meet when the clock or another client got there first (SPEC E5). */
const FENCED: ReadonlySet<string> = new Set(["STALE_LEASE", "LEASE_EXPIRED", "LEASE_REVOKED", "INVALID_STATE"]);

/** A small seeded generator (mulberry32), so that a run's choices replay from its seed. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A turn of the event loop, so that in-process backends interleave the clients' loops. */
const yieldTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Awaits a call whose rejection with one of `expected` is a possible outcome (it is in the history
 * either way); any other error fails the check. Resolves whether the call succeeded.
 */
async function tolerated(call: Promise<unknown>, expected: ReadonlySet<string> = FENCED): Promise<boolean> {
  try {
    await call;
    return true;
  } catch (error) {
    if (MooringError.is(error) && expected.has(error.code)) return false;
    throw error;
  }
}

const SEQUENCE_CONFLICT: ReadonlySet<string> = new Set(["SEQUENCE_CONFLICT"]);

interface Workload {
  readonly queue: string;
  readonly sweptQueue: string;
  readonly runIds: readonly string[];
  readonly random: () => number;
  /** Tasks leased lately, for the driver's cancels and revokes. */
  readonly leased: string[];
  stop: boolean;
  /** Claim rounds each worker has finished; the driver's clock waits for them (see `driver`). */
  readonly rounds: number[];
  /** Which workers still run: one that returned or threw is no longer waited for. */
  readonly running: boolean[];
  /** Wakes the driver when a worker finishes a round or stops. */
  wake: () => void;
  lastGrantStep: number;
  step: number;
  appendCounter: number;
}

/**
 * One client's loop. It counts the rounds it finishes for the driver, and once it ends, normally or
 * by throwing, it is no longer waited for. A worker that throws stops the whole workload, so that
 * the others do not go on recording calls for a check that has already failed.
 */
async function worker(client: RecordingClient, workload: Workload, index: number): Promise<void> {
  const held: { lease: Lease; until: number }[] = [];
  try {
    while (!workload.stop) {
      await round(client, workload, held);
      await finishRound(workload, index);
    }
    for (const entry of held) await tolerated(client.complete(entry.lease));
  } catch (error) {
    workload.stop = true;
    throw error;
  } finally {
    workload.running[index] = false;
    workload.wake();
  }
}

/** One claim round: settle the held leases that fell due, claim a few tasks and act on each. */
async function round(client: RecordingClient, workload: Workload, held: { lease: Lease; until: number }[]): Promise<void> {
  // Late holders: settle leases held across clock jumps (fenced off if they expired meanwhile).
  const due = held.filter((entry) => entry.until <= workload.step);
  for (const entry of due) {
    held.splice(held.indexOf(entry), 1);
    await tolerated(workload.random() < 0.5 ? client.complete(entry.lease) : client.release(entry.lease));
  }
  const leases = await client.claim({ workerId: client.process, queues: [workload.queue], leaseMs: LEASE_MS, limit: 1 + Math.floor(workload.random() * 3) });
  if (leases.length === 0) return;
  workload.lastGrantStep = workload.step;
  workload.leased.splice(0, workload.leased.length, ...leases.map((lease) => lease.taskId));
  await Promise.all(leases.map((lease) => act(client, workload, lease, held)));
}

async function act(client: RecordingClient, workload: Workload, lease: Lease, held: { lease: Lease; until: number }[]): Promise<void> {
  const choice = workload.random();
  if (choice < 0.4) {
    await tolerated(client.complete(lease, { result: { by: client.process } }));
  } else if (choice < 0.55) {
    const runId = workload.runIds[Math.floor(workload.random() * workload.runIds.length)] as string;
    const count = 1 + Math.floor(workload.random() * 3);
    const events = Array.from({ length: count }, () => ({ type: "work", payload: { n: workload.appendCounter++, task: lease.taskId, epoch: lease.epoch } }));
    if (workload.random() < 0.3) {
      // A conditional append racing the others: it may lose (W8), and then wrote nothing.
      const latest = await client.backend.workflows.latestSequence(runId);
      await tolerated(client.appendEvents(runId, events, latest), SEQUENCE_CONFLICT);
    } else {
      await client.appendEvents(runId, events);
    }
    await tolerated(client.complete(lease));
  } else if (choice < 0.65) {
    if (await tolerated(client.renew(lease, { leaseMs: LEASE_MS }))) await tolerated(client.complete(lease));
  } else if (choice < 0.72) {
    await tolerated(client.fail(lease, { error: "workload failure" }));
  } else if (choice < 0.77) {
    await tolerated(client.release(lease));
  } else if (choice < 0.82) {
    // The same lease settled twice at once, then once more as a retry after a lost reply would:
    // one complete wins, the repeats are idempotent successes (E7).
    await Promise.all([tolerated(client.complete(lease)), tolerated(client.complete(lease))]);
    await tolerated(client.complete(lease));
  } else if (choice < 0.85) {
    // Forged fences (SPEC §10.4): an epoch never granted must be refused.
    await tolerated(client.complete({ ...lease, epoch: workload.random() < 0.5 ? 0 : lease.epoch + 1 }));
    await tolerated(client.complete(lease));
  } else {
    held.push({ lease, until: workload.step + 1 + Math.floor(workload.random() * JUMP_EVERY) });
  }
}

/**
 * Counts a finished round and yields a turn of the event loop: an in-process backend answers in
 * microtasks, so a worker that never yielded could starve a client waiting on I/O, and with it the
 * driver that waits for every client's round.
 */
async function finishRound(workload: Workload, index: number): Promise<void> {
  workload.rounds[index] = (workload.rounds[index] ?? 0) + 1;
  workload.wake();
  await yieldTurn();
}

/** Resolves once every worker still running has finished a round since `since`, or the workload stopped. */
async function roundsFinished(workload: Workload, since: readonly number[]): Promise<void> {
  const waiting = (): boolean => !workload.stop && workload.rounds.some((rounds, i) => workload.running[i] && rounds <= (since[i] as number));
  while (waiting()) await new Promise<void>((resolve) => (workload.wake = resolve));
}

/**
 * Moves the clock, sweeps with two clients at once, and decides when the workload is over. Each
 * step waits until every worker has finished a claim round, so that the clock moves with the work
 * and not with how fast this machine runs the workers beside the driver: a driver racing ahead of
 * slow workers ended the workload before any task was leased twice.
 */
async function driver(recorder: HistoryRecorder, ctx: CheckContext, sweepers: readonly RecordingClient[], workload: Workload): Promise<void> {
  try {
    await drive(recorder, ctx, sweepers, workload);
  } finally {
    workload.stop = true;
  }
}

async function drive(recorder: HistoryRecorder, ctx: CheckContext, sweepers: readonly RecordingClient[], workload: Workload): Promise<void> {
  for (; workload.step < MAX_STEPS && !workload.stop; workload.step++) {
    await roundsFinished(workload, [...workload.rounds]);
    const jump = workload.step % JUMP_EVERY === JUMP_EVERY - 1;
    recorder.advanceClock("clock", ctx.clock, jump ? LEASE_MS : Math.floor(workload.random() * 300));
    await Promise.all(sweepers.map((sweeper) => sweeper.reclaimExpired({ limit: 1 + Math.floor(workload.random() * 8) })));
    // Now and then an operator ends a lease under its holder's feet (SPEC E13).
    const victim = workload.leased[Math.floor(workload.random() * workload.leased.length)];
    if (victim !== undefined && workload.step % 7 === 3) {
      const operator = sweepers[0] as RecordingClient;
      await (workload.random() < 0.5 ? operator.revokeLease(victim) : operator.cancel(victim, "operator"));
    }
    if (workload.step - workload.lastGrantStep > IDLE_STEPS) break;
  }
}

/** E20's variant: tasks spread over `count` keys, at most `limit` leases of a key at once. */
interface KeyedWorkload {
  readonly count: number;
  readonly limit: number;
}

async function runWorkload(ctx: CheckContext, backends: readonly Backend[], seed: number, keys: KeyedWorkload | null = null): Promise<void> {
  const recorder = new HistoryRecorder();
  recorder.readClock("clock", ctx.clock);
  const root = ctx.backend;
  const workload: Workload = {
    queue: ctx.unique("history-queue"),
    sweptQueue: ctx.unique("history-swept"),
    runIds: Array.from({ length: RUNS }, () => ctx.unique("history-run")),
    random: generator(seed),
    leased: [],
    stop: false,
    rounds: backends.map(() => 0),
    running: backends.map(() => true),
    wake: () => {},
    lastGrantStep: 0,
    step: 0,
    appendCounter: 0,
  };
  for (const id of workload.runIds) await root.workflows.createRun({ id, workflowId: "history", version: "1" });
  const keyNames = keys === null ? [] : Array.from({ length: keys.count }, () => ctx.unique("history-key"));
  if (keys !== null) await root.engine.setQueue(workload.queue, { keyConcurrency: keys.limit });
  await root.engine.enqueueMany(
    Array.from({ length: TASKS }, (_, n) => ({
      queue: workload.queue,
      payload: n,
      maxAttempts: 1 + (n % 3),
      backoff: BACKOFF,
      ...(keys === null ? {} : { concurrencyKey: keyNames[n % keys.count] as string }),
    })),
  );
  await root.engine.enqueueMany(Array.from({ length: SWEPT_TASKS }, (_, n) => ({ queue: workload.sweptQueue, payload: n, maxAttempts: 2, backoff: BACKOFF })));
  const clients = backends.map((backend, i) => recorder.client(`client-${i}`, backend));
  const first = clients[0] as RecordingClient;
  // Nobody settles these: only the sweepers end their leases (E11).
  const swept = await first.claim({ workerId: "abandoning", queues: [workload.sweptQueue], leaseMs: LEASE_MS, limit: SWEPT_TASKS });
  ensure(swept.length === SWEPT_TASKS, `the initial claim of the swept queue granted ${swept.length} of ${SWEPT_TASKS} tasks`);

  // Every participant is awaited before a failure is reported, so that none outlives this run.
  const outcomes = await Promise.allSettled([...clients.map((client, i) => worker(client, workload, i)), driver(recorder, ctx, clients.slice(0, 2), workload)]);
  const failed = outcomes.find((outcome) => outcome.status === "rejected");
  if (failed) throw failed.reason;
  for (const runId of workload.runIds) await first.readAllEvents(runId);

  const history = recorder.history();
  const report = checkHistory(history, keys === null ? {} : { keyConcurrency: { [workload.queue]: keys.limit } });
  if (!report.valid) throw new HistoryViolationError(report);
  // The workload must have exercised what it checks, or a pass would mean nothing.
  ensure(report.stats.reclaimed >= SWEPT_TASKS, `the sweepers reclaimed only ${report.stats.reclaimed} leases; expected at least the ${SWEPT_TASKS} abandoned ones: ${show(report.stats)}`);
  ensure(report.stats.leases > TASKS + SWEPT_TASKS, `no task was leased twice (no expiry, release or retry was exercised): ${show(report.stats)}`);
  ensure(report.stats.fail > 0, `no holder call was fenced off during the workload: ${show(report.stats)}`);
  ensure(report.stats.appendedEvents > 0 && report.stats.runs === RUNS, `the workload appended no events: ${show(report.stats)}`);
}

const recordedHistory = defineCheck({
  id: "E4.recorded-history",
  rule: "E4",
  title: "a recorded workload of four clients with forced expiries, forged fences and revocations keeps E4, E5, E7, E11, W7 and W8 over its whole history",
  requires: ["leases", "reclaim", "runs", "events"],
  kind: "race",
  async run(ctx) {
    const backends: Backend[] = [ctx.backend];
    for (let i = 1; i < CLIENTS; i++) backends.push(await ctx.connect());
    // Two runs at the default run count: each is a few hundred tasks and a few thousand operations.
    await assertProperty(
      ctx,
      fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => runWorkload(ctx, backends, seed)),
      { scale: 0.02 },
    );
  },
});

const keyedHistory = defineCheck({
  id: "E20.recorded-history",
  rule: "E20",
  title: "the recorded workload with its tasks on five concurrency keys (keyConcurrency 2) never holds more than two valid leases of a key",
  requires: ["leases", "reclaim", "runs", "events", "queueControl", "concurrencyKeys"],
  kind: "race",
  async run(ctx) {
    const backends: Backend[] = [ctx.backend];
    for (let i = 1; i < CLIENTS; i++) backends.push(await ctx.connect());
    await assertProperty(
      ctx,
      fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => runWorkload(ctx, backends, seed, { count: 5, limit: 2 })),
      { scale: 0.02 },
    );
  },
});

export const checks: Check[] = [recordedHistory, keyedHistory];
