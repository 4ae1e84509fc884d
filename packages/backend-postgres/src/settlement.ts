/**
 * Settling a held task inside a transaction: shared by the engine's holder calls and by
 * `WorkflowStore.commit` with `settle` (SPEC W11), so that both settle a task the same way.
 */
import { backoffDelay, DEFAULTS, enforceFence, type FailResult, type FencedLease, type HolderCall, type Json, storedValueColumns, type Value } from "@mooring/core";
import { type BackendContext, Outbox } from "./context.js";
import type { Queryable } from "./database.js";
import { type FenceRow, judgeFenceRow } from "./fence.js";
import { jsonText } from "./rows.js";

/** What deciding a consumed attempt's outcome reads of a task (SPEC E8, E10). */
export interface AttemptRow {
  readonly id: string;
  readonly queue: string;
  /** The attempt of the lease that ends. */
  readonly attempt: number;
  readonly max_attempts: number;
  readonly backoff_base_ms: number;
  readonly backoff_factor: number;
  readonly backoff_max_ms: number;
  readonly has_dependents: boolean;
  /** The transaction's time. */
  readonly now: number;
}

/**
 * The outcome of consuming `task`'s attempt: a retry time while `retryable` and attempts remain
 * (E8's `attempt < maxAttempts`, on the lease's attempt), else null (dead). The backoff is core's
 * `backoffDelay`, so no backend computes it differently.
 */
export function retryTime(task: AttemptRow, retryable: boolean): number | null {
  if (!retryable || task.attempt >= task.max_attempts) return null;
  return task.now + backoffDelay({ baseMs: task.backoff_base_ms, factor: task.backoff_factor, maxMs: task.backoff_max_ms }, task.attempt);
}

/** A task as task-lock returns it. */
export interface LockedTask extends FenceRow, AttemptRow {}

/**
 * Locks the task for the rest of the transaction; undefined when the tenant has no such task. A
 * task completed by a concurrent transaction while the lock was awaited left `tasks` after the
 * statement's snapshot, so it reads as absent once: the second read, with a new snapshot, finds it
 * completed (completion is final, so one more read settles it).
 */
export async function lockTask(tx: Queryable, context: BackendContext, tenantId: string, taskId: string): Promise<LockedTask | undefined> {
  const read = async (): Promise<LockedTask | undefined> => (await tx.query<LockedTask>("task-lock", [context.db.nowParam(), tenantId, taskId]))[0];
  return (await read()) ?? (await read());
}

/**
 * Locks the lease's task and applies the fence (SPEC E5).
 * @returns the task, and whether the call is `complete` repeated after it succeeded (E7).
 * @throws the fence's MooringError.
 */
export async function holdTask(
  tx: Queryable,
  context: BackendContext,
  tenantId: string,
  lease: FencedLease,
  call: HolderCall,
): Promise<{ readonly task: LockedTask; readonly repeat: boolean }> {
  const task = await lockTask(tx, context, tenantId, lease.taskId);
  const verdict = enforceFence(judgeFenceRow(task, lease, task?.now ?? 0, call), "postgres");
  // The fence rejected NOT_FOUND when there is no task, so `task` is defined here.
  return { task: task as LockedTask, repeat: verdict === "repeat" };
}

/** Completes a held task and releases the dependents it was the last pending dependency of (SPEC E7, E16). */
export async function completeHeld(tx: Queryable, context: BackendContext, tenantId: string, task: LockedTask, epoch: number, result: Value | undefined, outbox: Outbox): Promise<void> {
  await tx.query("task-complete", [task.now, tenantId, task.id, epoch, ...storedValueColumns(result)]);
  outbox.add("completed", task.queue, task.id);
  if (task.has_dependents) {
    const released = await tx.query<{ id: string; queue: string; state: string }>("dependents-release", [task.now, tenantId, [task.id]]);
    for (const dependent of released) if (dependent.state === "queued") outbox.add("work", dependent.queue, null);
  }
}

/**
 * Consumes the held task's attempt: retried at now + backoff while `retryable` and attempts remain
 * (judged on the lease's attempt), else dead-lettered, cancelling its dependents (SPEC E8, E12, E16).
 */
export async function failHeld(
  tx: Queryable,
  context: BackendContext,
  tenantId: string,
  task: LockedTask,
  epoch: number,
  error: Json,
  retryable: boolean,
  outbox: Outbox,
): Promise<FailResult> {
  const runAt = retryTime(task, retryable);
  await tx.query("task-fail", [task.now, tenantId, task.id, epoch, runAt !== null, runAt, jsonText(error), context.deathOrder]);
  if (runAt !== null) {
    outbox.add("failed", task.queue, task.id);
    outbox.add("work", task.queue, null);
    return { outcome: "retry", runAt };
  }
  outbox.add("dead", task.queue, task.id);
  if (task.has_dependents) await cancelDependents(tx, tenantId, [task.id], task.now, outbox);
  return { outcome: "dead" };
}

/** Cancels, transitively, the blocked dependents of tasks that died or were cancelled (SPEC E16). */
export async function cancelDependents(tx: Queryable, tenantId: string, failedIds: readonly string[], now: number, outbox: Outbox): Promise<void> {
  if (failedIds.length === 0) return;
  const cancelled = await tx.query<{ id: string; queue: string }>("dependents-cancel", [now, tenantId, failedIds, DEFAULTS.dependencyFailedReason]);
  for (const task of cancelled) outbox.add("cancelled", task.queue, task.id);
}

export { Outbox };
