/**
 * Rows as statements return them, and the records the contracts promise. Bigint columns arrive as
 * numbers (see database.ts), json columns as parsed values.
 */
import {
  decodeStoredValue,
  type EventRecord,
  type Json,
  type Lease,
  type Progress,
  type RunRecord,
  type RunStatus,
  type Signal,
  type SnapshotRecord,
  type StepRecord,
  type StepStatus,
  type TaskRecord,
  type TaskState,
  type ValueObject,
} from "@mooring/core";

export interface RunRow {
  id: string;
  workflow_id: string;
  version: string;
  status: RunStatus;
  input: Json;
  context: Json;
  /** The context's kind marker (SPEC W13, migration 0006): null for plain json. */
  context_kind: string | null;
  created_at: number;
  updated_at: number;
  completed_at: number | null;
  latest_sequence: number;
}

export function runRecord(row: RunRow): RunRecord {
  return {
    id: row.id,
    workflowId: row.workflow_id,
    version: row.version,
    status: row.status,
    input: row.input,
    context: decodeStoredValue(row.context_kind, row.context, null) as ValueObject,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    completedAt: row.completed_at,
  };
}

export interface StepRow {
  run_id: string;
  id: string;
  status: StepStatus;
  name: string | null;
  input: Json;
  output: Json;
  error: Json;
  position: number;
  created_at: number;
  updated_at: number;
}

export function stepRecord(row: StepRow): StepRecord {
  return {
    runId: row.run_id,
    id: row.id,
    status: row.status,
    name: row.name,
    input: row.input,
    output: row.output,
    error: row.error,
    position: row.position,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface EventRow {
  run_id: string;
  sequence: number;
  type: string;
  payload: Json;
  /** The payload's kind marker and bytes (SPEC W13, migration 0006). */
  payload_kind: string | null;
  payload_bytes: Buffer | null;
  /** The caller's id (SPEC W15); null when none. */
  event_id: string | null;
  created_at: number;
}

export function eventRecord(row: EventRow): EventRecord {
  const event: EventRecord = { runId: row.run_id, sequence: row.sequence, type: row.type, payload: decodeStoredValue(row.payload_kind, row.payload, row.payload_bytes), createdAt: row.created_at };
  return row.event_id === null ? event : { ...event, id: row.event_id };
}

export interface SnapshotRow {
  run_id: string;
  at_sequence: number;
  state: Json;
  created_at: number;
}

export function snapshotRecord(row: SnapshotRow): SnapshotRecord {
  return { runId: row.run_id, atSequence: row.at_sequence, state: row.state, createdAt: row.created_at };
}

/**
 * A signal as tasks store it (jsonb): the payload is kept as JSON text inside, so that the
 * caller's member order survives jsonb's normalization.
 */
export interface StoredSignal {
  signalId: string;
  key: string;
  payload: string;
  createdAt: number;
}

export function storeSignal(signal: Signal): StoredSignal {
  return { signalId: signal.signalId, key: signal.key, payload: JSON.stringify(signal.payload), createdAt: signal.createdAt };
}

export function signalOf(stored: StoredSignal): Signal {
  return { signalId: stored.signalId, key: stored.key, payload: JSON.parse(stored.payload) as Json, createdAt: stored.createdAt };
}

export interface LeaseRow {
  id: string;
  queue: string;
  payload: Json;
  payload_kind: string | null;
  payload_bytes: Buffer | null;
  attempt: number;
  epoch: number;
  lease_id: string;
  worker_id: string;
  lease_expires_at: number;
  resume_signals: StoredSignal[] | null;
  resume_timed_out: boolean;
  /** Absent where a statement does not read it (renew: the model's renewed lease carries none). */
  concurrency_key?: string | null;
}

/**
 * A granted lease; `signals` and `timedOut` only when the task resumed a suspension (SPEC E14),
 * `concurrencyKey` only when the task has one (E20).
 */
export function leaseOf(row: LeaseRow): Lease {
  const lease: Lease = {
    taskId: row.id,
    queue: row.queue,
    payload: decodeStoredValue(row.payload_kind, row.payload, row.payload_bytes),
    attempt: row.attempt,
    epoch: row.epoch,
    leaseId: row.lease_id,
    workerId: row.worker_id,
    expiresAt: row.lease_expires_at,
    ...(row.concurrency_key == null ? {} : { concurrencyKey: row.concurrency_key }),
  };
  if (row.resume_signals === null) return lease;
  return { ...lease, signals: row.resume_signals.map(signalOf), ...(row.resume_timed_out ? { timedOut: true } : {}) };
}

export interface TaskRow {
  id: string;
  queue: string;
  state: "queued" | Exclude<TaskState, "ready" | "scheduled">;
  payload: Json;
  payload_kind: string | null;
  payload_bytes: Buffer | null;
  attempt: number;
  max_attempts: number;
  epoch: number;
  priority: number;
  run_at: number;
  lease_expires_at: number | null;
  worker_id: string | null;
  last_error: Json;
  result: Json;
  result_kind: string | null;
  result_bytes: Buffer | null;
  progress: Progress | null;
  cancel_reason: string | null;
  run_id: string | null;
  idempotency_key: string | null;
  created_at: number;
  updated_at: number;
  suspend_timeout_at: number | null;
  pending_dependencies: string[];
  concurrency_key: string | null;
  /** How many times `replay` made the task run again (SPEC E26, migration 0011). */
  replays: number;
  now: number;
}

/** A stored state as reads show it at `now` (docs/decisions.md): a queued task is ready once `runAt` has come, else scheduled. */
export function shownState(state: TaskRow["state"], runAt: number, now: number): TaskState;
export function shownState(state: string, runAt: number | null, now: number): string;
export function shownState(state: string, runAt: number | null, now: number): string {
  if (state !== "queued") return state;
  return (runAt ?? 0) <= now ? "ready" : "scheduled";
}

/**
 * The task as `getTask` reports it at `row.now` (docs/decisions.md, effective state): a queued task
 * reads as ready once its runAt has come, else scheduled; a suspension whose timeout has come reads
 * as ready, with that timeout as its runAt.
 */
export function taskRecord(row: TaskRow): TaskRecord {
  const timedOut = row.state === "suspended" && row.suspend_timeout_at !== null && row.suspend_timeout_at <= row.now;
  const state: TaskState = timedOut ? "ready" : shownState(row.state, row.run_at, row.now);
  return {
    id: row.id,
    queue: row.queue,
    state,
    payload: decodeStoredValue(row.payload_kind, row.payload, row.payload_bytes),
    attempt: row.attempt,
    maxAttempts: row.max_attempts,
    epoch: row.epoch,
    priority: row.priority,
    runAt: timedOut && row.suspend_timeout_at !== null ? row.suspend_timeout_at : row.run_at,
    leaseExpiresAt: row.lease_expires_at,
    workerId: row.worker_id,
    lastError: row.last_error ?? null,
    result: decodeStoredValue(row.result_kind, row.result ?? null, row.result_bytes),
    progress: row.progress ?? null,
    pendingDependencies: row.pending_dependencies,
    cancelReason: row.cancel_reason,
    runId: row.run_id,
    idempotencyKey: row.idempotency_key,
    ...(row.concurrency_key === null ? {} : { concurrencyKey: row.concurrency_key }),
    ...(row.replays > 0 ? { replays: row.replays } : {}),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** `value` as the text of a json parameter; null stays SQL NULL only where the caller says so. */
export function jsonText(value: Json | undefined): string {
  return JSON.stringify(value ?? null);
}
