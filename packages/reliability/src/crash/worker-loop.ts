/**
 * The loop of one crash-scenario worker: claim a task, work on it for a while, then settle it with
 * one fenced `commit` that appends the task's terminal event and completes the task in the same
 * transaction (SPEC W11). Worker processes run it (`worker-main.ts`); for the memory backend,
 * whose store lives in one process, the scenario runs it in process and simulates crashes.
 *
 * Every claim and commit is recorded. The commit is recorded as the history checker's `complete`
 * op: with `settle: { complete }` it is the fenced settlement E5 and E7 speak of, checked like
 * `complete`, and its terminal event lands only if the settlement does.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Backend, Lease } from "@mooring/core";
import type { GrantedLease, LeaseRef } from "@mooring/conformance/history";
import type { Recorder } from "../journal.js";
import { Prng } from "../prng.js";

/** The type of the one terminal event each task's run must end with. */
export const SETTLED_EVENT = "task.settled";

/** What a task's payload carries: the run whose log gets its terminal event. */
export interface CrashTaskPayload {
  readonly runId: string;
}

/** The payload of a `task.settled` event: which lease settled the task. */
export interface SettledEventPayload {
  readonly taskId: string;
  readonly epoch: number;
  readonly workerId: string;
}

export interface CrashWorkerSettings {
  /** The worker's name in the history; unique per incarnation (a replacement gets a new one). */
  readonly workerId: string;
  readonly queue: string;
  readonly leaseMs: number;
  /** Simulated work per task, drawn uniformly from [min, max] milliseconds. */
  readonly workMs: readonly [number, number];
  readonly seed: number;
}

export interface CrashWorkerHooks {
  /** True once the worker has crashed: it stops at its next step and records nothing more. */
  crashed(): boolean;
  /** True once the worker must stop cleanly before its next claim. */
  stopping(): boolean;
  /** Called with the lease the worker holds once it has one, and with null once it settled or dropped it. */
  holding?(lease: Lease | null): void;
  /** Awaited between the work and the commit: the in-process stand-in for a frozen process. */
  beforeCommit?(lease: Lease): Promise<void>;
}

const granted = (lease: Lease): GrantedLease => ({ taskId: lease.taskId, epoch: lease.epoch, attempt: lease.attempt, expiresAt: lease.expiresAt });
const leaseRef = (lease: Lease): LeaseRef => ({ taskId: lease.taskId, epoch: lease.epoch });


/**
 * Calls `call`, recorded as `op`; resolves `{ value }` or `{ error }`, or null when the worker
 * crashed while the call was in flight (its completion is then never recorded, as in a real crash).
 */
async function recorded<T>(
  recorder: Recorder,
  hooks: CrashWorkerHooks,
  process: string,
  op: string,
  args: unknown,
  call: () => Promise<T>,
  summarize: (value: T) => unknown,
): Promise<{ readonly value: T } | { readonly error: unknown } | null> {
  const invocation = recorder.invoke(process, op, args);
  try {
    const value = await call();
    if (hooks.crashed()) return null;
    invocation.ok(summarize(value));
    return { value };
  } catch (error) {
    if (hooks.crashed()) return null;
    invocation.error(error);
    return { error };
  }
}

/** Runs until `hooks.stopping()` (clean) or `hooks.crashed()` (abandons whatever it holds). */
export async function runCrashWorker(backend: Backend, recorder: Recorder, settings: CrashWorkerSettings, hooks: CrashWorkerHooks): Promise<void> {
  const prng = new Prng(settings.seed);
  const { workerId, queue, leaseMs } = settings;
  while (!hooks.stopping() && !hooks.crashed()) {
    const request = { workerId, queues: [queue], leaseMs, limit: 1 };
    const claim = await recorded(recorder, hooks, workerId, "claim", request, () => backend.engine.claim(request), (leases) => leases.map(granted));
    if (claim === null) return;
    if ("error" in claim) {
      // A transport error (a busy SQLite file past its timeout, a dropped connection): try again shortly.
      await sleep(20);
      continue;
    }
    const [lease] = claim.value;
    if (lease === undefined) {
      // Nothing claimable: retried tasks wait out their backoff, expired leases their sweep.
      await backend.engine.waitForWork([queue], { timeoutMs: 50 }).catch(() => false);
      continue;
    }
    hooks.holding?.(lease);
    await sleep(prng.int(settings.workMs[0], settings.workMs[1]));
    if (hooks.crashed()) return;
    await hooks.beforeCommit?.(lease);
    if (hooks.crashed()) return;
    const { runId } = lease.payload as unknown as CrashTaskPayload;
    const event: SettledEventPayload = { taskId: lease.taskId, epoch: lease.epoch, workerId };
    const commit = await recorded(
      recorder,
      hooks,
      workerId,
      "complete",
      leaseRef(lease),
      () =>
        backend.workflows.commit(runId, {
          lease,
          events: [{ type: SETTLED_EVENT, payload: { ...event } }],
          settle: { complete: { result: { workerId, epoch: lease.epoch } } },
        }),
      () => null,
    );
    if (commit === null) return;
    // A rejected commit (the lease expired, was reclaimed or superseded while this worker was
    // frozen) is the fence working: the task is someone else's now, so move on.
    hooks.holding?.(null);
  }
}
