/**
 * The transitions of one task, shared by every call that moves a task (the engine's holder and
 * operator calls, claim-side reclaim, and `WorkflowStore.commit` with `settle`), so each rule of
 * docs/decisions.md is written once. Every method runs inside the caller's `BEGIN IMMEDIATE`
 * transaction and records its task events in the change feed of that transaction.
 */
import {
  type Backoff,
  backoffDelay,
  DEFAULTS,
  type FailResult,
  enforceFence,
  type FencedTask,
  type HolderCall,
  type Json,
  judgeFence,
  type Lease,
  storedValueColumns,
  type Value,
  type Progress,
  type Signal,
  type TaskRecord,
  type TaskState,
} from "@mooring/core";
import type { SqliteConnection } from "./connection.js";
import { BACKEND_NAME, notFound } from "./errors.js";
import { jsonText, parseJson, valueOfColumns } from "./json.js";
import {
  BLOCKED_DEPENDENTS,
  CANCEL_TASK,
  COMPLETE_HELD,
  COMPLETE_HELD_KEYLESS,
  COMPLETE_TASK,
  type CompletedRow,
  DEAD_LETTER_TASK,
  DECREMENT_PENDING,
  DELETE_WAITS,
  PENDING_DEPENDENCIES,
  QUEUE_SETTINGS,
  REPLAY_TASK,
  REQUEUE_TASK,
  RESUME_TIMED_OUT_IN_QUEUE,
  RESUME_TIMED_OUT_IN_TENANT,
  RESUME_TIMED_OUT_TASK,
  REVIVE_DEAD,
  REWAIT_DEPENDENTS,
  SELECT_TASK,
  type SignalRow,
  TASK_SIGNALS,
  type TaskRow,
  UNBLOCK_TASK,
} from "./sql/engine.js";
import type { StatementCache } from "./statements.js";

/** Change-feed kinds: the public task events, plus "ready" (a wake-up only, never delivered). */
export type FeedKind = "enqueued" | "completed" | "failed" | "dead" | "cancelled" | "lease_expired" | "ready";

export interface FenceResult {
  readonly row: TaskRow;
  /** True when `complete` is repeated with the lease that completed the task: succeed, write nothing. */
  readonly alreadyCompleted: boolean;
}

const LEASE_EXPIRED_ERROR: Json = DEFAULTS.leaseExpiredError;

export class TaskTransitions {
  readonly #connection: SqliteConnection;
  readonly #statements: StatementCache;

  constructor(connection: SqliteConnection) {
    this.#connection = connection;
    this.#statements = connection.statements;
  }

  find(tenant: string, taskId: string): TaskRow | undefined {
    return this.#statements.one<TaskRow>(SELECT_TASK, tenant, taskId);
  }

  /**
   * The task, about to be changed at `now`: a suspension whose timeout has come is first made
   * ready as it already reads (ready since its timeoutAt), so that the change starts from the
   * state the caller observes.
   */
  findForWrite(tenant: string, taskId: string, now: number): TaskRow | undefined {
    const row = this.find(tenant, taskId);
    if (row?.state !== "suspended" || row.wait_timeout_at === null || row.wait_timeout_at > now) return row;
    const resumed = this.#statements.one<TaskRow>(RESUME_TIMED_OUT_TASK, row.seq, now) ?? row;
    this.#statements.run(DELETE_WAITS, row.seq);
    this.#connection.notify(row.tenant, "ready", row.id, row.queue, now);
    return resumed;
  }

  /**
   * The fence check of a holder call (SPEC E5, in the order of docs/decisions.md), before any
   * write: NOT_FOUND; an older epoch → STALE_LEASE; an epoch never granted → INVALID_STATE;
   * the latest epoch with another lease's leaseId → STALE_LEASE (SPEC T4);
   * cancelled or revoked → LEASE_REVOKED; expired (still leased past expiry, or reclaimed) →
   * LEASE_EXPIRED; not leased under this epoch → INVALID_STATE, except a repeated `complete`.
   */
  fence(tenant: string, lease: Lease, now: number, call: HolderCall): FenceResult {
    const row = this.findForWrite(tenant, lease.taskId, now);
    const verdict = judgeFence(row && fencedView(row), lease, now, call);
    return { row: row as TaskRow, alreadyCompleted: enforceFence(verdict, BACKEND_NAME) === "repeat" };
  }

  /** Settles a leased task as completed and releases the tasks that waited only for it (E7, E16). */
  complete(row: TaskRow, result: Value | undefined, now: number): void {
    this.#statements.run(COMPLETE_TASK, ...storedValueColumns(result), now, row.seq);
    this.#connection.notify(row.tenant, "completed", row.id, row.queue, now);
    this.leaseEnded(row, now);
    this.#releaseDependents(row, now);
  }

  /**
   * `complete` of a lease that is held, in one UPDATE … RETURNING that fences and settles at once:
   * true when it completed the task. False when the fence did not pass, having written nothing;
   * the caller then runs `fence` for the precise error (or the idempotent repeat of E7). A lease
   * without a concurrency key takes the statement without the key bookkeeping trigger, which
   * matches only keyless tasks (migration 0008).
   */
  completeHeld(tenant: string, lease: Lease, result: Value | undefined, now: number): boolean {
    const statement = lease.concurrencyKey === undefined ? COMPLETE_HELD_KEYLESS : COMPLETE_HELD;
    const row = this.#statements.one<CompletedRow>(statement, ...storedValueColumns(result), now, tenant, lease.taskId, lease.epoch, lease.leaseId, now);
    if (!row) return false;
    this.#connection.notify(row.tenant, "completed", row.id, row.queue, now);
    this.#wakeWhenLimited(row, row.queue_concurrency, now);
    if (row.has_dependents === 1) this.#releaseDependents(row, now);
    return true;
  }

  /**
   * Consumes the lease's attempt: a retry at now + backoff when retryable and attempts remain,
   * else a dead letter (E8).
   */
  fail(row: TaskRow, error: Json, retryable: boolean, now: number): FailResult {
    if (retryable && row.attempt < row.max_attempts) {
      const runAt = now + backoffDelay(backoffOf(row), row.attempt);
      this.#requeue(row, runAt, row.attempt, error, "failed", now);
      this.#connection.notify(row.tenant, "failed", row.id, row.queue, now);
      return { outcome: "retry", runAt };
    }
    this.deadLetter(row, error, "failed", now);
    return { outcome: "dead" };
  }

  /** Dead-letters the task now, consuming the current attempt, and cancels its dependents (E12, E16). */
  deadLetter(row: TaskRow, error: Json, leaseEnd: string, now: number): void {
    this.#statements.run(DEAD_LETTER_TASK, row.attempt, jsonText(error), leaseEnd, row.tenant, now, row.seq);
    this.#connection.notify(row.tenant, "dead", row.id, row.queue, now);
    this.leaseEnded(row, now);
    this.#cancelDependents(row, now);
  }

  /**
   * Reclaims one expired lease: the attempt is consumed, then a retry with backoff (lastError
   * "lease expired") or a dead letter (E10). The old holder's calls then fail LEASE_EXPIRED.
   */
  reclaim(row: TaskRow, now: number): "retried" | "dead" {
    this.#connection.notify(row.tenant, "lease_expired", row.id, row.queue, now);
    if (row.attempt < row.max_attempts) {
      const runAt = now + backoffDelay(backoffOf(row), row.attempt);
      this.#requeue(row, runAt, row.attempt, LEASE_EXPIRED_ERROR, "expired", now);
      return "retried";
    }
    this.deadLetter(row, LEASE_EXPIRED_ERROR, "expired", now);
    return "dead";
  }

  /** Gives a leased task back at `runAt` without consuming an attempt (release, revoke). */
  putBack(row: TaskRow, runAt: number, leaseEnd: "released" | "revoked", now: number): void {
    this.#requeue(row, runAt, row.consumed, parseJson(row.last_error), leaseEnd, now);
    this.#connection.notify(row.tenant, "ready", row.id, row.queue, now);
  }

  /** Cancels a non-terminal task (revoking any lease) and, transitively, its dependents (E13, E16). */
  cancel(row: TaskRow, reason: string | null, now: number): void {
    this.#statements.run(CANCEL_TASK, reason, now, row.seq);
    this.#statements.run(DELETE_WAITS, row.seq);
    this.#connection.notify(row.tenant, "cancelled", row.id, row.queue, now);
    this.leaseEnded(row, now);
    this.#cancelDependents(row, now);
  }

  /**
   * Makes a terminal task run again, ready or scheduled at `runAt`: `retryDeadLetter` (E12) or
   * `replay` (E26, which also clears what the last run left and counts the replay). Attempts go on
   * from the latest lease's, so one more is granted, unless `resetAttempts` starts them from 1
   * again; the epoch is kept, so the next lease's is above every earlier one (E5). The queue's
   * waiters are woken as for any task that becomes ready. A replayed task that was completed is
   * not any more: each dependent still blocked counts it pending again, so the next completion
   * releases it once (E26, E16); the dependents it already released are left as they are.
   */
  revive(row: TaskRow, how: "retry" | "replay", runAt: number, resetAttempts: boolean, now: number): void {
    const consumed = resetAttempts ? 0 : Math.max(row.consumed, row.attempt);
    this.#statements.run(how === "retry" ? REVIVE_DEAD : REPLAY_TASK, runAt > now ? "scheduled" : "ready", runAt, consumed, now, row.seq);
    // A replayed completed task is not completed any more: its still-blocked dependents wait for it again.
    if (row.state === "completed") this.#statements.run(REWAIT_DEPENDENTS, row.seq);
    this.#connection.notify(row.tenant, "ready", row.id, row.queue, now);
  }

  /**
   * A lease of `row` (read before the change) ended: in a queue with a concurrency limit the freed
   * slot may let a waiting worker claim, so its waiters are woken.
   */
  leaseEnded(row: TaskRow, now: number): void {
    if (row.state !== "leased") return;
    this.#wakeWhenLimited(row, row.queue_concurrency, now);
  }

  /** Wakes the queue's waiters when it has a concurrency or key limit (`undefined`: not known yet, look it up). */
  #wakeWhenLimited(row: { tenant: string; id: string; queue: string }, known: number | null | undefined, now: number): void {
    const settings = known !== undefined ? undefined : this.#statements.one<{ concurrency: number | null; key_concurrency: number | null }>(QUEUE_SETTINGS, row.tenant, row.queue);
    const concurrency = known !== undefined ? known : (settings?.concurrency ?? settings?.key_concurrency);
    if (concurrency != null) this.#connection.notify(row.tenant, "ready", row.id, row.queue, now);
  }

  /**
   * Makes the suspended tasks whose timeout has come ready (of one queue, or of the tenant when
   * `queue` is null), as they already read; their next lease carries `timedOut` (E14).
   */
  resumeTimedOut(tenant: string, queue: string | null, now: number): void {
    type Resumed = { seq: number; id: string; queue: string };
    const resumed =
      queue === null
        ? this.#statements.all<Resumed>(RESUME_TIMED_OUT_IN_TENANT, tenant, now)
        : this.#statements.all<Resumed>(RESUME_TIMED_OUT_IN_QUEUE, tenant, queue, now);
    for (const task of resumed) {
      this.#statements.run(DELETE_WAITS, task.seq);
      this.#connection.notify(tenant, "ready", task.id, task.queue, now);
    }
  }

  /** The signals attached to a task, in delivery order. */
  signalsOf(taskSeq: number): Signal[] {
    return this.#statements.all<SignalRow>(TASK_SIGNALS, taskSeq).map(toSignal);
  }

  /** The task as `getTask` reports it at `now` (effective state, docs/decisions.md). */
  toRecord(row: TaskRow, now: number): TaskRecord {
    const leased = row.state === "leased";
    const timedOut = row.state === "suspended" && row.wait_timeout_at !== null && row.wait_timeout_at <= now;
    return {
      id: row.id,
      queue: row.queue,
      state: effectiveState(row, now),
      payload: valueOfColumns(row.payload, row.payload_kind, row.payload_bytes),
      attempt: row.attempt,
      maxAttempts: row.max_attempts,
      epoch: row.epoch,
      priority: row.priority,
      runAt: timedOut ? (row.wait_timeout_at ?? row.run_at) : row.run_at,
      leaseExpiresAt: leased ? row.lease_expires_at : null,
      workerId: leased ? row.worker_id : null,
      lastError: parseJson(row.last_error),
      result: valueOfColumns(row.result, row.result_kind, row.result_bytes),
      progress: row.progress === null ? null : (JSON.parse(row.progress) as Progress),
      pendingDependencies: this.#statements.all<{ id: string }>(PENDING_DEPENDENCIES, row.seq).map((dep) => dep.id),
      cancelReason: row.cancel_reason,
      runId: row.run_id,
      idempotencyKey: row.idempotency_key,
      ...(row.concurrency_key === null ? {} : { concurrencyKey: row.concurrency_key }),
      ...(row.replays > 0 ? { replays: row.replays } : {}),
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  #requeue(row: TaskRow, runAt: number, consumed: number, lastError: Json, leaseEnd: string, now: number): void {
    const state = runAt > now ? "scheduled" : "ready";
    this.#statements.run(REQUEUE_TASK, state, runAt, consumed, jsonText(lastError), leaseEnd, now, row.seq);
  }

  /** Counts the completion against each blocked dependent; those with none left become ready. */
  #releaseDependents(row: { seq: number }, now: number): void {
    for (const dependent of this.#statements.all<TaskRow>(BLOCKED_DEPENDENTS, row.seq)) {
      const remaining = this.#statements.one<{ pending_deps: number }>(DECREMENT_PENDING, dependent.seq);
      if (remaining && remaining.pending_deps <= 0) {
        const runAt = Math.max(dependent.run_at, now);
        this.#statements.run(UNBLOCK_TASK, runAt > now ? "scheduled" : "ready", runAt, now, dependent.seq);
        this.#connection.notify(dependent.tenant, "ready", dependent.id, dependent.queue, now);
      }
    }
  }

  /** Cancels every blocked dependent with reason dependency_failed, transitively (E16). */
  #cancelDependents(row: TaskRow, now: number): void {
    const pending: TaskRow[] = [row];
    for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
      for (const dependent of this.#statements.all<TaskRow>(BLOCKED_DEPENDENTS, next.seq)) {
        this.#statements.run(CANCEL_TASK, DEFAULTS.dependencyFailedReason, now, dependent.seq);
        this.#connection.notify(dependent.tenant, "cancelled", dependent.id, dependent.queue, now);
        pending.push(dependent);
      }
    }
  }
}

/** The state a task reads as at `now`. */
export function effectiveState(row: TaskRow, now: number): TaskState {
  if (row.state === "scheduled" && row.run_at <= now) return "ready";
  if (row.state === "suspended" && row.wait_timeout_at !== null && row.wait_timeout_at <= now) return "ready";
  return row.state as TaskState;
}

export function backoffOf(row: TaskRow): Backoff {
  return { baseMs: row.backoff_base_ms, factor: row.backoff_factor, maxMs: row.backoff_max_ms };
}

export function toSignal(row: SignalRow): Signal {
  return { signalId: row.signal_id, key: row.key, payload: parseJson(row.payload), createdAt: row.created_at };
}

/** A task id that is not in the tenant: NOT_FOUND. */
export function requireTask(row: TaskRow | undefined, taskId: string): TaskRow {
  if (!row) throw notFound("task", taskId);
  return row;
}

/** What the fence (core's judgeFence) reads of a task row: `lease_end` says how the current epoch's lease ended. */
function fencedView(row: TaskRow): FencedTask {
  return {
    state: row.state,
    epoch: row.epoch,
    leaseId: row.lease_id,
    leaseEnd: row.lease_end,
    leaseExpiresAt: row.lease_expires_at,
    completedEpoch: row.lease_end === "completed" ? row.epoch : null,
  };
}
