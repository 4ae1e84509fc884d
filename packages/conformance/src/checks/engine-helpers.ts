/**
 * Shared pieces of the engine, tenancy and token checks: assertions that say what they expected
 * and what they saw, task helpers, the E5 holder calls with their "wrote nothing" verification,
 * and bounded real-time waits for asynchronous notifications (SPEC E19), which are the only
 * places the kit waits on the wall clock; every time decision of a backend uses the manual clock.
 */
import { AssertionError } from "node:assert";
import { inspect, isDeepStrictEqual } from "node:util";
import {
  type CapabilityName,
  type EngineBackend,
  type EnqueueInput,
  type ErrorCode,
  type Frame,
  type Lease,
  type ManualClock,
  MooringError,
  type TaskRecord,
} from "@mooring/core";
import { CheckTimeout, HANG_MS, withinHangBound } from "../hang.js";

// ---------------------------------------------------------------------------------------------
// Assertions

/** Renders a value for a failure message. */
export function show(value: unknown): string {
  return inspect(value, { depth: 6, breakLength: 120, maxArrayLength: 20 });
}

/** Fails with `message` unless `condition` holds. */
export function ensure(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError({ message });
}

/** Fails unless `actual` deeply and strictly equals `expected`. `what` names the observation. */
export function same(actual: unknown, expected: unknown, what: string): void {
  if (!isDeepStrictEqual(actual, expected)) {
    throw new AssertionError({
      message: `${what}: expected ${show(expected)}, got ${show(actual)}`,
      actual,
      expected,
      operator: "deepStrictEqual",
    });
  }
}

/** `same` for sets of strings given as arrays: order is not part of the expectation. */
export function sameMembers(actual: readonly string[], expected: readonly string[], what: string): void {
  same([...actual].sort(), [...expected].sort(), what);
}

/**
 * Awaits `call` and fails unless it rejects with a MooringError of `code`.
 * @returns the error, for further checks.
 */
export async function rejectsWith(call: Promise<unknown>, code: ErrorCode, what: string): Promise<MooringError> {
  let value: unknown;
  try {
    value = await call;
  } catch (error) {
    if (MooringError.is(error, code)) return error;
    const got = MooringError.is(error) ? `${error.code} (${error.message})` : `a non-Mooring error ${show(error)}`;
    throw new AssertionError({ message: `${what}: expected ${code}, got ${got}`, actual: error, expected: code, operator: "rejects" });
  }
  throw new AssertionError({ message: `${what}: expected ${code}, but the call succeeded with ${show(value)}`, expected: code, operator: "rejects" });
}

/** Awaits `call`; a rejection fails the check with `what` and the error's code. */
export async function succeeds<T>(call: Promise<T>, what: string): Promise<T> {
  try {
    return await call;
  } catch (error) {
    const got = MooringError.is(error) ? `${error.code} (${error.message})` : show(error);
    throw new AssertionError({ message: `${what}: expected success, got ${got}`, actual: error, operator: "resolves" });
  }
}

/** The error code of a settled call, or "ok". For race tests that tally outcomes. */
export async function outcomeOf(call: Promise<unknown>): Promise<ErrorCode | "ok"> {
  try {
    await call;
    return "ok";
  } catch (error) {
    if (MooringError.is(error)) return error.code;
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Time

/**
 * Moves the manual clock forward to `time` with `advance` (the kit's only way to move time).
 * @throws when `time` is in the past: a check that asks for that has a bug.
 */
export function advanceTo(clock: ManualClock, time: number): void {
  const delta = time - clock.now();
  if (delta < 0) throw new Error(`advanceTo(${time}) is ${-delta} ms in the past`);
  clock.advance(delta);
}

/**
 * Resolves with `promise`, or fails with a `CheckTimeout` after `HANG_MS` of real time naming
 * `what`. For waits on notifications that a backend delivers asynchronously (SPEC E19); never used
 * to let time pass, and never a judgement of speed: only a hang trips it.
 */
export function within<T>(promise: Promise<T>, what: string): Promise<T> {
  return withinHangBound(promise, what);
}

/**
 * Polls `condition` until it holds, or fails with a `CheckTimeout` after `HANG_MS` of real time
 * naming `what` and the last value `describe` gives. Polling stops at the first success, so nothing
 * waits a fixed time.
 */
export async function eventually(condition: () => boolean, what: string, describe: () => unknown = () => undefined): Promise<void> {
  const deadline = Date.now() + HANG_MS;
  while (!condition()) {
    if (Date.now() >= deadline) throw new CheckTimeout(`${what}: not true after ${HANG_MS} ms (a hang); observed ${show(describe())}`);
    await new Promise<void>((resolve) => setTimeout(resolve, 2));
  }
}

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

/** A lease that was never granted, for fence checks (SPEC E5). */
export function forgedLease(taskId: string, epoch: number, expiresAt: number, queue = "forged"): Lease {
  return { taskId, queue, payload: null, attempt: Math.max(1, epoch), epoch, workerId: "forger", expiresAt };
}

// ---------------------------------------------------------------------------------------------
// Holder calls (SPEC E5)

export const HOLDER_CALL_NAMES = ["renew", "complete", "fail", "release", "suspend", "progress", "appendFrame", "moveToDeadLetter"] as const;
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
  { name: "moveToDeadLetter", requires: ["deadLetter"], invoke: (engine, lease) => engine.moveToDeadLetter(lease, { by: "fenced holder" }) },
];

interface TaskObservation {
  readonly task: TaskRecord | null;
  readonly frames: Frame[] | null;
  readonly latestFrames: Frame[] | null;
}

async function observe(engine: EngineBackend, lease: Lease, withFrames: boolean): Promise<TaskObservation> {
  const task = await engine.getTask(lease.taskId);
  if (!withFrames) return { task, frames: null, latestFrames: null };
  return {
    task,
    frames: await engine.readFrames(lease.taskId, { attempt: Math.max(1, lease.attempt) }),
    latestFrames: await engine.readFrames(lease.taskId),
  };
}

/** What the owner's view and, when it is another tenant's, the caller's view show of the task. */
async function observeBoth(owner: EngineBackend, caller: EngineBackend, lease: Lease, withFrames: boolean): Promise<TaskObservation[]> {
  const views = owner === caller ? [owner] : [owner, caller];
  const observations: TaskObservation[] = [];
  for (const view of views) observations.push(await observe(view, lease, withFrames));
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
 * signal that was buffered on its key.
 */
export async function expectRejectedHolderCall(input: RejectedHolderCall): Promise<void> {
  const { engine, call, lease, code, signalKey, what } = input;
  const owner = input.owner ?? engine;
  if (call.name === "suspend") {
    await succeeds(engine.signal({ key: signalKey, payload: "buffered before the rejected suspend" }), `${what}: buffering a signal`);
  }
  const withFrames = call.name === "appendFrame";
  const before = await observeBoth(owner, engine, lease, withFrames);
  await rejectsWith(call.invoke(engine, lease, signalKey), code, `${what}: ${call.name}`);
  const after = await observeBoth(owner, engine, lease, withFrames);
  same(after, before, `${what}: a rejected ${call.name} must write nothing (task and frames before vs after)`);
  if (call.name === "suspend") await expectSignalStillBuffered(engine, signalKey, what);
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
