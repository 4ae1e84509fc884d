/**
 * Statements of the EngineBackend (SPEC section 5). Each is prepared once per connection; the
 * header lists its positional parameters and what it returns. `seq` is a task's internal key and
 * its enqueue order; the stored states are described in migrations/0001_initial.sql.
 */
import { loadSql } from "../statements.js";
import { type SqlText, joinSql, sql, wrapSql } from "./text.js";

/** Every column of a task (`SELECT *`). */
export interface TaskRow {
  readonly seq: number;
  readonly tenant: string;
  readonly id: string;
  readonly queue: string;
  readonly state: string;
  readonly payload: string;
  /** The payload's kind marker and bytes (SPEC W13, migration 0006). */
  readonly payload_kind: string | null;
  readonly payload_bytes: Uint8Array | null;
  readonly priority: number;
  readonly run_at: number;
  readonly max_attempts: number;
  readonly backoff_base_ms: number;
  readonly backoff_factor: number;
  readonly backoff_max_ms: number;
  readonly consumed: number;
  readonly attempt: number;
  readonly epoch: number;
  /** The latest lease's leaseId (SPEC T4); null before the first lease (migration 0003). */
  readonly lease_id: string | null;
  readonly lease_ms: number | null;
  readonly lease_expires_at: number | null;
  readonly worker_id: string | null;
  readonly lease_end: string | null;
  readonly last_error: string;
  readonly result: string;
  /** The result's kind marker and bytes (SPEC W13, migration 0006). */
  readonly result_kind: string | null;
  readonly result_bytes: Uint8Array | null;
  readonly progress: string | null;
  readonly pending_deps: number;
  readonly cancel_reason: string | null;
  readonly run_id: string | null;
  readonly idempotency_key: string | null;
  readonly wait_keys: string | null;
  readonly wait_mode: string | null;
  readonly wait_timeout_at: number | null;
  readonly resume: string | null;
  readonly dead_seq: number | null;
  /** The task's concurrency key (SPEC E20; migration 0005), null without one. */
  readonly concurrency_key: string | null;
  /** How many times `replay` made the task run again (SPEC E26; migration 0011). */
  readonly replays: number;
  readonly created_at: number;
  readonly updated_at: number;
  /** Only on rows read by SELECT_TASK: the queue's concurrency limit, else its key limit (null when neither). */
  readonly queue_concurrency?: number | null;
}

/** What a granted lease returns. */
export interface GrantedRow {
  readonly seq: number;
  readonly id: string;
  readonly queue: string;
  readonly payload: string;
  /** The payload's kind marker and bytes (SPEC W13, migration 0006). */
  readonly payload_kind: string | null;
  readonly payload_bytes: Uint8Array | null;
  readonly priority: number;
  readonly run_at: number;
  readonly attempt: number;
  readonly epoch: number;
  readonly lease_id: string;
  readonly lease_expires_at: number;
  readonly resume: string | null;
  readonly concurrency_key: string | null;
}

export interface SignalRow {
  readonly signal_id: string;
  readonly key: string;
  readonly payload: string;
  readonly created_at: number;
}

export interface BufferedSignalRow {
  readonly seq: number;
  readonly id: string;
  readonly key: string;
  readonly payload: string;
  readonly created_at: number;
}

export interface WaitingTaskRow {
  readonly seq: number;
  readonly id: string;
  readonly queue: string;
  readonly wait_keys: string;
  readonly wait_mode: string;
}

export interface FrameRow {
  readonly attempt: number;
  readonly sequence: number;
  readonly data: string;
  /** The data's kind marker and bytes (SPEC W13, migration 0006). */
  readonly data_kind: string | null;
  readonly data_bytes: Uint8Array | null;
  readonly created_at: number;
}

/** A summary of one attempt (migration 0009, SPEC E28). */
export interface SummaryRow {
  readonly attempt: number;
  readonly summary: string;
  readonly updated_at: number;
}

// ---------------------------------------------------------------------------------------------
// Lookups

export const TENANT_STATUS = loadSql("tenant-status");
export const SELECT_TASK = loadSql("select-task");
export const SELECT_TASK_KEY = loadSql("select-task-key");
export const UPSERT_TASK_KEY = loadSql("upsert-task-key");
export const INSERT_TASK = loadSql("insert-task");
export const INSERT_TASK_DEP = loadSql("insert-task-dep");
export const PENDING_DEPENDENCIES = loadSql("pending-dependencies");
export const BLOCKED_DEPENDENTS = loadSql("blocked-dependents");

// ---------------------------------------------------------------------------------------------
// Claim

/** What a claim needs to know about one queue before granting (CLAIM_PROBE). */
export interface ClaimProbeRow {
  readonly tenant_status: string | null;
  readonly concurrency: number | null;
  readonly paused: number;
  readonly key_concurrency: number | null;
  readonly rate_max: number | null;
  readonly rate_per_ms: number | null;
  /** 1 when the queue has a task with a concurrency key: claim then grants in fair order (E20). */
  readonly has_keys: number;
  /** 1 when a lease of the queue has expired (claim-side reclaim has work). */
  readonly expired: number;
  /** 1 when a scheduled task of the queue is due. */
  readonly due: number;
  /** 1 when a suspension of the queue has timed out. */
  readonly timed_out: number;
}

export const CLAIM_PROBE = loadSql("claim-probe");
export const EXPIRED_IN_QUEUE = loadSql("expired-in-queue");
export const EXPIRED_IN_TENANT = loadSql("expired-in-tenant");
export const PROMOTE_SCHEDULED = loadSql("promote-scheduled");
export const RESUME_TIMED_OUT_IN_QUEUE = loadSql("resume-timed-out-in-queue");
export const RESUME_TIMED_OUT_IN_TENANT = loadSql("resume-timed-out-in-tenant");
export const RESUME_TIMED_OUT_TASK = loadSql("resume-timed-out-task");
export const QUEUE_SETTINGS = loadSql("queue-settings");
export const COUNT_ACTIVE_LEASES = loadSql("count-active-leases");
export const KEYLESS_HEAD = loadSql("keyless-head");
export const HAS_CLAIMABLE_KEYED = loadSql("has-claimable-keyed");
export const FAIR_KEY = loadSql("fair-key");
export const KEY_HEAD = loadSql("key-head");
export const SET_KEY_HEAD = loadSql("set-key-head");
export const KEY_LEASES = loadSql("key-leases");
export const BLOCK_KEY = loadSql("block-key");
export const UNBLOCK_EXPIRED_KEYS = loadSql("unblock-expired-keys");
export const UNBLOCK_QUEUE_KEYS = loadSql("unblock-queue-keys");
export const GRANT_KEY = loadSql("grant-key");
export const GRANT_TASK = loadSql("grant-task");
export const FORGET_RATE_GRANTS = loadSql("forget-rate-grants");
export const RATE_GRANTS = loadSql("rate-grants");
export const INSERT_RATE_GRANT = loadSql("insert-rate-grant");

/** A key at the front of its queue's fair order (FAIR_KEY). */
export interface FairKeyRow {
  readonly key: string;
  readonly last_grant: number;
  readonly head_priority: number;
  readonly head_run_at: number;
  readonly head_seq: number;
}

/** A ready task as claim compares it (KEYLESS_HEAD, KEY_HEAD). */
export interface HeadRow {
  readonly seq: number;
  readonly priority: number;
  readonly run_at: number;
}

const CLAIM_HEAD = loadSql("claim-head");
const CLAIM_BRANCH = loadSql("claim-branch");

const UNION_ALL = sql`UNION ALL`;

const CLAIM_TAIL = loadSql("claim-tail");

/**
 * Claim, for `queueCount` queues, in one statement: `UPDATE … WHERE seq IN (SELECT … ORDER BY
 * priority DESC, run_at, seq LIMIT n) RETURNING …`, the inner SELECT being a UNION ALL of each
 * queue's first candidates.
 * Parameters: lease_ms, lease_expires_at, worker_id, updated_at; then per queue: tenant, queue,
 * now, that queue's limit; then the total limit. Returns: GrantedRow[] in no particular order.
 */
export function claimStatement(queueCount: number): SqlText {
  const branches = Array.from({ length: queueCount }, () => CLAIM_BRANCH);
  return wrapSql(CLAIM_HEAD, joinSql(branches, UNION_ALL), CLAIM_TAIL);
}

// ---------------------------------------------------------------------------------------------
// Transitions of one task (by seq)

export const RENEW_LEASE = loadSql("renew-lease");
export const COMPLETE_TASK = loadSql("complete-task");

/** What COMPLETE_HELD returns about the task it settled. */
export interface CompletedRow {
  readonly seq: number;
  readonly tenant: string;
  readonly id: string;
  readonly queue: string;
  /** The queue's concurrency limit, else its key limit (null: neither), to decide whether the freed slot wakes waiters. */
  readonly queue_concurrency: number | null;
  /** 1 when some task depends on this one (only then are dependents looked up). */
  readonly has_dependents: number;
}

export const COMPLETE_HELD = loadSql("complete-held");
export const COMPLETE_HELD_KEYLESS = loadSql("complete-held-keyless");
export const REQUEUE_TASK = loadSql("requeue-task");
export const DEAD_LETTER_TASK = loadSql("dead-letter-task");
export const CANCEL_TASK = loadSql("cancel-task");
export const SUSPEND_TASK = loadSql("suspend-task");
export const CLEAR_RESUME = loadSql("clear-resume");
export const RESUME_ON_SIGNALS = loadSql("resume-on-signals");
export const SIGNAL_COLLECTED = loadSql("signal-collected");
export const DECREMENT_PENDING = loadSql("decrement-pending");
export const UNBLOCK_TASK = loadSql("unblock-task");
export const SET_PROGRESS = loadSql("set-progress");
export const REVIVE_DEAD = loadSql("revive-dead");
export const LIST_DEAD = loadSql("list-dead");
export const LIST_DEAD_IN_QUEUE = loadSql("list-dead-in-queue");

// ---------------------------------------------------------------------------------------------
// Operator calls (SPEC E26)

export const CHANGE_PRIORITY = loadSql("change-priority");
export const REPLAY_TASK = loadSql("replay-task");
export const REWAIT_DEPENDENTS = loadSql("rewait-dependents");
const TASKS_MATCHING = loadSql("list-tasks");

/**
 * A page of the tasks matching a filter in enqueue order (C5: the cursor is the last seq read).
 * Parameters: those of list-tasks.sql, after (seq; 0 for the first page), limit.
 * Returns: TaskRow[].
 */
export const LIST_TASKS = wrapSql(TASKS_MATCHING, sql`AND seq > @after`, sql`ORDER BY seq LIMIT @limit + 0`);

/**
 * The same, newest first.
 * Parameters: those of list-tasks.sql, before (seq; Number.MAX_SAFE_INTEGER for the first page), limit.
 * Returns: TaskRow[].
 */
export const LIST_TASKS_DESC = wrapSql(TASKS_MATCHING, sql`AND seq < @before`, sql`ORDER BY seq DESC LIMIT @limit + 0`);
export const LIST_QUEUES = loadSql("list-queues");

// ---------------------------------------------------------------------------------------------
// Signals

export const TASK_SIGNALS = loadSql("task-signals");
export const ATTACH_SIGNAL = loadSql("attach-signal");
export const DETACH_SIGNALS = loadSql("detach-signals");
export const INSERT_WAIT = loadSql("insert-wait");
export const DELETE_WAITS = loadSql("delete-waits");
export const WAITING_TASKS = loadSql("waiting-tasks");
export const WAITING_TASK = loadSql("waiting-task");
export const BUFFERED_SIGNALS = loadSql("buffered-signals");
export const CLEAR_BUFFERED_SIGNALS = loadSql("clear-buffered-signals");
export const INSERT_SIGNAL = loadSql("insert-signal");
export const SELECT_SIGNAL_KEY = loadSql("select-signal-key");
export const UPSERT_SIGNAL_KEY = loadSql("upsert-signal-key");

// ---------------------------------------------------------------------------------------------
// Queues, frames, wake-ups

export const UPSERT_QUEUE = loadSql("upsert-queue");
export const COUNT_SETTLED = loadSql("count-settled");
export const READY_STATS = loadSql("ready-stats");
export const SCHEDULED_STATS = loadSql("scheduled-stats");
export const SUSPENDED_STATS = loadSql("suspended-stats");
export const LEASED_COUNT = loadSql("leased-count");
export const HAS_CLAIMABLE = loadSql("has-claimable");
export const NEXT_FRAME_SEQUENCE = loadSql("next-frame-sequence");
export const INSERT_FRAME = loadSql("insert-frame");
export const READ_FRAMES = loadSql("read-frames");
export const UPSERT_SUMMARY = loadSql("upsert-summary");
export const READ_SUMMARY = loadSql("read-summary");
export const PRUNE_EXPIRED_SIGNALS = loadSql("prune-expired-signals");

// ---------------------------------------------------------------------------------------------
// Sweeping expired rows (reads ignore them already; this bounds the file's growth)

export const SWEEP_TASK_KEYS = loadSql("sweep-task-keys");
export const SWEEP_SIGNAL_KEYS = loadSql("sweep-signal-keys");
export const SWEEP_SIGNALS = loadSql("sweep-signals");
export const SWEEP_VALUES = loadSql("sweep-values");
export const SWEEP_CACHE_SNAPSHOTS = loadSql("sweep-cache-snapshots");
