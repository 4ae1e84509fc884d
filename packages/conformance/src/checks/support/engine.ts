/**
 * Helpers of the engine, tenancy and token checks: tasks enqueued, claimed and inspected with
 * assertions that say what they expected and what they saw, and the fenced holder calls of SPEC E5
 * with their "wrote nothing" verification.
 */
import {
  type Backend,
  type CapabilityName,
  type EngineBackend,
  type EnqueueInput,
  type ErrorCode,
  type Frame,
  type Lease,
  type ManualClock,
  type MooringError,
  type TaskRecord,
  type TaskSummary,
  type WaitpointInfo,
} from "@mooring/core";
import type { BackendClockContext } from "../../registry.js";
import { ensure, rejectsWith, same, succeeds } from "./assertions.js";
import { show } from "./preview.js";
import { advanceTo, within } from "./time.js";

// ---------------------------------------------------------------------------------------------
// Tasks

/** The lease duration most checks claim with. */
export const LEASE_MS = 1_000;

/** Enqueues `input`, asserts it created a task, and returns the task's id. */
export async function enqueueTask(engine: EngineBackend, input: EnqueueInput, what = "enqueue"): Promise<string> {
  const result = await succeeds(engine.enqueue(input), what);
  ensure(result.created, `${what}: expected created: true, got ${show(result)}`);
  return result.id;
}

/** Enqueues one task in a fresh queue and claims it; asserts the claim got exactly that task. */
export async function leaseNewTask(
  context: BackendClockContext,
  options: { readonly leaseMs?: number; readonly maxAttempts?: number; readonly queue?: string } = {},
  backend: Backend = context.backend,
): Promise<Lease> {
  const queue = options.queue ?? context.unique("queue");
  const { id } = await backend.engine.enqueue({ queue, payload: { for: "lease" }, ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }) });
  const leases = await backend.engine.claim({ workerId: context.unique("worker"), queues: [queue], leaseMs: options.leaseMs ?? 30_000 });
  same(leases.length, 1, `claim on queue ${queue} after one enqueue: how many leases`);
  const lease = leases[0]!;
  same(lease.taskId, id, "claim must lease the only task of the queue");
  return lease;
}

export interface ClaimOptions {
  readonly leaseMs?: number;
  readonly workerId?: string;
  /** The task the claim must return; any other is a failure. */
  readonly taskId?: string;
}

/** Claims from `queues` and asserts exactly one lease came back (of `taskId` when given). */
export async function claimOne(engine: EngineBackend, queues: string | readonly string[], options: ClaimOptions = {}, what = "claim"): Promise<Lease> {
  const leases = await succeeds(
    engine.claim({ workerId: options.workerId ?? "worker", queues: typeof queues === "string" ? [queues] : queues, leaseMs: options.leaseMs ?? LEASE_MS }),
    what,
  );
  ensure(leases.length === 1, `${what}: expected one lease, got ${leases.length}: ${show(leases)}`);
  const [lease] = leases as [Lease];
  if (options.taskId !== undefined) {
    same(lease.taskId, options.taskId, `${what}: the claimed task`);
  }
  return lease;
}

/** Claims `count` times, one task each, and returns the claimed task ids in claim order. */
export async function claimInOrder(engine: EngineBackend, queues: string | readonly string[], count: number, what = "claim"): Promise<string[]> {
  const order: string[] = [];
  for (let i = 0; i < count; i++) order.push((await claimOne(engine, queues, {}, `${what} #${i + 1}`)).taskId);
  return order;
}

/**
 * Enqueues `count` tasks of one attempt in `queue` and leases them all for `leaseMs` (in as many
 * claims as it takes): a backlog of leases that expire together, as E10's reclaim cap needs.
 */
export async function leaseBacklog(engine: EngineBackend, queue: string, count: number, leaseMs: number): Promise<void> {
  await succeeds(engine.enqueueMany(Array.from({ length: count }, () => ({ queue, maxAttempts: 1 }))), `enqueueMany of ${count}`);
  for (let granted = 0; granted < count; ) {
    const leases = await succeeds(engine.claim({ workerId: "backlog", queues: [queue], leaseMs, limit: count - granted }), "claim of the backlog");
    ensure(leases.length > 0, `a claim granted nothing with ${count - granted} of ${count} tasks still ready`);
    granted += leases.length;
  }
}

/** Claims from `queues` and asserts nothing was granted. */
export async function claimNothing(engine: EngineBackend, queues: string | readonly string[], what: string, workerId = "other-worker"): Promise<void> {
  const leases = await succeeds(
    engine.claim({ workerId, queues: typeof queues === "string" ? [queues] : queues, leaseMs: LEASE_MS, limit: 10 }),
    what,
  );
  same(
    leases.map((lease) => lease.taskId),
    [],
    `${what}: claimed tasks`,
  );
}

/** The task, which must exist. */
export async function taskOf(engine: EngineBackend, taskId: string, what = `getTask(${taskId})`): Promise<TaskRecord> {
  const task = await succeeds(engine.getTask(taskId), what);
  ensure(task !== null, `${what}: expected the task, got null`);
  return task;
}

/** Asserts selected fields of a task; the message names every field that differs. */
export async function expectTask(engine: EngineBackend, taskId: string, expected: Partial<TaskRecord>, what: string): Promise<TaskRecord> {
  const task = await taskOf(engine, taskId, what);
  const actual: Record<string, unknown> = {};
  for (const key of Object.keys(expected)) actual[key] = task[key as keyof TaskRecord];
  same(actual, expected, `${what} (getTask fields)`);
  return task;
}

/** A leaseId of a granted lease's shape (22 base64url characters) that no backend granted. */
export const FORGED_LEASE_ID = "Zm9yZ2VkIGJ5IHRoZSBraXQ";

/** A lease that was never granted, for fence checks (SPEC E5). */
export function forgedLease(taskId: string, epoch: number, expiresAt: number, queue = "forged"): Lease {
  return { taskId, queue, payload: null, attempt: Math.max(1, epoch), epoch, leaseId: FORGED_LEASE_ID, workerId: "forger", expiresAt };
}

/** `text` with its character at `index` replaced by another of the same alphabet. */
function otherCharacterAt(text: string, index: number): string {
  const at = text.charAt(index);
  return text.slice(0, index) + (at === "A" ? "B" : "A") + text.slice(index + 1);
}

/**
 * The leaseIds a guesser who knows the task and its epoch might present instead of `leaseId`
 * (SPEC T4), each with a name for messages: one character off at either end (a comparison of a
 * prefix or a suffix only), cut short and lengthened (a comparison of a prefix), and one of the
 * kit's own (a comparison of the length only). None equals `leaseId`.
 */
export function forgedLeaseIds(leaseId: string): { readonly name: string; readonly leaseId: string }[] {
  const forgeries = [
    { name: "its last character changed", leaseId: otherCharacterAt(leaseId, leaseId.length - 1) },
    { name: "its first character changed", leaseId: otherCharacterAt(leaseId, 0) },
    { name: "cut short by one character", leaseId: leaseId.slice(0, -1) },
    { name: "lengthened by one character", leaseId: `${leaseId}A` },
    { name: "the kit's forged id", leaseId: FORGED_LEASE_ID },
  ];
  return forgeries.filter((forgery) => forgery.leaseId !== leaseId && forgery.leaseId !== "");
}

// ---------------------------------------------------------------------------------------------
// Holder calls (SPEC E5)

export const HOLDER_CALL_NAMES = ["renew", "complete", "fail", "release", "suspend", "progress", "appendFrame", "setSummary", "createWaitpoint", "moveToDeadLetter"] as const;
export type HolderCallName = (typeof HOLDER_CALL_NAMES)[number];

/** One fenced call of a lease holder, with the capability it needs beyond "leases". */
export interface HolderCall {
  readonly name: HolderCallName;
  readonly requires: readonly CapabilityName[];
  invoke(engine: EngineBackend, lease: Lease, signalKey: string): Promise<unknown>;
}

/** Every fenced holder call of SPEC E5 but `commit` with a lease, which the W11 checks cover. */
export const HOLDER_CALLS: readonly HolderCall[] = [
  { name: "renew", requires: [], invoke: (engine, lease) => engine.renew(lease, { leaseMs: 60_000 }) },
  { name: "complete", requires: [], invoke: (engine, lease) => engine.complete(lease, { result: { by: "fenced holder" } }) },
  { name: "fail", requires: [], invoke: (engine, lease) => engine.fail(lease, { error: { by: "fenced holder" } }) },
  { name: "release", requires: [], invoke: (engine, lease) => engine.release(lease) },
  { name: "suspend", requires: ["signals"], invoke: (engine, lease, signalKey) => engine.suspend(lease, { keys: [signalKey] }) },
  { name: "progress", requires: ["progress"], invoke: (engine, lease) => engine.progress(lease, { percent: 99, message: "fenced holder" }) },
  { name: "appendFrame", requires: ["streams"], invoke: (engine, lease) => engine.appendFrame(lease, { by: "fenced holder" }) },
  { name: "setSummary", requires: ["frameTail"], invoke: (engine, lease) => engine.setSummary(lease, { by: "fenced holder" }) },
  { name: "createWaitpoint", requires: ["waitpoints"], invoke: (engine, lease, signalKey) => engine.createWaitpoint(lease, { key: signalKey, expiresInMs: 60_000 }) },
  { name: "moveToDeadLetter", requires: ["deadLetter"], invoke: (engine, lease) => engine.moveToDeadLetter(lease, { by: "fenced holder" }) },
];

interface TaskObservation {
  readonly task: TaskRecord | null;
  readonly frames: Frame[] | null;
  readonly latestFrames: Frame[] | null;
  readonly summaries: (TaskSummary | null)[] | null;
  readonly waitpoints: WaitpointInfo[] | null;
}

/** What a rejected call may not change: frames for `appendFrame`, summaries for `setSummary`, waitpoints for `createWaitpoint`. */
type Written = "frames" | "summary" | "waitpoints" | null;

const WRITES: Partial<Record<HolderCallName, Written>> = { appendFrame: "frames", setSummary: "summary", createWaitpoint: "waitpoints" };

async function observe(engine: EngineBackend, lease: Lease, written: Written): Promise<TaskObservation> {
  const task = await engine.getTask(lease.taskId);
  const attempt = { attempt: Math.max(1, lease.attempt) };
  return {
    task,
    frames: written === "frames" ? await engine.readFrames(lease.taskId, attempt) : null,
    latestFrames: written === "frames" ? await engine.readFrames(lease.taskId) : null,
    summaries: written === "summary" ? [await engine.getSummary(lease.taskId, attempt), await engine.getSummary(lease.taskId)] : null,
    waitpoints: written === "waitpoints" ? await engine.listWaitpoints(lease.taskId) : null,
  };
}

/** What the owner's view and, when it is another tenant's, the caller's view show of the task. */
async function observeBoth(owner: EngineBackend, caller: EngineBackend, lease: Lease, written: Written): Promise<TaskObservation[]> {
  const views = owner === caller ? [owner] : [owner, caller];
  const observations: TaskObservation[] = [];
  for (const view of views) observations.push(await observe(view, lease, written));
  return observations;
}

export interface RejectedHolderCall {
  /** The engine the call is made on. */
  readonly engine: EngineBackend;
  /** The engine that owns the task, when the call goes to another tenant's view (SPEC T1). */
  readonly owner?: EngineBackend;
  readonly call: HolderCall;
  readonly lease: Lease;
  readonly code: ErrorCode;
  /** Names the unique signal key a `suspend` uses; a fresh one per call. */
  readonly signalKey: string;
  readonly what: string;
}

/**
 * Makes a holder call that must be rejected with `code` and verifies that it wrote nothing
 * (SPEC E5, C2): the task record (state, attempt, epoch, lease, progress, error, runAt,
 * updatedAt…) and its stream frames are unchanged, and a rejected `suspend` did not take the
 * signal that was buffered on its key. Returns the error, for checks of its details.
 */
export async function expectRejectedHolderCall(input: RejectedHolderCall): Promise<MooringError> {
  const { engine, call, lease, code, signalKey, what } = input;
  const owner = input.owner ?? engine;
  if (call.name === "suspend") {
    await succeeds(engine.signal({ key: signalKey, payload: "buffered before the rejected suspend" }), `${what}: buffering a signal`);
  }
  const written = WRITES[call.name] ?? null;
  const before = await observeBoth(owner, engine, lease, written);
  const error = await rejectsWith(call.invoke(engine, lease, signalKey), code, `${what}: ${call.name}`);
  const after = await observeBoth(owner, engine, lease, written);
  same(after, before, `${what}: a rejected ${call.name} must write nothing (task, frames, summaries and waitpoints before vs after)`);
  if (call.name === "suspend") await expectSignalStillBuffered(engine, signalKey, what);
  return error;
}

/** Suspends a fresh probe task on `key` and asserts a buffered signal satisfied it at once. */
async function expectSignalStillBuffered(engine: EngineBackend, key: string, what: string): Promise<void> {
  const queue = `${key}-probe`;
  const probe = await enqueueTask(engine, { queue }, `${what}: enqueue a probe task`);
  const lease = await claimOne(engine, queue, { taskId: probe }, `${what}: claim the probe task`);
  const result = await succeeds(engine.suspend(lease, { keys: [key] }), `${what}: suspend the probe task`);
  ensure(
    !result.suspended && result.signals.length === 1,
    `${what}: the signal buffered before the rejected suspend must still be buffered; a probe suspend returned ${show(result)}`,
  );
}

/** Capabilities of a set of holder calls, deduplicated, with "leases". */
export function capabilitiesOf(...groups: (readonly CapabilityName[])[]): CapabilityName[] {
  return [...new Set<CapabilityName>(["leases", ...groups.flat()])];
}

/**
 * Holds that waitForWork on `queue` stays asleep while `held` takes the slot ready work waits for
 * (a queue's or a key's limit: E17, E20), and wakes when `other`, another client, completes it.
 */
export async function expectWakeWhenLeaseEnds(engine: EngineBackend, other: EngineBackend, queue: string, held: Lease, limit: string): Promise<void> {
  same(
    await within(engine.waitForWork([queue], { timeoutMs: 50 }), `waitForWork with the ${limit} full`),
    false,
    `waitForWork (50 ms timeout) while the ready work waits for the ${limit}`,
  );
  const controller = new AbortController();
  try {
    const woken = engine.waitForWork([queue], { timeoutMs: 600_000, signal: controller.signal });
    await succeeds(other.complete(held), "complete the held lease on another client");
    same(await within(woken, "waitForWork after the lease ended"), true, `waitForWork once the ${limit}'s lease ended`);
  } finally {
    controller.abort();
  }
}

/**
 * A due time close enough on the clock that a backend may turn it into a real-time look (memory
 * looks again after that many real milliseconds, and then sees the clock moved), far enough that a
 * 20 ms wait ends before it.
 */
export const DUE_IN_MS = 50;

/**
 * Holds that waitForWork on `queue` (or on several queues) stays asleep while the work waits for
 * time alone (a scheduled task, an expiring lease, a sliding rate interval, a suspension's timeout)
 * and wakes once the clock reaches `dueAt`, with no write by anyone: E19's "resolves when work may
 * be claimable".
 */
export async function expectWakeWhenDue(engine: EngineBackend, clock: ManualClock, queue: string | readonly string[], dueAt: number, what: string): Promise<void> {
  const queues = typeof queue === "string" ? [queue] : queue;
  same(await within(engine.waitForWork(queues, { timeoutMs: 20 }), `waitForWork before ${what}`), false, `waitForWork (20 ms timeout) before ${what}`);
  const controller = new AbortController();
  try {
    const woken = engine.waitForWork(queues, { timeoutMs: 600_000, signal: controller.signal });
    advanceTo(clock, dueAt);
    same(await within(woken, `waitForWork once ${what}`), true, `waitForWork once ${what}, with no write since it began`);
  } finally {
    controller.abort();
  }
}
