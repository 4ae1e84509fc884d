/**
 * The EngineBackend of one tenant (SPEC section 5): leases, scheduling, signals, dependencies,
 * queue control, progress and streams. Every read-then-write call runs in a `BEGIN IMMEDIATE`
 * transaction, its own or, for `claim`, `complete`, `fail` and `release`, the one it shares with the
 * calls of its tick inside a savepoint (`SqliteConnection.writeBatched`); every holder call is
 * fenced before it writes.
 */
import {
  cancelEach,
  type CancelTasksOptions,
  type ClaimInput,
  type CompleteOptions,
  type CreatedWaitpoint,
  type CreateWaitpointInput,
  DEFAULTS,
  type EngineBackend,
  type EnqueueInput,
  type EnqueueResult,
  type FailOptions,
  type FailResult,
  type Frame,
  type GetSummaryOptions,
  type Json,
  type Lease,
  storedValueColumns,
  type Value,
  type ListDeadLettersRequest,
  type ListTasksRequest,
  newId,
  notDeadDetails,
  type Page,
  type PageRequest,
  type Progress,
  type QueueSettings,
  type QueueSettingsInput,
  type QueueStats,
  type ReadFramesOptions,
  type ReclaimOptions,
  type ReclaimResult,
  type ReleaseOptions,
  type RenewOptions,
  type ReplayOptions,
  resolveEnqueue,
  retryEachDeadLetter,
  type RetryDeadLetterOptions,
  type RetryDeadLettersRequest,
  type RotatedWaitpointSecret,
  type RotateWaitpointSecretOptions,
  type SignalInput,
  type SignalResult,
  type SubscribeFilter,
  type SuspendInput,
  type SuspendResult,
  type TaskEvent,
  type TaskFilter,
  type TaskRecord,
  type TaskSummary,
  type TaskState,
  type TokenSignalInput,
  tenantSuspendedDetails,
  isTerminalTaskState,
  type Unsubscribe,
  type WaitForWorkOptions,
  type WaitpointInfo,
  afterTail,
} from "@mooring/core";
import type { SqliteContext } from "./context.js";
import { FRAME_APPENDED } from "./notifications.js";
import { notFound, sqliteError } from "./errors.js";
import { decodeCursor, jsonText, pageOf, parseJson, valueOfColumns } from "./json.js";
import {
  ATTACH_SIGNAL,
  BLOCK_KEY,
  CHANGE_PRIORITY,
  CLAIM_PROBE,
  FAIR_KEY,
  type FairKeyRow,
  HAS_CLAIMABLE_KEYED,
  FORGET_RATE_GRANTS,
  GRANT_KEY,
  GRANT_TASK,
  type HeadRow,
  INSERT_RATE_GRANT,
  KEY_HEAD,
  KEY_LEASES,
  KEYLESS_HEAD,
  RATE_GRANTS,
  SET_KEY_HEAD,
  UNBLOCK_EXPIRED_KEYS,
  UNBLOCK_QUEUE_KEYS,
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
  type SummaryRow,
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
  LIST_QUEUES,
  LIST_TASKS,
  LIST_TASKS_DESC,
  NEXT_FRAME_SEQUENCE,
  PROMOTE_SCHEDULED,
  PRUNE_EXPIRED_SIGNALS,
  QUEUE_SETTINGS,
  READ_FRAMES,
  READ_SUMMARY,
  UPSERT_SUMMARY,
  READY_STATS,
  RENEW_LEASE,
  RESUME_ON_SIGNALS,
  SCHEDULED_STATS,
  SELECT_SIGNAL_KEY,
  SELECT_TASK_KEY,
  SET_PROGRESS,
  SIGNAL_COLLECTED,
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
  WAITING_TASK,
  WAITING_TASKS,
  type WaitingTaskRow,
} from "./sql/engine.js";
import { effectiveState, requireTask, toSignal } from "./tasks.js";
import { TenantWaitpoints } from "./waitpoints.js";

interface QueueSettingsRow {
  readonly concurrency: number | null;
  readonly paused: number;
  readonly key_concurrency: number | null;
  readonly rate_max: number | null;
  readonly rate_per_ms: number | null;
}

/** A candidate of the fair claim (E20): a queue's first keyless task or first key. */
interface FairCandidate {
  readonly queue: string;
  readonly seq: number;
  readonly priority: number;
  /** The key's last_grant; 0 for a keyless task (a key of its own, never granted). */
  readonly lastGrant: number;
  readonly runAt: number;
  readonly key: string | null;
}

/** Claim order with E20's fairness: priority desc, least recently granted key, ready time, enqueue order. */
function fairBefore(a: FairCandidate, b: FairCandidate): boolean {
  if (a.priority !== b.priority) return a.priority > b.priority;
  if (a.lastGrant !== b.lastGrant) return a.lastGrant < b.lastGrant;
  if (a.runAt !== b.runAt) return a.runAt < b.runAt;
  return a.seq < b.seq;
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
  readonly #waitpoints: TenantWaitpoints;

  constructor(context: SqliteContext, tenant: string) {
    this.#context = context;
    this.#tenant = tenant;
    this.#waitpoints = new TenantWaitpoints(context.statements, tenant);
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
      const allowances = probes.map(({ queue, probe }) => ({
        queue,
        limit: Math.min(this.#allowanceOf(queue, probe, limit, now), this.#rateRoom(queue, probe, now)),
      }));
      if (allowances.every((entry) => entry.limit === 0)) return [];
      let granted: GrantedRow[];
      if (probes.some(({ probe }) => probe?.has_keys === 1)) {
        granted = this.#claimFairly(allowances, probes, request, limit, now);
      } else {
        const params: unknown[] = [request.leaseMs, now + request.leaseMs, request.workerId, now];
        for (const entry of allowances) params.push(this.#tenant, entry.queue, now, entry.limit);
        params.push(limit);
        granted = this.#statements.all<GrantedRow>(this.#context.claimStatement(queues.length), ...params).sort(claimOrder);
      }
      const rateLimited = new Set(probes.filter(({ probe }) => probe?.rate_max != null).map(({ queue }) => queue));
      for (const row of granted) if (rateLimited.has(row.queue)) this.#statements.run(INSERT_RATE_GRANT, this.#tenant, row.queue, now);
      return granted.map((row) => this.#toLease(row, request.workerId));
    });
  }

  /**
   * The claim of queues with concurrency keys (E20): one grant at a time, each to the first
   * candidate in fair order across the queues, each queue offering its first keyless ready task
   * and its first key (concurrency_keys_fair). Every step is a few index probes, so a grant costs
   * O(log n + log keys) whatever the number of keys. Runs in the claim's transaction.
   */
  #claimFairly(
    allowances: readonly { queue: string; limit: number }[],
    probes: readonly { queue: string; probe: ClaimProbeRow | undefined }[],
    request: ClaimInput,
    limit: number,
    now: number,
  ): GrantedRow[] {
    const room = new Map(allowances.map((entry) => [entry.queue, entry.limit]));
    const keyLimits = new Map(probes.map(({ queue, probe }) => [queue, probe?.key_concurrency ?? null]));
    for (const { queue, probe } of probes) {
      if (probe?.has_keys === 1) this.#statements.run(UNBLOCK_EXPIRED_KEYS, this.#tenant, queue, now);
    }
    const granted: GrantedRow[] = [];
    while (granted.length < limit) {
      let best: FairCandidate | undefined;
      for (const [queue, left] of room) {
        if (left <= 0) continue;
        const keyless = this.#statements.one<HeadRow>(KEYLESS_HEAD, this.#tenant, queue, now);
        if (keyless) {
          const candidate = { queue, seq: keyless.seq, priority: keyless.priority, lastGrant: 0, runAt: keyless.run_at, key: null };
          if (best === undefined || fairBefore(candidate, best)) best = candidate;
        }
        const key = this.#fairKey(queue, keyLimits.get(queue) ?? null, now);
        if (key) {
          const candidate = { queue, seq: key.head_seq, priority: key.head_priority, lastGrant: key.last_grant, runAt: key.head_run_at, key: key.key };
          if (best === undefined || fairBefore(candidate, best)) best = candidate;
        }
      }
      if (best === undefined) break;
      const row = this.#statements.one<GrantedRow>(GRANT_TASK, request.leaseMs, now + request.leaseMs, request.workerId, now, best.seq);
      if (!row) throw new Error(`the fair claim chose task ${best.seq}, which it then could not lease`);
      granted.push(row);
      room.set(best.queue, (room.get(best.queue) ?? 0) - 1);
      if (best.key !== null) {
        this.#statements.run(GRANT_KEY, this.#tenant, this.#tenant, best.queue, best.key);
        this.#refreshKeyHead(best.queue, best.key);
        // A key this grant filled leaves the fair order now, so waitForWork does not see it as work.
        this.#blockWhenFull(best.queue, best.key, keyLimits.get(best.queue) ?? null, now);
      }
    }
    return granted;
  }

  /**
   * The first key of `queue` in fair order with a ready task and room under keyConcurrency, or
   * undefined. A key whose head snapshot is stale gets the real head and is looked at again; a
   * key at its limit is blocked until its earliest unexpired lease expires.
   */
  #fairKey(queue: string, keyConcurrency: number | null, now: number): FairKeyRow | undefined {
    for (;;) {
      const key = this.#statements.one<FairKeyRow>(FAIR_KEY, this.#tenant, queue);
      if (!key) return undefined;
      const head = this.#statements.one<HeadRow>(KEY_HEAD, this.#tenant, queue, key.key);
      if (!head || head.seq !== key.head_seq || head.priority !== key.head_priority || head.run_at !== key.head_run_at) {
        this.#refreshKeyHead(queue, key.key, head);
        continue;
      }
      if (this.#blockWhenFull(queue, key.key, keyConcurrency, now)) continue;
      return key;
    }
  }

  /** Blocks a key whose unexpired leases reach keyConcurrency until its earliest one expires (E20); true when it did. */
  #blockWhenFull(queue: string, key: string, keyConcurrency: number | null, now: number): boolean {
    if (keyConcurrency === null) return false;
    const leases = this.#statements.one<{ n: number; earliest: number | null }>(KEY_LEASES, this.#tenant, queue, key, now);
    if ((leases?.n ?? 0) < keyConcurrency) return false;
    this.#statements.run(BLOCK_KEY, leases?.earliest ?? now, this.#tenant, queue, key);
    return true;
  }

  #refreshKeyHead(queue: string, key: string, known?: HeadRow): void {
    const head = known ?? this.#statements.one<HeadRow>(KEY_HEAD, this.#tenant, queue, key);
    this.#statements.run(SET_KEY_HEAD, head?.priority ?? null, head?.run_at ?? null, head?.seq ?? null, this.#tenant, queue, key);
  }

  /** Leases the rate limit lets a claim grant in `queue` now (E21): Infinity without a limit. */
  #rateRoom(queue: string, settings: Pick<QueueSettingsRow, "rate_max" | "rate_per_ms"> | undefined, now: number): number {
    if (settings?.rate_max == null || settings.rate_per_ms == null) return Infinity;
    this.#statements.run(FORGET_RATE_GRANTS, this.#tenant, queue, now - settings.rate_per_ms);
    return Math.max(0, settings.rate_max - this.#rateGrants(queue, settings.rate_per_ms, now).length);
  }

  #rateGrants(queue: string, perMs: number, now: number): number[] {
    return this.#statements.all<{ granted_at: number }>(RATE_GRANTS, this.#tenant, queue, now - perMs).map((row) => row.granted_at);
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
        payload: valueOfColumns(row.payload, row.payload_kind, row.payload_bytes),
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
      if (this.#transitions.completeHeld(this.#tenant, lease, options?.result, now)) return;
      const { row, alreadyCompleted } = this.#transitions.fence(this.#tenant, lease, now, "complete");
      if (!alreadyCompleted) this.#transitions.complete(row, options?.result, now);
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
      return pageOf(rows, request.limit, "dead-letters", (row) => row.dead_seq ?? 0, (row) => this.#transitions.toRecord(row, now));
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
      this.#transitions.revive(row, "retry", now, options?.resetAttempts === true, now);
    });
  }

  /** E26: one transaction; a keyed task's key head is refreshed in it, so the fair claim (E20) orders by the new priority at once. */
  async changePriority(taskId: string, priority: number): Promise<void> {
    this.#context.connection.write((now) => {
      const row = requireTask(this.#transitions.find(this.#tenant, taskId), taskId);
      if (isTerminalTaskState(row.state)) throw wrongState(taskId, row, "a terminal task's priority cannot change", now);
      this.#statements.run(CHANGE_PRIORITY, priority, now, row.seq);
      if (row.concurrency_key !== null) this.#refreshKeyHead(row.queue, row.concurrency_key);
    });
  }

  /** E26: as `retryDeadLetter` revives a dead task (TaskTransitions.revive), for every terminal state. */
  async replay(taskId: string, options: ReplayOptions = {}): Promise<void> {
    this.#context.connection.write((now) => {
      const row = requireTask(this.#transitions.find(this.#tenant, taskId), taskId);
      if (!isTerminalTaskState(row.state)) throw wrongState(taskId, row, "only a completed, dead or cancelled task can be replayed", now);
      this.#transitions.revive(row, "replay", options.runAt ?? now, options.resetAttempts === true, now);
    });
  }

  /** E26: the cursor names its direction, so a walk refuses the other direction's cursor (C5). */
  async listTasks(request: ListTasksRequest): Promise<Page<TaskRecord>> {
    return this.#context.connection.read((now) => {
      const descending = request.order === "desc";
      const kind = descending ? "tasks-desc" : "tasks";
      const position = decodeCursor(kind, request.cursor, "number");
      const filter = {
        tenant: this.#tenant,
        queue: request.queue ?? null,
        state: request.state ?? null,
        run_id: request.runId ?? null,
        concurrency_key: request.concurrencyKey ?? null,
        now,
        limit: request.limit + 1,
      };
      const rows = descending
        ? this.#statements.all<TaskRow>(LIST_TASKS_DESC, { ...filter, before: position ?? Number.MAX_SAFE_INTEGER })
        : this.#statements.all<TaskRow>(LIST_TASKS, { ...filter, after: position ?? 0 });
      return pageOf(rows, request.limit, kind, (row) => row.seq, (row) => this.#transitions.toRecord(row, now));
    });
  }

  /** E26: names and stats read in one snapshot. */
  async listQueues(request: PageRequest): Promise<Page<QueueStats>> {
    return this.#context.connection.read((now) => {
      const after = decodeCursor("queues", request.cursor, "string") ?? "";
      const rows = this.#statements.all<{ queue: string }>(LIST_QUEUES, { tenant: this.#tenant, after, limit: request.limit + 1 });
      return pageOf(rows, request.limit, "queues", (row) => row.queue, (row) => this.#queueStats(row.queue, now));
    });
  }

  /** E26: each task cancelled by `cancel`, in its own transaction (core's cancelEach). */
  async cancelTasks(filter: TaskFilter, options: CancelTasksOptions): Promise<{ cancelled: number }> {
    return cancelEach(this, filter, options);
  }

  /** E26: each task retried by `retryDeadLetter`, in its own transaction (core's retryEachDeadLetter). */
  async retryDeadLetters(request: RetryDeadLettersRequest): Promise<{ retried: number }> {
    return retryEachDeadLetter(this, request);
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
      if (isTerminalTaskState(row.state)) return false;
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
        .flatMap((key) => this.#statements.all<BufferedSignalRow>(BUFFERED_SIGNALS, this.#tenant, key, now, row.seq))
        .sort((a, b) => a.seq - b.seq);
      for (const key of keys) this.#statements.run(CLEAR_BUFFERED_SIGNALS, this.#tenant, key, row.seq, now);
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

  /** A key signal (E15), or a waitpoint's (E25): both delivered by `#deliver`. */
  async signal(input: SignalInput): Promise<SignalResult> {
    return this.#context.connection.write((now) => {
      if (input.token !== undefined) return this.#signalThroughWaitpoint(input, now);
      const repeat = this.#repeatedSignal(input.idempotencyKey, now);
      if (repeat) return repeat;
      const waiting = this.#statements.all<WaitingTaskRow>(WAITING_TASKS, this.#tenant, input.key, now);
      return this.#deliver({ key: input.key, payload: input.payload, idempotencyKey: input.idempotencyKey }, waiting, null, now);
    });
  }

  /**
   * E25: the token is judged in the transaction that delivers, so a rotation or an expiry cannot
   * slip between check and delivery; a refused token writes nothing. The signal goes to the
   * waitpoint's task alone: at once when it is suspended on the key, else buffered for it.
   */
  #signalThroughWaitpoint(input: TokenSignalInput, now: number): SignalResult {
    const waitpoint = this.#waitpoints.verified(input.token, now);
    if (waitpoint.signal_id !== null) return { signalId: waitpoint.signal_id, duplicate: true, deliveredTo: [] };
    const repeat = this.#repeatedSignal(input.idempotencyKey, now);
    if (repeat) return repeat;
    const task = this.#statements.one<WaitingTaskRow>(WAITING_TASK, this.#tenant, waitpoint.key, waitpoint.task_seq, now);
    const signal = { key: waitpoint.key, payload: input.payload, idempotencyKey: input.idempotencyKey };
    const result = this.#deliver(signal, task ? [task] : [], waitpoint.task_seq, now);
    this.#waitpoints.delivered(waitpoint, result.signalId, now);
    return result;
  }

  /** A repeat of a signal idempotency key within its TTL: the first signal's id, nothing written (E15). */
  #repeatedSignal(idempotencyKey: string | undefined, now: number): SignalResult | null {
    if (idempotencyKey === undefined) return null;
    const existing = this.#statements.one<{ signal_id: string }>(SELECT_SIGNAL_KEY, this.#tenant, idempotencyKey, now);
    return existing ? { signalId: existing.signal_id, duplicate: true, deliveredTo: [] } : null;
  }

  /**
   * Delivers a new signal to the `waiting` tasks, resuming those it satisfies (E14), or, when
   * none waits, buffers it for `signalTtlMs`: for the task `target` alone when given (E25), else
   * for any task that suspends on its key (E15). Remembers its idempotency key.
   */
  #deliver(signal: { key: string; payload: Json | undefined; idempotencyKey: string | undefined }, waiting: readonly WaitingTaskRow[], target: number | null, now: number): SignalResult {
    const signalId = newId(now);
    const payload = jsonText(signal.payload);
    for (const task of waiting) {
      this.#statements.run(ATTACH_SIGNAL, task.seq, task.seq, signalId, signal.key, payload, now);
      const signalled = new Set(this.#transitions.signalsOf(task.seq).map((attached) => attached.key));
      if (satisfied(parseJson<string[]>(task.wait_keys), task.wait_mode, signalled)) {
        this.#statements.run(RESUME_ON_SIGNALS, now, now, task.seq);
        this.#statements.run(DELETE_WAITS, task.seq);
        this.#context.connection.notify(this.#tenant, "ready", task.id, task.queue, now);
      } else {
        this.#statements.run(SIGNAL_COLLECTED, now, task.seq);
      }
    }
    if (waiting.length === 0) {
      this.#statements.run(PRUNE_EXPIRED_SIGNALS, this.#tenant, signal.key, now);
      this.#statements.run(INSERT_SIGNAL, this.#tenant, signalId, signal.key, payload, now, now + this.#context.limits.signalTtlMs, target);
    }
    if (signal.idempotencyKey !== undefined) {
      this.#statements.run(UPSERT_SIGNAL_KEY, this.#tenant, signal.idempotencyKey, signalId, now + this.#context.limits.dedupTtlMs);
    }
    return { signalId, duplicate: false, deliveredTo: waiting.map((task) => task.id) };
  }

  /** E25: fenced like every holder call (E5, T4); writes nothing when the fence rejects. */
  async createWaitpoint(lease: Lease, input: CreateWaitpointInput): Promise<CreatedWaitpoint> {
    return this.#context.connection.write((now) => {
      const { row } = this.#transitions.fence(this.#tenant, lease, now, "other");
      return this.#waitpoints.create(row, input, now);
    });
  }

  async listWaitpoints(taskId: string): Promise<WaitpointInfo[]> {
    return this.#context.connection.read((now) => {
      const row = this.#transitions.find(this.#tenant, taskId);
      return row ? this.#waitpoints.list(row, now) : [];
    });
  }

  async rotateWaitpointSecret(options: RotateWaitpointSecretOptions): Promise<RotatedWaitpointSecret> {
    return this.#context.connection.write((now) => this.#waitpoints.rotate(options.graceMs, now));
  }

  async setQueue(queue: string, settings: QueueSettingsInput): Promise<QueueSettings> {
    return this.#context.connection.write((now) => {
      const current = this.#statements.one<QueueSettingsRow>(QUEUE_SETTINGS, this.#tenant, queue);
      const concurrency = settings.concurrency === undefined ? (current?.concurrency ?? null) : settings.concurrency;
      const paused = settings.paused ?? current?.paused === 1;
      const keyConcurrency = settings.keyConcurrency === undefined ? (current?.key_concurrency ?? null) : settings.keyConcurrency;
      const rateLimit =
        settings.rateLimit === undefined
          ? current?.rate_max == null || current.rate_per_ms == null
            ? null
            : { max: current.rate_max, perMs: current.rate_per_ms }
          : settings.rateLimit;
      this.#statements.run(UPSERT_QUEUE, this.#tenant, queue, concurrency, paused ? 1 : 0, keyConcurrency, rateLimit?.max ?? null, rateLimit?.perMs ?? null);
      // Every key's room changed: each is judged again when it reaches the front (E20).
      if (keyConcurrency !== (current?.key_concurrency ?? null)) this.#statements.run(UNBLOCK_QUEUE_KEYS, this.#tenant, queue);
      // Grants count while a limit is set; removing it forgets them (decisions.md, issue 16).
      if (rateLimit === null) this.#statements.run(FORGET_RATE_GRANTS, this.#tenant, queue, Number.MAX_SAFE_INTEGER);
      // Unpausing or a new limit can make waiting work claimable: wake the queue's waiters (a wake-up, not a task event).
      if ((current?.paused === 1 && !paused) || settings.keyConcurrency !== undefined || settings.rateLimit !== undefined) {
        this.#context.connection.notify(this.#tenant, "ready", "", queue, now);
      }
      return settingsOf(queue, { concurrency, paused: paused ? 1 : 0, key_concurrency: keyConcurrency, rate_max: rateLimit?.max ?? null, rate_per_ms: rateLimit?.perMs ?? null });
    });
  }

  async queueStats(queue: string): Promise<QueueStats> {
    return this.#context.connection.read((now) => this.#queueStats(queue, now));
  }

  /** queueStats inside the caller's read (listQueues reads every queue's in one snapshot). */
  #queueStats(queue: string, now: number): QueueStats {
    const tenant = this.#tenant;
    const settings = this.#statements.one<QueueSettingsRow>(QUEUE_SETTINGS, tenant, queue);
    const ready = this.#statements.one<StatsRow>(READY_STATS, { tenant, queue });
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
    const stats: QueueStats = {
      ...settingsOf(queue, settings),
      counts,
      oldestReadyAgeMs: readyTimes.length === 0 ? null : Math.max(0, now - Math.min(...readyTimes)),
    };
    const nextGrantAt = counts.ready > 0 ? this.#nextGrantAt(queue, settings, now) : null;
    return nextGrantAt === null ? stats : { ...stats, nextGrantAt };
  }

  async progress(lease: Lease, progress: Progress): Promise<void> {
    this.#context.connection.write((now) => {
      const { row } = this.#transitions.fence(this.#tenant, lease, now, "other");
      this.#statements.run(SET_PROGRESS, progressText(progress), now, row.seq);
    });
  }

  /** E18; the feed row it writes wakes tailing readers (E28) once it commits. */
  async appendFrame(lease: Lease, data: Value): Promise<number> {
    return this.#context.connection.write((now) => {
      const { row } = this.#transitions.fence(this.#tenant, lease, now, "other");
      const sequence = this.#statements.one<{ next: number }>(NEXT_FRAME_SEQUENCE, row.seq, row.attempt)?.next ?? 1;
      this.#statements.run(INSERT_FRAME, row.seq, row.attempt, sequence, ...storedValueColumns(data), now);
      this.#context.connection.notify(this.#tenant, FRAME_APPENDED, row.id, row.queue, now);
      return sequence;
    });
  }

  /** E28: with `waitMs` and nothing after `after`, woken through the change feed like `waitForEvents`. */
  async readFrames(taskId: string, options: ReadFramesOptions = {}): Promise<Frame[]> {
    const frames = this.#readFrames(taskId, options);
    const waitMs = options.waitMs ?? 0;
    if (frames.length > 0 || waitMs === 0) return frames;
    const wait = { timeoutMs: waitMs, signal: options.signal };
    return afterTail(this.#context.connection, async () => {
      await this.#context.feed.waitForGrowth(this.#tenant, FRAME_APPENDED, taskId, wait, () => this.#readFrames(taskId, { ...options, limit: 1 }).length > 0);
      return this.#readFrames(taskId, options);
    });
  }

  #readFrames(taskId: string, options: ReadFramesOptions): Frame[] {
    return this.#context.connection.read(() => {
      const row = this.#transitions.find(this.#tenant, taskId);
      if (!row) return [];
      const attempt = options.attempt ?? row.attempt;
      return this.#statements
        .all<FrameRow>(READ_FRAMES, row.seq, attempt, options.after ?? 0, options.limit ?? -1)
        .map((frame) => ({ taskId: row.id, attempt: frame.attempt, sequence: frame.sequence, data: valueOfColumns(frame.data, frame.data_kind, frame.data_bytes), createdAt: frame.created_at }));
    });
  }

  async setSummary(lease: Lease, summary: Json): Promise<void> {
    this.#context.connection.write((now) => {
      const { row } = this.#transitions.fence(this.#tenant, lease, now, "other");
      this.#statements.run(UPSERT_SUMMARY, row.seq, row.attempt, jsonText(summary), now);
    });
  }

  async getSummary(taskId: string, options: GetSummaryOptions = {}): Promise<TaskSummary | null> {
    return this.#context.connection.read(() => {
      const row = this.#transitions.find(this.#tenant, taskId);
      const stored = row ? this.#statements.one<SummaryRow>(READ_SUMMARY, row.seq, options.attempt ?? row.attempt) : undefined;
      return stored && row ? { taskId: row.id, attempt: stored.attempt, summary: parseJson(stored.summary), updatedAt: stored.updated_at } : null;
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
        const settings = this.#statements.one<QueueSettingsRow>(QUEUE_SETTINGS, this.#tenant, queue);
        if (this.#allowanceOf(queue, settings, 1, now) === 0) return false;
        // A rate limit at its max holds the work back (E21); the feed's floor poll looks again.
        if (settings?.rate_max != null && settings.rate_per_ms != null && this.#rateGrants(queue, settings.rate_per_ms, now).length >= settings.rate_max) return false;
        const tenant = this.#tenant;
        if (settings?.key_concurrency != null) {
          return this.#statements.one<{ found: number }>(HAS_CLAIMABLE_KEYED, { tenant, queue, now })?.found === 1;
        }
        return this.#statements.one<{ found: number }>(HAS_CLAIMABLE, { tenant, queue, now })?.found === 1;
      });
    });
  }

  /** When the rate limit lets the next lease be granted, or null when it has room (E21). */
  #nextGrantAt(queue: string, settings: QueueSettingsRow | undefined, now: number): number | null {
    if (settings?.rate_max == null || settings.rate_per_ms == null) return null;
    const grants = this.#rateGrants(queue, settings.rate_per_ms, now);
    if (grants.length < settings.rate_max) return null;
    // The grant whose leaving the interval makes room: the (count − max + 1)-th oldest in it.
    return (grants[grants.length - settings.rate_max] as number) + settings.rate_per_ms;
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
      ...storedValueColumns(task.payload),
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
      task.concurrencyKey,
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
      payload: valueOfColumns(row.payload, row.payload_kind, row.payload_bytes),
      attempt: row.attempt,
      epoch: row.epoch,
      leaseId: row.lease_id,
      workerId,
      expiresAt: row.lease_expires_at,
      ...(row.concurrency_key === null ? {} : { concurrencyKey: row.concurrency_key }),
    };
    if (row.resume === null) return lease;
    return { ...lease, signals: this.#transitions.signalsOf(row.seq), ...(row.resume === "timeout" ? { timedOut: true } : {}) };
  }
}

/** INVALID_STATE for an operator call on a task in a state it does not apply to: `{ taskId, state }` as getTask reports the state (E26). */
function wrongState(taskId: string, row: TaskRow, why: string, now: number): Error {
  const state = effectiveState(row, now);
  return sqliteError("INVALID_STATE", `task "${taskId}" is ${state}: ${why}`, notDeadDetails(taskId, state));
}

/** The settings in force; the version 2 members only while set (decisions.md, issue 16). */
function settingsOf(queue: string, row: QueueSettingsRow | undefined): QueueSettings {
  const settings: { -readonly [K in keyof QueueSettings]: QueueSettings[K] } = {
    queue,
    concurrency: row?.concurrency ?? null,
    paused: row?.paused === 1,
  };
  if (row?.key_concurrency != null) settings.keyConcurrency = row.key_concurrency;
  if (row?.rate_max != null && row.rate_per_ms != null) settings.rateLimit = { max: row.rate_max, perMs: row.rate_per_ms };
  return settings;
}

function progressText(progress: Progress): string {
  const recorded: { percent?: number; message?: string } = {};
  if (progress.percent !== undefined) recorded.percent = progress.percent;
  if (progress.message !== undefined) recorded.message = progress.message;
  return JSON.stringify(recorded);
}
