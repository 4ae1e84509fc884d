/**
 * Statements of the EngineBackend (SPEC section 5). Each is prepared once per connection; the
 * header lists its positional parameters and what it returns. `seq` is a task's internal key and
 * its enqueue order; the stored states are described in migrations/0001_initial.sql.
 */
import { type SqlText, joinSql, sql, wrapSql } from "./text.js";

/** Every column of a task (`SELECT *`). */
export interface TaskRow {
  readonly seq: number;
  readonly tenant: string;
  readonly id: string;
  readonly queue: string;
  readonly state: string;
  readonly payload: string;
  readonly priority: number;
  readonly run_at: number;
  readonly max_attempts: number;
  readonly backoff_base_ms: number;
  readonly backoff_factor: number;
  readonly backoff_max_ms: number;
  readonly consumed: number;
  readonly attempt: number;
  readonly epoch: number;
  readonly lease_ms: number | null;
  readonly lease_expires_at: number | null;
  readonly worker_id: string | null;
  readonly lease_end: string | null;
  readonly last_error: string;
  readonly result: string;
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
  readonly created_at: number;
  readonly updated_at: number;
  /** Only on rows read by SELECT_TASK: the queue's concurrency limit (null when unlimited). */
  readonly queue_concurrency?: number | null;
}

/** What a granted lease returns. */
export interface GrantedRow {
  readonly seq: number;
  readonly id: string;
  readonly queue: string;
  readonly payload: string;
  readonly priority: number;
  readonly run_at: number;
  readonly attempt: number;
  readonly epoch: number;
  readonly lease_expires_at: number;
  readonly resume: string | null;
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
  readonly created_at: number;
}

// ---------------------------------------------------------------------------------------------
// Lookups

/**
 * A tenant's status (a tenant without a record is active).
 * Parameters: tenant id. Returns: { status } or none.
 */
export const TENANT_STATUS = sql`
  SELECT status FROM {{tenants}} WHERE id = ?`;

/**
 * One task by id, with its queue's concurrency limit (null: none), which a holder call that ends
 * the lease needs to decide whether to wake the queue's waiters.
 * Parameters: tenant, id. Returns: TaskRow with queue_concurrency, or none.
 */
export const SELECT_TASK = sql`
  SELECT t.*, (SELECT q.concurrency FROM {{queues}} AS q WHERE q.tenant = t.tenant AND q.queue = t.queue) AS queue_concurrency
  FROM {{tasks}} AS t WHERE t.tenant = ? AND t.id = ?`;

/**
 * The live task id an idempotency key names.
 * Parameters: tenant, queue, key, now. Returns: { task_id } or none.
 */
export const SELECT_TASK_KEY = sql`
  SELECT task_id FROM {{task_keys}} WHERE tenant = ? AND queue = ? AND key = ? AND expires_at > ?`;

/**
 * Record (or renew an expired) idempotency key.
 * Parameters: tenant, queue, key, task id, expires_at. Returns: nothing.
 */
export const UPSERT_TASK_KEY = sql`
  INSERT INTO {{task_keys}} (tenant, queue, key, task_id, expires_at) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (tenant, queue, key) DO UPDATE SET task_id = excluded.task_id, expires_at = excluded.expires_at`;

/**
 * Insert a task.
 * Parameters: tenant, id, queue, state, payload (JSON), priority, run_at, max_attempts,
 * backoff_base_ms, backoff_factor, backoff_max_ms, pending_deps, cancel_reason, run_id,
 * idempotency_key, created_at, updated_at. Returns: { seq }.
 */
export const INSERT_TASK = sql`
  INSERT INTO {{tasks}} (tenant, id, queue, state, payload, priority, run_at, max_attempts, backoff_base_ms,
    backoff_factor, backoff_max_ms, pending_deps, cancel_reason, run_id, idempotency_key, created_at, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  RETURNING seq`;

/**
 * Record that a task depends on another.
 * Parameters: task seq, dependency seq, position in dependsOn. Returns: nothing.
 */
export const INSERT_TASK_DEP = sql`
  INSERT OR IGNORE INTO {{task_deps}} (task_seq, dep_seq, position) VALUES (?, ?, ?)`;

/**
 * A task's dependencies that have not completed, in dependsOn order.
 * Parameters: task seq. Returns: { id }[].
 */
export const PENDING_DEPENDENCIES = sql`
  SELECT d.id FROM {{task_deps}} AS x JOIN {{tasks}} AS d ON d.seq = x.dep_seq
  WHERE x.task_seq = ? AND d.state <> 'completed' ORDER BY x.position`;

/**
 * The blocked tasks waiting for a dependency, in enqueue order.
 * Parameters: dependency seq. Returns: TaskRow[].
 */
export const BLOCKED_DEPENDENTS = sql`
  SELECT t.* FROM {{task_deps}} AS x JOIN {{tasks}} AS t ON t.seq = x.task_seq
  WHERE x.dep_seq = ? AND t.state = 'blocked' ORDER BY t.seq`;

// ---------------------------------------------------------------------------------------------
// Claim

/** What a claim needs to know about one queue before granting (CLAIM_PROBE). */
export interface ClaimProbeRow {
  readonly tenant_status: string | null;
  readonly concurrency: number | null;
  readonly paused: number;
  /** 1 when a lease of the queue has expired (claim-side reclaim has work). */
  readonly expired: number;
  /** 1 when a scheduled task of the queue is due. */
  readonly due: number;
  /** 1 when a suspension of the queue has timed out. */
  readonly timed_out: number;
}

/**
 * Everything claim reads about one queue before it writes, in one statement of index probes: the
 * tenant's status, the queue's settings, and whether any expired lease, due scheduled task or
 * timed-out suspension needs handling first (so the statements that handle them run only then).
 * Parameters: { tenant, queue, now }. Returns: ClaimProbeRow.
 */
export const CLAIM_PROBE = sql`
  SELECT
    (SELECT status FROM {{tenants}} WHERE id = @tenant) AS tenant_status,
    (SELECT concurrency FROM {{queues}} WHERE tenant = @tenant AND queue = @queue) AS concurrency,
    coalesce((SELECT paused FROM {{queues}} WHERE tenant = @tenant AND queue = @queue), 0) AS paused,
    EXISTS (SELECT 1 FROM {{tasks}} WHERE tenant = @tenant AND queue = @queue AND state = 'leased' AND lease_expires_at <= @now) AS expired,
    EXISTS (SELECT 1 FROM {{tasks}} WHERE tenant = @tenant AND queue = @queue AND state = 'scheduled' AND run_at <= @now) AS due,
    EXISTS (SELECT 1 FROM {{tasks}} WHERE tenant = @tenant AND queue = @queue AND state = 'suspended' AND wait_timeout_at <= @now) AS timed_out`;

/**
 * Expired leases of one queue, oldest expiry first.
 * Parameters: tenant, queue, now, limit. Returns: TaskRow[].
 */
export const EXPIRED_IN_QUEUE = sql`
  SELECT * FROM {{tasks}} WHERE tenant = ? AND queue = ? AND state = 'leased' AND lease_expires_at <= ?
  ORDER BY lease_expires_at, seq LIMIT ? + 0`;

/**
 * Expired leases of a tenant, oldest expiry first. The leased-task index is named because, without
 * statistics, the planner may prefer the (tenant, id) index and read every task of the tenant.
 * Parameters: tenant, now, limit. Returns: TaskRow[].
 */
export const EXPIRED_IN_TENANT = sql`
  SELECT * FROM {{tasks}} INDEXED BY {{tasks_leased}} WHERE tenant = ? AND state = 'leased' AND lease_expires_at <= ?
  ORDER BY lease_expires_at, seq LIMIT ? + 0`;

/**
 * Make the due scheduled tasks of a queue ready (their ready time is their run_at).
 * Parameters: tenant, queue, now. Returns: nothing.
 */
export const PROMOTE_SCHEDULED = sql`
  UPDATE {{tasks}} SET state = 'ready' WHERE tenant = ? AND queue = ? AND state = 'scheduled' AND run_at <= ?`;

/**
 * Resume the suspended tasks of a queue whose timeout has come: ready since their timeoutAt,
 * the next lease carrying timedOut.
 * Parameters: tenant, queue, now. Returns: { seq, id, queue }[].
 */
export const RESUME_TIMED_OUT_IN_QUEUE = sql`
  UPDATE {{tasks}} SET state = 'ready', run_at = wait_timeout_at, resume = 'timeout',
    wait_keys = NULL, wait_mode = NULL, wait_timeout_at = NULL
  WHERE tenant = ? AND queue = ? AND state = 'suspended' AND wait_timeout_at <= ?
  RETURNING seq, id, queue`;

/**
 * The same for every queue of a tenant (reclaimExpired).
 * Parameters: tenant, now. Returns: { seq, id, queue }[].
 */
export const RESUME_TIMED_OUT_IN_TENANT = sql`
  UPDATE {{tasks}} SET state = 'ready', run_at = wait_timeout_at, resume = 'timeout',
    wait_keys = NULL, wait_mode = NULL, wait_timeout_at = NULL
  WHERE tenant = ? AND state = 'suspended' AND wait_timeout_at <= ?
  RETURNING seq, id, queue`;

/**
 * Resume one suspended task whose timeout has come (as RESUME_TIMED_OUT_IN_QUEUE, for one task).
 * Parameters: seq, now. Returns: TaskRow or none (when it is not a due suspension).
 */
export const RESUME_TIMED_OUT_TASK = sql`
  UPDATE {{tasks}} SET state = 'ready', run_at = wait_timeout_at, resume = 'timeout',
    wait_keys = NULL, wait_mode = NULL, wait_timeout_at = NULL
  WHERE seq = ? AND state = 'suspended' AND wait_timeout_at <= ?
  RETURNING *`;

/**
 * A queue's settings.
 * Parameters: tenant, queue. Returns: { concurrency, paused } or none.
 */
export const QUEUE_SETTINGS = sql`
  SELECT concurrency, paused FROM {{queues}} WHERE tenant = ? AND queue = ?`;

/**
 * Unexpired leases of a queue (what its concurrency limit counts).
 * Parameters: tenant, queue, now. Returns: { n }.
 */
export const COUNT_ACTIVE_LEASES = sql`
  SELECT count(*) AS n FROM {{tasks}} WHERE tenant = ? AND queue = ? AND state = 'leased' AND lease_expires_at > ?`;

/** The head of the claim statement: the lease columns set on every granted task. */
const CLAIM_HEAD = sql`
  UPDATE {{tasks}} SET state = 'leased', epoch = epoch + 1, attempt = consumed + 1, lease_ms = ?,
    lease_expires_at = ?, worker_id = ?, lease_end = NULL, updated_at = ?
  WHERE seq IN (SELECT seq FROM (`;

/** One queue's candidates in claim order, read from the tasks_ready index: O(log n + limit). */
const CLAIM_BRANCH = sql`
  SELECT * FROM (SELECT seq, priority, run_at FROM {{tasks}}
    WHERE tenant = ? AND queue = ? AND state = 'ready' AND run_at <= ?
    ORDER BY priority DESC, run_at, seq LIMIT ? + 0)`;

const UNION_ALL = sql`UNION ALL`;

const CLAIM_TAIL = sql`
  ) ORDER BY priority DESC, run_at, seq LIMIT ? + 0)
  RETURNING seq, id, queue, payload, priority, run_at, attempt, epoch, lease_expires_at, resume`;

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

/**
 * Extend a lease and optionally record progress.
 * Parameters: lease_expires_at, progress (JSON or null to keep), updated_at, seq. Returns: nothing.
 */
export const RENEW_LEASE = sql`
  UPDATE {{tasks}} SET lease_expires_at = ?, progress = coalesce(?, progress), updated_at = ? WHERE seq = ?`;

/**
 * Settle a leased task as completed.
 * Parameters: result (JSON), updated_at, seq. Returns: nothing.
 */
export const COMPLETE_TASK = sql`
  UPDATE {{tasks}} SET state = 'completed', lease_end = 'completed', result = ?, lease_expires_at = NULL,
    worker_id = NULL, updated_at = ? WHERE seq = ?`;

/** What COMPLETE_HELD returns about the task it settled. */
export interface CompletedRow {
  readonly seq: number;
  readonly tenant: string;
  readonly id: string;
  readonly queue: string;
  /** The queue's concurrency limit (null: none), to decide whether the freed slot wakes waiters. */
  readonly queue_concurrency: number | null;
  /** 1 when some task depends on this one (only then are dependents looked up). */
  readonly has_dependents: number;
}

/**
 * Fence and settle in one statement: completes the task only when the lease is the current one,
 * still held and unexpired, which is exactly when the fence check of docs/decisions.md passes
 * (state 'leased' implies neither cancelled nor revoked, and epoch ≥ 1). No row means the fence
 * did not pass and nothing was written: the caller runs the full check for the precise error.
 * Parameters: result (JSON), updated_at, tenant, id, epoch, now. Returns: CompletedRow or none.
 */
export const COMPLETE_HELD = sql`
  UPDATE {{tasks}} SET state = 'completed', lease_end = 'completed', result = ?, lease_expires_at = NULL,
    worker_id = NULL, updated_at = ?
  WHERE tenant = ? AND id = ? AND epoch = ? AND state = 'leased' AND lease_expires_at > ?
  RETURNING seq, tenant, id, queue,
    (SELECT q.concurrency FROM {{queues}} AS q WHERE q.tenant = {{tasks}}.tenant AND q.queue = {{tasks}}.queue) AS queue_concurrency,
    EXISTS (SELECT 1 FROM {{task_deps}} AS x WHERE x.dep_seq = {{tasks}}.seq) AS has_dependents`;

/**
 * Put a task back in line (retry, release, revoke): ready or scheduled at run_at.
 * Parameters: state ('ready' | 'scheduled'), run_at, consumed, last_error (JSON), lease_end,
 * updated_at, seq. Returns: nothing.
 */
export const REQUEUE_TASK = sql`
  UPDATE {{tasks}} SET state = ?, run_at = ?, consumed = ?, last_error = ?, lease_end = ?,
    lease_expires_at = NULL, worker_id = NULL, updated_at = ? WHERE seq = ?`;

/**
 * Dead-letter a task; dead_seq orders the tenant's dead letters.
 * Parameters: consumed, last_error (JSON), lease_end, tenant, updated_at, seq. Returns: nothing.
 */
export const DEAD_LETTER_TASK = sql`
  UPDATE {{tasks}} SET state = 'dead', consumed = ?, last_error = ?, lease_end = ?,
    dead_seq = (SELECT coalesce(max(dead_seq), 0) + 1 FROM {{tasks}} WHERE tenant = ? AND state = 'dead'),
    lease_expires_at = NULL, worker_id = NULL, wait_keys = NULL, wait_mode = NULL, wait_timeout_at = NULL,
    updated_at = ? WHERE seq = ?`;

/**
 * Cancel a task (its lease, if any, is revoked by the state itself).
 * Parameters: cancel_reason, updated_at, seq. Returns: nothing.
 */
export const CANCEL_TASK = sql`
  UPDATE {{tasks}} SET state = 'cancelled', cancel_reason = ?, lease_expires_at = NULL, worker_id = NULL,
    wait_keys = NULL, wait_mode = NULL, wait_timeout_at = NULL, updated_at = ? WHERE seq = ?`;

/**
 * Park a leased task until signals arrive.
 * Parameters: wait_keys (JSON array), wait_mode, wait_timeout_at, updated_at, seq. Returns: nothing.
 */
export const SUSPEND_TASK = sql`
  UPDATE {{tasks}} SET state = 'suspended', lease_end = 'suspended', wait_keys = ?, wait_mode = ?,
    wait_timeout_at = ?, resume = NULL, lease_expires_at = NULL, worker_id = NULL, updated_at = ? WHERE seq = ?`;

/**
 * Forget what the next lease would carry from a past suspension.
 * Parameters: seq. Returns: nothing.
 */
export const CLEAR_RESUME = sql`
  UPDATE {{tasks}} SET resume = NULL WHERE seq = ?`;

/**
 * Resume a suspended task whose signals arrived: ready at run_at, the next lease carrying them.
 * Parameters: run_at, updated_at, seq. Returns: nothing.
 */
export const RESUME_ON_SIGNALS = sql`
  UPDATE {{tasks}} SET state = 'ready', run_at = ?, resume = 'signals', wait_keys = NULL, wait_mode = NULL,
    wait_timeout_at = NULL, updated_at = ? WHERE seq = ?`;

/**
 * Count one completed dependency of a blocked task.
 * Parameters: seq. Returns: { pending_deps } (what remains).
 */
export const DECREMENT_PENDING = sql`
  UPDATE {{tasks}} SET pending_deps = pending_deps - 1 WHERE seq = ? RETURNING pending_deps`;

/**
 * Release a blocked task whose dependencies completed.
 * Parameters: state ('ready' | 'scheduled'), run_at, updated_at, seq. Returns: nothing.
 */
export const UNBLOCK_TASK = sql`
  UPDATE {{tasks}} SET state = ?, run_at = ?, updated_at = ? WHERE seq = ?`;

/**
 * Record progress.
 * Parameters: progress (JSON), updated_at, seq. Returns: nothing.
 */
export const SET_PROGRESS = sql`
  UPDATE {{tasks}} SET progress = ?, updated_at = ? WHERE seq = ?`;

/**
 * Make a dead task ready again.
 * Parameters: run_at, consumed, updated_at, seq. Returns: nothing.
 */
export const REVIVE_DEAD = sql`
  UPDATE {{tasks}} SET state = 'ready', run_at = ?, consumed = ?, dead_seq = NULL, updated_at = ? WHERE seq = ?`;

/**
 * A page of dead letters in the order they died.
 * Parameters: tenant, after dead_seq, limit. Returns: TaskRow[].
 */
export const LIST_DEAD = sql`
  SELECT * FROM {{tasks}} WHERE tenant = ? AND state = 'dead' AND dead_seq > ? ORDER BY dead_seq LIMIT ? + 0`;

/**
 * A page of one queue's dead letters in the order they died.
 * Parameters: tenant, queue, after dead_seq, limit. Returns: TaskRow[].
 */
export const LIST_DEAD_IN_QUEUE = sql`
  SELECT * FROM {{tasks}} WHERE tenant = ? AND state = 'dead' AND queue = ? AND dead_seq > ? ORDER BY dead_seq LIMIT ? + 0`;

// ---------------------------------------------------------------------------------------------
// Signals

/**
 * The signals attached to a task since its latest suspend, in delivery order.
 * Parameters: task seq. Returns: SignalRow[].
 */
export const TASK_SIGNALS = sql`
  SELECT signal_id, key, payload, created_at FROM {{task_signals}} WHERE task_seq = ? ORDER BY n`;

/**
 * Attach a signal to a task, after those it holds.
 * Parameters: task seq, task seq, signal id, key, payload (JSON), created_at. Returns: nothing.
 */
export const ATTACH_SIGNAL = sql`
  INSERT INTO {{task_signals}} (task_seq, n, signal_id, key, payload, created_at)
  VALUES (?, (SELECT coalesce(max(n), 0) + 1 FROM {{task_signals}} WHERE task_seq = ?), ?, ?, ?, ?)`;

/** Parameters: task seq. Returns: nothing. */
export const DETACH_SIGNALS = sql`
  DELETE FROM {{task_signals}} WHERE task_seq = ?`;

/**
 * Register a suspended task as waiting on a key.
 * Parameters: tenant, key, task seq. Returns: nothing.
 */
export const INSERT_WAIT = sql`
  INSERT OR IGNORE INTO {{task_waits}} (tenant, key, task_seq) VALUES (?, ?, ?)`;

/** Parameters: task seq. Returns: nothing. */
export const DELETE_WAITS = sql`
  DELETE FROM {{task_waits}} WHERE task_seq = ?`;

/**
 * The tasks suspended on a key whose timeout has not come, in enqueue order.
 * Parameters: tenant, key, now. Returns: WaitingTaskRow[].
 */
export const WAITING_TASKS = sql`
  SELECT t.seq, t.id, t.queue, t.wait_keys, t.wait_mode
  FROM {{task_waits}} AS w JOIN {{tasks}} AS t ON t.seq = w.task_seq
  WHERE w.tenant = ? AND w.key = ? AND t.state = 'suspended' AND (t.wait_timeout_at IS NULL OR t.wait_timeout_at > ?)
  ORDER BY t.seq`;

/**
 * Live buffered signals on a key, oldest first.
 * Parameters: tenant, key, now. Returns: BufferedSignalRow[].
 */
export const BUFFERED_SIGNALS = sql`
  SELECT seq, id, key, payload, created_at FROM {{signals}} WHERE tenant = ? AND key = ? AND expires_at > ? ORDER BY seq`;

/**
 * Drop the buffered signals of a key that were taken or have expired.
 * Parameters: tenant, key. Returns: nothing. (Run after BUFFERED_SIGNALS took the live ones.)
 */
export const CLEAR_BUFFERED_SIGNALS = sql`
  DELETE FROM {{signals}} WHERE tenant = ? AND key = ?`;

/**
 * Buffer a signal nobody waits for.
 * Parameters: tenant, id, key, payload (JSON), created_at, expires_at. Returns: nothing.
 */
export const INSERT_SIGNAL = sql`
  INSERT INTO {{signals}} (tenant, id, key, payload, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`;

/**
 * The live signal a signal idempotency key names.
 * Parameters: tenant, key, now. Returns: { signal_id } or none.
 */
export const SELECT_SIGNAL_KEY = sql`
  SELECT signal_id FROM {{signal_keys}} WHERE tenant = ? AND key = ? AND expires_at > ?`;

/**
 * Record (or renew an expired) signal idempotency key.
 * Parameters: tenant, key, signal id, expires_at. Returns: nothing.
 */
export const UPSERT_SIGNAL_KEY = sql`
  INSERT INTO {{signal_keys}} (tenant, key, signal_id, expires_at) VALUES (?, ?, ?, ?)
  ON CONFLICT (tenant, key) DO UPDATE SET signal_id = excluded.signal_id, expires_at = excluded.expires_at`;

// ---------------------------------------------------------------------------------------------
// Queues, frames, wake-ups

/**
 * Store a queue's settings.
 * Parameters: tenant, queue, concurrency (null: unlimited), paused (0/1). Returns: nothing.
 */
export const UPSERT_QUEUE = sql`
  INSERT INTO {{queues}} (tenant, queue, concurrency, paused) VALUES (?, ?, ?, ?)
  ON CONFLICT (tenant, queue) DO UPDATE SET concurrency = excluded.concurrency, paused = excluded.paused`;

/**
 * Counts of a queue's stored blocked and terminal tasks. No index holds these states (migration
 * 0002: maintaining one cost every completion a WAL page), so this reads the tenant's tasks: an
 * operator call that pays so that the hot path does not.
 * Parameters: tenant, queue. Returns: { state, n }[].
 */
export const COUNT_SETTLED = sql`
  SELECT state, count(*) AS n FROM {{tasks}}
  WHERE tenant = ? AND queue = ? AND state IN ('blocked', 'completed', 'dead', 'cancelled') GROUP BY state`;

/**
 * Ready tasks of a queue: how many, and the earliest ready time.
 * Parameters: tenant, queue. Returns: { n, oldest }.
 */
export const READY_STATS = sql`
  SELECT count(*) AS n, min(run_at) AS oldest FROM {{tasks}} WHERE tenant = ? AND queue = ? AND state = 'ready'`;

/**
 * Scheduled tasks of a queue: how many, how many are due, the earliest due time.
 * Parameters: now, now, tenant, queue. Returns: { n, due, oldest }.
 */
export const SCHEDULED_STATS = sql`
  SELECT count(*) AS n, coalesce(sum(run_at <= ?), 0) AS due, min(CASE WHEN run_at <= ? THEN run_at END) AS oldest
  FROM {{tasks}} WHERE tenant = ? AND queue = ? AND state = 'scheduled'`;

/**
 * Suspended tasks of a queue: how many, how many timed out, the earliest timeout.
 * Parameters: now, now, tenant, queue. Returns: { n, due, oldest }.
 */
export const SUSPENDED_STATS = sql`
  SELECT count(*) AS n, coalesce(sum(wait_timeout_at <= ?), 0) AS due,
    min(CASE WHEN wait_timeout_at <= ? THEN wait_timeout_at END) AS oldest
  FROM {{tasks}} WHERE tenant = ? AND queue = ? AND state = 'suspended'`;

/**
 * Leased tasks of a queue (expired or not).
 * Parameters: tenant, queue. Returns: { n }.
 */
export const LEASED_COUNT = sql`
  SELECT count(*) AS n FROM {{tasks}} WHERE tenant = ? AND queue = ? AND state = 'leased'`;

/**
 * Whether a queue holds a task claimable now (ready, due, or timed out).
 * Parameters: tenant, queue, now, tenant, queue, now, tenant, queue, now. Returns: { found }.
 */
export const HAS_CLAIMABLE = sql`
  SELECT EXISTS (SELECT 1 FROM {{tasks}} WHERE tenant = ? AND queue = ? AND state = 'ready' AND run_at <= ?)
      OR EXISTS (SELECT 1 FROM {{tasks}} WHERE tenant = ? AND queue = ? AND state = 'scheduled' AND run_at <= ?)
      OR EXISTS (SELECT 1 FROM {{tasks}} WHERE tenant = ? AND queue = ? AND state = 'suspended' AND wait_timeout_at <= ?)
    AS found`;

/**
 * The next frame sequence of a task's attempt.
 * Parameters: task seq, attempt. Returns: { next }.
 */
export const NEXT_FRAME_SEQUENCE = sql`
  SELECT coalesce(max(sequence), 0) + 1 AS next FROM {{frames}} WHERE task_seq = ? AND attempt = ?`;

/**
 * Append a frame.
 * Parameters: task seq, attempt, sequence, data (JSON), created_at. Returns: nothing.
 */
export const INSERT_FRAME = sql`
  INSERT INTO {{frames}} (task_seq, attempt, sequence, data, created_at) VALUES (?, ?, ?, ?, ?)`;

/**
 * Frames of an attempt after a sequence, ascending.
 * Parameters: task seq, attempt, after, limit (-1: all). Returns: FrameRow[].
 */
export const READ_FRAMES = sql`
  SELECT attempt, sequence, data, created_at FROM {{frames}} WHERE task_seq = ? AND attempt = ? AND sequence > ?
  ORDER BY sequence LIMIT ? + 0`;

/**
 * Drop a key's expired buffered signals.
 * Parameters: tenant, key, now. Returns: nothing.
 */
export const PRUNE_EXPIRED_SIGNALS = sql`
  DELETE FROM {{signals}} WHERE tenant = ? AND key = ? AND expires_at <= ?`;

// ---------------------------------------------------------------------------------------------
// Sweeping expired rows (reads ignore them already; this bounds the file's growth)

/**
 * Forget a tenant's expired enqueue idempotency keys, at most 1000.
 * Parameters: tenant, now. Returns: nothing.
 */
export const SWEEP_TASK_KEYS = sql`
  DELETE FROM {{task_keys}} WHERE (tenant, queue, key) IN (
    SELECT tenant, queue, key FROM {{task_keys}} INDEXED BY {{task_keys_by_expiry}} WHERE tenant = ? AND expires_at <= ? LIMIT 1000)`;

/**
 * Forget a tenant's expired signal idempotency keys, at most 1000.
 * Parameters: tenant, now. Returns: nothing.
 */
export const SWEEP_SIGNAL_KEYS = sql`
  DELETE FROM {{signal_keys}} WHERE (tenant, key) IN (
    SELECT tenant, key FROM {{signal_keys}} INDEXED BY {{signal_keys_by_expiry}} WHERE tenant = ? AND expires_at <= ? LIMIT 1000)`;

/**
 * Drop a tenant's expired buffered signals, at most 1000.
 * Parameters: tenant, now. Returns: nothing.
 */
export const SWEEP_SIGNALS = sql`
  DELETE FROM {{signals}} WHERE seq IN (
    SELECT seq FROM {{signals}} INDEXED BY {{signals_by_expiry}} WHERE tenant = ? AND expires_at <= ? LIMIT 1000)`;

/**
 * Drop a tenant's expired cache values, at most 1000.
 * Parameters: tenant, now. Returns: nothing.
 */
export const SWEEP_VALUES = sql`
  DELETE FROM {{kv}} WHERE (tenant, key) IN (
    SELECT tenant, key FROM {{kv}} INDEXED BY {{kv_by_expiry}} WHERE tenant = ? AND expires_at IS NOT NULL AND expires_at <= ? LIMIT 1000)`;

/**
 * Drop a tenant's expired cached snapshots, at most 1000.
 * Parameters: tenant, now. Returns: nothing.
 */
export const SWEEP_CACHE_SNAPSHOTS = sql`
  DELETE FROM {{cache_snapshots}} WHERE (tenant, execution_id) IN (
    SELECT tenant, execution_id FROM {{cache_snapshots}} INDEXED BY {{cache_snapshots_by_expiry}}
    WHERE tenant = ? AND expires_at IS NOT NULL AND expires_at <= ? LIMIT 1000)`;
