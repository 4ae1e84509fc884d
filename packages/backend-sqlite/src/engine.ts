/**
 * The EngineBackend of one tenant (SPEC section 5): leases, scheduling, signals, dependencies,
 * queue control, progress and streams. Every read-then-write call runs in a `BEGIN IMMEDIATE`
 * transaction, its own or, for `claim`, `complete`, `fail` and `release`, the one it shares with the
 * calls of its tick inside a savepoint (`SqliteConnection.writeBatched`); every holder call is
 * fenced before it writes.
 */
import {
  asJson,
  type ClaimInput,
  type CompleteOptions,
  DEFAULTS,
  type EngineBackend,
  type EnqueueInput,
  type EnqueueResult,
  type FailOptions,
  type FailResult,
  type Frame,
  type Json,
  type Lease,
  type ListDeadLettersRequest,
  newId,
  notDeadDetails,
  type Page,
  type Progress,
  type QueueSettings,
  type QueueSettingsInput,
  type QueueStats,
  type ReadFramesOptions,
  type ReclaimOptions,
  type ReclaimResult,
  type ReleaseOptions,
  type RenewOptions,
  resolveEnqueue,
  type RetryDeadLetterOptions,
  type SignalInput,
  type SignalResult,
  type SubscribeFilter,
  type SuspendInput,
  type SuspendResult,
  type TaskEvent,
  type TaskRecord,
  type TaskState,
  tenantSuspendedDetails,
  TERMINAL_TASK_STATES,
  type Unsubscribe,
  type WaitForWorkOptions,
} from "@mooring/core";
import type { SqliteContext } from "./context.js";
import { notFound, sqliteError } from "./errors.js";
import { decodeCursor, encodeCursor, jsonText, parseJson } from "./json.js";
import {
  ATTACH_SIGNAL,
  CLAIM_PROBE,
  type ClaimProbeRow,
  type BufferedSignalRow,
  BUFFERED_SIGNALS,
  CLEAR_BUFFERED_SIGNALS,
  CLEAR_RESUME,
  COUNT_ACTIVE_LEASES,
  COUNT_SETTLED,
  DELETE_WAITS,
  DETACH_SIGNALS,
  EXPIRED_IN_QUEUE,
  EXPIRED_IN_TENANT,
  type FrameRow,
  type GrantedRow,
  HAS_CLAIMABLE,
  INSERT_FRAME,
  INSERT_SIGNAL,
  INSERT_TASK,
  INSERT_TASK_DEP,
  INSERT_WAIT,
  LEASED_COUNT,
  LIST_DEAD,
  LIST_DEAD_IN_QUEUE,
  NEXT_FRAME_SEQUENCE,
  PROMOTE_SCHEDULED,
  PRUNE_EXPIRED_SIGNALS,
  QUEUE_SETTINGS,
  READ_FRAMES,
  READY_STATS,
  RENEW_LEASE,
  RESUME_ON_SIGNALS,
  REVIVE_DEAD,
  SCHEDULED_STATS,
  SELECT_SIGNAL_KEY,
  SELECT_TASK_KEY,
  SET_PROGRESS,
  SUSPEND_TASK,
  SUSPENDED_STATS,
  SWEEP_CACHE_SNAPSHOTS,
  SWEEP_SIGNAL_KEYS,
  SWEEP_SIGNALS,
  SWEEP_TASK_KEYS,
  SWEEP_VALUES,
  type TaskRow,
  TENANT_STATUS,
  UPSERT_QUEUE,
  UPSERT_SIGNAL_KEY,
  UPSERT_TASK_KEY,
  WAITING_TASKS,
  type WaitingTaskRow,
} from "./sql/engine.js";
import { requireTask, toSignal } from "./tasks.js";

interface QueueSettingsRow {
  readonly concurrency: number | null;
  readonly paused: number;
}

interface StatsRow {
  readonly n: number;
  readonly due: number;
  readonly oldest: number | null;
}

/** Whether `mode` is satisfied by signals on `signalled` keys (E14). */
function satisfied(keys: readonly string[], mode: string, signalled: ReadonlySet<string>): boolean {
  return mode === "all" ? keys.every((key) => signalled.has(key)) : keys.some((key) => signalled.has(key));
}

/** Claim order (E3): priority descending, then ready time, then enqueue order. */
function claimOrder(a: GrantedRow, b: GrantedRow): number {
  return b.priority - a.priority || a.run_at - b.run_at || a.seq - b.seq;
}

export class SqliteEngine implements EngineBackend {
  readonly #context: SqliteContext;
  readonly #tenant: string;

  constructor(context: SqliteContext, tenant: string) {
    this.#context = context;
    this.#tenant = tenant;
  }

  get #statements() {
    return this.#context.statements;
  }

  get #transitions() {
    return this.#context.transitions;
  }

  async enqueue(task: EnqueueInput): Promise<EnqueueResult> {
    const [result] = await this.enqueueMany([task]);
    if (!result) throw new Error("enqueueMany returned no result for one task");
    return result;
  }

  async enqueueMany(tasks: readonly EnqueueInput[]): Promise<EnqueueResult[]> {
    return this.#context.connection.write((now) => {
      this.#assertActiveTenant("enqueue");
      return tasks.map((task) => this.#enqueueOne(task, now));
    });
  }

  /**
   * One statement of index probes per queue, then only the writes that are needed: claim-side
   * reclaim of expired leases (E10), promotion of due scheduled tasks and timed-out suspensions,
   * and the claim itself, one UPDATE … RETURNING over every queue. Claims of one tick share a
   * transaction with each other and with the holder calls of that tick (`writeBatched`), as the
   * claims of several workers polling together do; each still sees the writes issued before it.
   */
  async claim(request: ClaimInput): Promise<Lease[]> {
    return this.#context.connection.writeBatched((now) => {
      const queues = [...new Set(request.queues)];
      const limit = request.limit ?? DEFAULTS.claimLimit;
      const probes = queues.map((queue) => ({
        queue,
        probe: this.#statements.one<ClaimProbeRow>(CLAIM_PROBE, { tenant: this.#tenant, queue, now }),
      }));
      if (probes[0]?.probe?.tenant_status === "suspended") throw this.#suspendedTenant("claim");
      this.#reclaimInQueues(
        probes.filter(({ probe }) => probe?.expired === 1).map(({ queue }) => queue),
        now,
      );
      for (const { queue, probe } of probes) {
        if (probe?.due === 1) this.#statements.run(PROMOTE_SCHEDULED, this.#tenant, queue, now);
        if (probe?.timed_out === 1) this.#transitions.resumeTimedOut(this.#tenant, queue, now);
      }
      const allowances = probes.map(({ queue, probe }) => ({ queue, limit: this.#allowanceOf(queue, probe, limit, now) }));
      if (allowances.every((entry) => entry.limit === 0)) return [];
      const params: unknown[] = [request.leaseMs, now + request.leaseMs, request.workerId, now];
      for (const entry of allowances) params.push(this.#tenant, entry.queue, now, entry.limit);
      params.push(limit);
      const granted = this.#statements.all<GrantedRow>(this.#context.claimStatement(queues.length), ...params);
      return granted.sort(claimOrder).map((row) => this.#toLease(row, request.workerId));
    });
  }

  async renew(lease: Lease, options?: RenewOptions): Promise<Lease> {
    return this.#context.connection.write((now) => {
      const { row } = this.#transitions.fence(this.#tenant, lease, now, "other");
      const expiresAt = now + (options?.leaseMs ?? row.lease_ms ?? 0);
      const progress = options?.progress === undefined ? null : progressText(options.progress);
      this.#statements.run(RENEW_LEASE, expiresAt, progress, now, row.seq);
      const renewed: Lease = {
        taskId: row.id,
        queue: row.queue,
        payload: parseJson(row.payload),
        attempt: row.attempt,
        epoch: row.epoch,
        leaseId: lease.leaseId,
        workerId: row.worker_id ?? lease.workerId,
        expiresAt,
        ...(lease.signals === undefined ? {} : { signals: lease.signals }),
        ...(lease.timedOut === undefined ? {} : { timedOut: lease.timedOut }),
      };
      return renewed;
    });
  }

  /**
   * Batched with the other holder calls of this tick (`SqliteConnection.writeBatched`). A held
   * lease is fenced and settled by one UPDATE … RETURNING; only when that matches nothing does
   * the full fence check run, for the precise error or the idempotent repeat (E5, E7).
   */
  async complete(lease: Lease, options?: CompleteOptions): Promise<void> {
    await this.#context.connection.writeBatched((now) => {
      if (this.#transitions.completeHeld(this.#tenant, lease, asJson(options?.result), now)) return;
      const { row, alreadyCompleted } = this.#transitions.fence(this.#tenant, lease, now, "complete");
      if (!alreadyCompleted) this.#transitions.complete(row, asJson(options?.result), now);
    });
  }

  /** Batched with the other holder calls of this tick, like `complete`. */
  async fail(lease: Lease, options: FailOptions): Promise<FailResult> {
    return this.#context.connection.writeBatched((now) => {
      const { row } = this.#transitions.fence(this.#tenant, lease, now, "other");
      return this.#transitions.fail(row, options.error, options.retryable ?? true, now);
    });
  }

  /** Batched with the other holder calls of this tick, like `complete`. */
  async release(lease: Lease, options?: ReleaseOptions): Promise<void> {
    await this.#context.connection.writeBatched((now) => {
      const { row } = this.#transitions.fence(this.#tenant, lease, now, "other");
      this.#transitions.putBack(row, options?.runAt ?? now, "released", now);
    });
  }

  async reclaimExpired(options?: ReclaimOptions): Promise<ReclaimResult> {
    return this.#context.connection.write((now) => {
      const limit = options?.limit ?? DEFAULTS.reclaimLimit;
      const result: ReclaimResult = { retried: [], deadLettered: [] };
      for (const row of this.#statements.all<TaskRow>(EXPIRED_IN_TENANT, this.#tenant, now, limit)) {
        (this.#transitions.reclaim(row, now) === "retried" ? result.retried : result.deadLettered).push(row.id);
      }
      this.#transitions.resumeTimedOut(this.#tenant, null, now);
      // The sweeper's other duty: expired rows are invisible already; removing a bounded batch
      // of them keeps the file from growing with every TTL ever set.
      for (const sweep of [SWEEP_TASK_KEYS, SWEEP_SIGNAL_KEYS, SWEEP_SIGNALS, SWEEP_VALUES, SWEEP_CACHE_SNAPSHOTS]) {
        this.#statements.run(sweep, this.#tenant, now);
      }
      return result;
    });
  }

  async listDeadLetters(request: ListDeadLettersRequest): Promise<Page<TaskRecord>> {
    return this.#context.connection.read((now) => {
      const after = decodeCursor("dead-letters", request.cursor, "number") ?? 0;
      const rows =
        request.queue === undefined
          ? this.#statements.all<TaskRow>(LIST_DEAD, this.#tenant, after, request.limit + 1)
          : this.#statements.all<TaskRow>(LIST_DEAD_IN_QUEUE, this.#tenant, request.queue, after, request.limit + 1);
      const page = rows.slice(0, request.limit);
      const last = page.at(-1);
      return {
        items: page.map((row) => this.#transitions.toRecord(row, now)),
        cursor: rows.length > request.limit && last ? encodeCursor("dead-letters", last.dead_seq ?? 0) : null,
      };
    });
  }

  async retryDeadLetter(taskId: string, options?: RetryDeadLetterOptions): Promise<void> {
    this.#context.connection.write((now) => {
      const row = requireTask(this.#transitions.find(this.#tenant, taskId), taskId);
      if (row.state !== "dead") {
        throw sqliteError("INVALID_STATE", `task "${taskId}" is not dead-lettered (it is ${row.state})`, notDeadDetails(taskId, row.state));
      }
      // With resetAttempts the next lease is attempt 1 again; until then `attempt` still reports the
      // latest lease granted (docs/decisions.md), as the reference model does.
      this.#statements.run(REVIVE_DEAD, now, options?.resetAttempts === true ? 0 : row.consumed, now, row.seq);
      this.#context.connection.notify(this.#tenant, "ready", row.id, row.queue, now);
    });
  }

  async moveToDeadLetter(lease: Lease, error: Json): Promise<void> {
    this.#context.connection.write((now) => {
      const { row } = this.#transitions.fence(this.#tenant, lease, now, "other");
      this.#transitions.deadLetter(row, error, "dead", now);
    });
  }

  async cancel(taskId: string, reason?: string): Promise<boolean> {
    return this.#context.connection.write((now) => {
      const row = requireTask(this.#transitions.findForWrite(this.#tenant, taskId, now), taskId);
      if (TERMINAL_TASK_STATES.has(row.state as TaskState)) return false;
      this.#transitions.cancel(row, reason ?? null, now);
      return true;
    });
  }

  async revokeLease(taskId: string): Promise<boolean> {
    return this.#context.connection.write((now) => {
      const row = requireTask(this.#transitions.find(this.#tenant, taskId), taskId);
      if (row.state !== "leased") return false;
      this.#transitions.putBack(row, now, "revoked", now);
      return true;
    });
  }

  async getTask(taskId: string): Promise<TaskRecord | null> {
    return this.#context.connection.read((now) => {
      const row = this.#transitions.find(this.#tenant, taskId);
      return row ? this.#transitions.toRecord(row, now) : null;
    });
  }

  async suspend(lease: Lease, input: SuspendInput): Promise<SuspendResult> {
    return this.#context.connection.write((now) => {
      const { row } = this.#transitions.fence(this.#tenant, lease, now, "other");
      const keys = [...new Set(input.keys)];
      const mode = input.mode ?? "any";
      // A new waitpoint: what the task held from an earlier suspension is superseded.
      this.#statements.run(DETACH_SIGNALS, row.seq);
      this.#statements.run(CLEAR_RESUME, row.seq);
      const taken = keys
        .flatMap((key) => this.#statements.all<BufferedSignalRow>(BUFFERED_SIGNALS, this.#tenant, key, now))
        .sort((a, b) => a.seq - b.seq);
      for (const key of keys) this.#statements.run(CLEAR_BUFFERED_SIGNALS, this.#tenant, key);
      const signals = taken.map((signal) => toSignal({ signal_id: signal.id, key: signal.key, payload: signal.payload, created_at: signal.created_at }));
      if (satisfied(keys, mode, new Set(taken.map((signal) => signal.key)))) {
        return { suspended: false, signals };
      }
      for (const signal of taken) {
        this.#statements.run(ATTACH_SIGNAL, row.seq, row.seq, signal.id, signal.key, signal.payload, signal.created_at);
      }
      this.#statements.run(SUSPEND_TASK, JSON.stringify(keys), mode, input.timeoutAt ?? null, now, row.seq);
      this.#transitions.leaseEnded(row, now);
      for (const key of keys) this.#statements.run(INSERT_WAIT, this.#tenant, key, row.seq);
      return { suspended: true };
    });
  }

  async signal(input: SignalInput): Promise<SignalResult> {
    return this.#context.connection.write((now) => {
      if (input.idempotencyKey !== undefined) {
        const existing = this.#statements.one<{ signal_id: string }>(SELECT_SIGNAL_KEY, this.#tenant, input.idempotencyKey, now);
        if (existing) return { signalId: existing.signal_id, duplicate: true, deliveredTo: [] };
      }
      const signalId = newId(now);
      const payload = jsonText(input.payload);
      const waiting = this.#statements.all<WaitingTaskRow>(WAITING_TASKS, this.#tenant, input.key, now);
      for (const task of waiting) {
        this.#statements.run(ATTACH_SIGNAL, task.seq, task.seq, signalId, input.key, payload, now);
        const signalled = new Set(this.#transitions.signalsOf(task.seq).map((signal) => signal.key));
        if (satisfied(parseJson<string[]>(task.wait_keys), task.wait_mode, signalled)) {
          this.#statements.run(RESUME_ON_SIGNALS, now, now, task.seq);
          this.#statements.run(DELETE_WAITS, task.seq);
          this.#context.connection.notify(this.#tenant, "ready", task.id, task.queue, now);
        }
      }
      if (waiting.length === 0) {
        this.#statements.run(PRUNE_EXPIRED_SIGNALS, this.#tenant, input.key, now);
        this.#statements.run(INSERT_SIGNAL, this.#tenant, signalId, input.key, payload, now, now + this.#context.limits.signalTtlMs);
      }
      if (input.idempotencyKey !== undefined) {
        this.#statements.run(UPSERT_SIGNAL_KEY, this.#tenant, input.idempotencyKey, signalId, now + this.#context.limits.dedupTtlMs);
      }
      return { signalId, duplicate: false, deliveredTo: waiting.map((task) => task.id) };
    });
  }

  async setQueue(queue: string, settings: QueueSettingsInput): Promise<QueueSettings> {
    return this.#context.connection.write((now) => {
      const current = this.#statements.one<QueueSettingsRow>(QUEUE_SETTINGS, this.#tenant, queue);
      const concurrency = settings.concurrency === undefined ? (current?.concurrency ?? null) : settings.concurrency;
      const paused = settings.paused ?? current?.paused === 1;
      this.#statements.run(UPSERT_QUEUE, this.#tenant, queue, concurrency, paused ? 1 : 0);
      // Unpausing can make waiting work claimable: wake the queue's waiters (a wake-up, not a task event).
      if (current?.paused === 1 && !paused) this.#context.connection.notify(this.#tenant, "ready", "", queue, now);
      return { queue, concurrency, paused };
    });
  }

  async queueStats(queue: string): Promise<QueueStats> {
    return this.#context.connection.read((now) => {
      const tenant = this.#tenant;
      const settings = this.#statements.one<QueueSettingsRow>(QUEUE_SETTINGS, tenant, queue);
      const ready = this.#statements.one<StatsRow>(READY_STATS, tenant, queue);
      const scheduled = this.#statements.one<StatsRow>(SCHEDULED_STATS, now, now, tenant, queue);
      const suspended = this.#statements.one<StatsRow>(SUSPENDED_STATS, now, now, tenant, queue);
      const leased = this.#statements.one<{ n: number }>(LEASED_COUNT, tenant, queue);
      const counts: Record<TaskState, number> = {
        scheduled: (scheduled?.n ?? 0) - (scheduled?.due ?? 0),
        ready: (ready?.n ?? 0) + (scheduled?.due ?? 0) + (suspended?.due ?? 0),
        leased: leased?.n ?? 0,
        completed: 0,
        dead: 0,
        cancelled: 0,
        suspended: (suspended?.n ?? 0) - (suspended?.due ?? 0),
        blocked: 0,
      };
      for (const row of this.#statements.all<{ state: TaskState; n: number }>(COUNT_SETTLED, tenant, queue)) counts[row.state] = row.n;
      const readyTimes = [ready?.oldest, scheduled?.oldest, suspended?.oldest].filter((time): time is number => typeof time === "number");
      return {
        queue,
        concurrency: settings?.concurrency ?? null,
        paused: settings?.paused === 1,
        counts,
        oldestReadyAgeMs: readyTimes.length === 0 ? null : Math.max(0, now - Math.min(...readyTimes)),
      };
    });
  }

  async progress(lease: Lease, progress: Progress): Promise<void> {
    this.#context.connection.write((now) => {
      const { row } = this.#transitions.fence(this.#tenant, lease, now, "other");
      this.#statements.run(SET_PROGRESS, progressText(progress), now, row.seq);
    });
  }

  async appendFrame(lease: Lease, data: Json): Promise<number> {
    return this.#context.connection.write((now) => {
      const { row } = this.#transitions.fence(this.#tenant, lease, now, "other");
      const sequence = this.#statements.one<{ next: number }>(NEXT_FRAME_SEQUENCE, row.seq, row.attempt)?.next ?? 1;
      this.#statements.run(INSERT_FRAME, row.seq, row.attempt, sequence, jsonText(data), now);
      return sequence;
    });
  }

  async readFrames(taskId: string, options?: ReadFramesOptions): Promise<Frame[]> {
    return this.#context.connection.read(() => {
      const row = this.#transitions.find(this.#tenant, taskId);
      if (!row) return [];
      const attempt = options?.attempt ?? row.attempt;
      return this.#statements
        .all<FrameRow>(READ_FRAMES, row.seq, attempt, options?.after ?? 0, options?.limit ?? -1)
        .map((frame) => ({ taskId: row.id, attempt: frame.attempt, sequence: frame.sequence, data: parseJson(frame.data), createdAt: frame.created_at }));
    });
  }

  async waitForWork(queues: readonly string[], options: WaitForWorkOptions): Promise<boolean> {
    return this.#context.feed.waitForWork(this.#tenant, [...new Set(queues)], options);
  }

  async subscribe(filter: SubscribeFilter, onEvent: (event: TaskEvent) => void): Promise<Unsubscribe> {
    return this.#context.feed.subscribe(this.#tenant, filter, onEvent);
  }

  /**
   * Whether a claim in `queues` could grant a lease now: a ready, due or timed-out task in a
   * queue that is not paused or full, of a tenant that is not suspended. Used by waitForWork.
   */
  hasClaimableWork(queues: readonly string[]): boolean {
    return this.#context.connection.read((now) => {
      if (this.#statements.one<{ status: string }>(TENANT_STATUS, this.#tenant)?.status === "suspended") return false;
      return queues.some((queue) => {
        if (this.#allowance(queue, 1, now) === 0) return false;
        const tenant = this.#tenant;
        return this.#statements.one<{ found: number }>(HAS_CLAIMABLE, tenant, queue, now, tenant, queue, now, tenant, queue, now)?.found === 1;
      });
    });
  }

  #assertActiveTenant(operation: string): void {
    if (this.#statements.one<{ status: string }>(TENANT_STATUS, this.#tenant)?.status === "suspended") throw this.#suspendedTenant(operation);
  }

  #suspendedTenant(operation: string): Error {
    return sqliteError("INVALID_STATE", `tenant "${this.#tenant}" is suspended: ${operation} is refused`, tenantSuspendedDetails(this.#tenant));
  }

  #enqueueOne(input: EnqueueInput, now: number): EnqueueResult {
    const task = resolveEnqueue(input, now);
    const tenant = this.#tenant;
    if (task.idempotencyKey !== null) {
      const existing = this.#statements.one<{ task_id: string }>(SELECT_TASK_KEY, tenant, task.queue, task.idempotencyKey, now);
      if (existing) return { id: existing.task_id, created: false };
    }
    const dependencies = task.dependsOn.map((id) => {
      const dependency = this.#transitions.find(tenant, id);
      if (!dependency) throw notFound("task", id, "dependency task");
      return dependency;
    });
    const failed = dependencies.some((dependency) => dependency.state === "dead" || dependency.state === "cancelled");
    const pending = dependencies.filter((dependency) => dependency.state !== "completed").length;
    const state = failed ? "cancelled" : pending > 0 ? "blocked" : task.runAt > now ? "scheduled" : "ready";
    const id = newId(now);
    const inserted = this.#statements.one<{ seq: number }>(
      INSERT_TASK,
      tenant,
      id,
      task.queue,
      state,
      jsonText(asJson(task.payload)),
      task.priority,
      task.runAt,
      task.maxAttempts,
      task.backoff.baseMs,
      task.backoff.factor,
      task.backoff.maxMs,
      failed ? 0 : pending,
      failed ? DEFAULTS.dependencyFailedReason : null,
      task.runId,
      task.idempotencyKey,
      now,
      now,
    );
    if (!inserted) throw new Error("INSERT … RETURNING returned no row");
    dependencies.forEach((dependency, position) => this.#statements.run(INSERT_TASK_DEP, inserted.seq, dependency.seq, position));
    if (task.idempotencyKey !== null) {
      this.#statements.run(UPSERT_TASK_KEY, tenant, task.queue, task.idempotencyKey, id, now + this.#context.limits.dedupTtlMs);
    }
    this.#context.connection.notify(tenant, "enqueued", id, task.queue, now);
    if (failed) this.#context.connection.notify(tenant, "cancelled", id, task.queue, now);
    return { id, created: true };
  }

  /** Claim-side reclaim (E10): the oldest expired leases of the claimed queues, at most 100. */
  #reclaimInQueues(queues: readonly string[], now: number): void {
    if (queues.length === 0) return;
    const limit = DEFAULTS.reclaimLimit;
    const expired = queues.flatMap((queue) => this.#statements.all<TaskRow>(EXPIRED_IN_QUEUE, this.#tenant, queue, now, limit));
    expired.sort((a, b) => (a.lease_expires_at ?? 0) - (b.lease_expires_at ?? 0) || a.seq - b.seq);
    for (const row of expired.slice(0, limit)) this.#transitions.reclaim(row, now);
  }

  /** How many leases a claim may grant in `queue` now: 0 when paused, capped by concurrency (E17). */
  #allowance(queue: string, limit: number, now: number): number {
    return this.#allowanceOf(queue, this.#statements.one<QueueSettingsRow>(QUEUE_SETTINGS, this.#tenant, queue), limit, now);
  }

  #allowanceOf(queue: string, settings: QueueSettingsRow | undefined, limit: number, now: number): number {
    if (!settings) return limit;
    if (settings.paused === 1) return 0;
    if (settings.concurrency === null) return limit;
    const active = this.#statements.one<{ n: number }>(COUNT_ACTIVE_LEASES, this.#tenant, queue, now)?.n ?? 0;
    return Math.max(0, Math.min(limit, settings.concurrency - active));
  }

  #toLease(row: GrantedRow, workerId: string): Lease {
    const lease: Lease = {
      taskId: row.id,
      queue: row.queue,
      payload: parseJson(row.payload),
      attempt: row.attempt,
      epoch: row.epoch,
      leaseId: row.lease_id,
      workerId,
      expiresAt: row.lease_expires_at,
    };
    if (row.resume === null) return lease;
    return { ...lease, signals: this.#transitions.signalsOf(row.seq), ...(row.resume === "timeout" ? { timedOut: true } : {}) };
  }
}

function progressText(progress: Progress): string {
  const recorded: { percent?: number; message?: string } = {};
  if (progress.percent !== undefined) recorded.percent = progress.percent;
  if (progress.message !== undefined) recorded.message = progress.message;
  return JSON.stringify(recorded);
}
