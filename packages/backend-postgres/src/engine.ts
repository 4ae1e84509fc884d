/**
 * EngineBackend on Postgres (SPEC E1-E19, E25, E28): leases with fencing epochs, claims in one
 * statement with SKIP LOCKED, batch completion, retries with backoff, dead letters, signals and
 * signed waitpoints, dependencies, queue control, progress, streams and LISTEN/NOTIFY.
 *
 * Hot paths (enqueue of plain tasks, claim, complete, renew, progress, appendFrame) are one
 * statement each, carrying the epoch in their WHERE clause; when one matches no row, the fence
 * (fence.ts) says why. Claims and completions made in the same turn of the event loop share their
 * statement (claims.ts, completions.ts). Every other call is one transaction that locks the task
 * first.
 */
import { randomBytes } from "node:crypto";
import {
  type CancelTasksOptions,
  cancelEach,
  type ClaimInput,
  type CompleteOptions,
  type CreatedWaitpoint,
  type CreateWaitpointInput,
  DEFAULTS,
  type EngineBackend,
  enforceFence,
  type EnqueueInput,
  type EnqueueResult,
  type FailOptions,
  type FailResult,
  type FencedLease,
  type Frame,
  type GetSummaryOptions,
  type Json,
  type KeySignalInput,
  type Lease,
  type ListDeadLettersRequest,
  type ListTasksRequest,
  MooringError,
  newId,
  newLeaseIds,
  notDeadDetails,
  type Page,
  type PageRequest,
  parseWaitpointToken,
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
  type ReplayOptions,
  type RetryDeadLetterOptions,
  type RetryDeadLettersRequest,
  retryEachDeadLetter,
  type RotatedWaitpointSecret,
  type RotateWaitpointSecretOptions,
  type Signal,
  type SignalInput,
  type SignalResult,
  signWaitpointToken,
  type SubscribeFilter,
  type SuspendInput,
  type SuspendResult,
  TASK_STATES,
  type TaskEvent,
  type TaskFilter,
  type TaskEventKind,
  type TaskRecord,
  type TaskSummary,
  type TaskState,
  tenantSuspendedDetails,
  isTerminalTaskState,
  type TokenSignalInput,
  type Unsubscribe,
  type WaitForWorkOptions,
  waitpointFingerprint,
  type WaitpointInfo,
  verifyWaitpointToken,
  waitpointRefusedError,
  type WaitpointState,
  decodeStoredValue,
  storedValueColumns,
  type Value,
  afterTail,
} from "@mooring/core";
import type { SlottedLease } from "./claims.js";
import { type BackendContext, Outbox } from "./context.js";
import { decodeCursor, encodeCursor, pageOf } from "./cursor.js";
import type { Queryable } from "./database.js";
import { isAmbiguous, notFound } from "./errors.js";
import { type FenceRow, judgeFenceRow } from "./fence.js";
import { type LeaseRow, jsonText, leaseOf, shownState, type StoredSignal, storeSignal, taskRecord, type TaskRow } from "./rows.js";
import { type AttemptRow, cancelDependents, completeHeld, failHeld, holdTask, type LockedTask, lockTask, retryTime } from "./settlement.js";
import { currentWaitpointSecret, rotateWaitpointSecrets, storedWaitpointSecret } from "./waitpoint-secrets.js";

/** A task input with its defaults applied and its id chosen. */
interface PreparedTask {
  readonly id: string;
  readonly queue: string;
  /** The payload's json text, kind marker and bytes (SPEC W13). */
  readonly payload: [text: string, kind: string | null, bytes: Buffer | null];
  readonly priority: number;
  /** Null: the statement's now. */
  readonly runAt: number | null;
  readonly maxAttempts: number;
  readonly backoff: { readonly baseMs: number; readonly factor: number; readonly maxMs: number };
  readonly idempotencyKey: string | null;
  readonly dependsOn: readonly string[];
  readonly runId: string | null;
  readonly concurrencyKey: string | null;
}

/** The state a task is inserted in, with what goes with it. */
interface Admission {
  readonly state: "queued" | "blocked" | "cancelled";
  readonly pending: number;
  readonly cancelReason: string | null;
}

interface ClaimRow extends LeaseRow {
  readonly slot: number;
  readonly suspended: boolean;
  readonly needs_lock: boolean;
  readonly has_expired: boolean;
  /** tasks-claim-limited only: the fair claim picked a task its lease UPDATE could not see. */
  readonly unleased_picks?: boolean;
}

interface FenceReadRow extends FenceRow {
  readonly has_dependents: boolean;
  readonly now: number;
}

/** A queue's settings row as queue-set and queue-stats return it. */
interface QueueSettingsRow {
  readonly queue: string;
  readonly concurrency: number | null;
  readonly paused: boolean;
  readonly rate_max: number | null;
  readonly rate_per_ms: number | null;
  readonly key_concurrency: number | null;
}

/** The settings in force; the key limit and the rate limit only while set (docs/decisions.md, issue 16). */
function settingsOf(row: QueueSettingsRow): QueueSettings {
  return {
    queue: row.queue,
    concurrency: row.concurrency,
    paused: row.paused,
    ...(row.key_concurrency === null ? {} : { keyConcurrency: Number(row.key_concurrency) }),
    ...(row.rate_max === null || row.rate_per_ms === null ? {} : { rateLimit: { max: Number(row.rate_max), perMs: Number(row.rate_per_ms) } }),
  };
}

function suspendedTenant(tenantId: string, operation: string): MooringError {
  return new MooringError("INVALID_STATE", `tenant ${tenantId} is suspended: it accepts no ${operation} (SPEC T2)`, {
    backend: "postgres",
    details: tenantSuspendedDetails(tenantId),
  });
}

/**
 * The slots of leases recovered by their claim token: the statement gave each worker's slots in
 * claim order, so the n-th lease of a worker took that worker's n-th slot.
 */
function recoveredSlots(rows: readonly LeaseRow[], workers: readonly string[]): SlottedLease[] {
  const taken = new Set<number>();
  const slotted: SlottedLease[] = [];
  for (const row of rows) {
    const index = workers.findIndex((worker, at) => worker === row.worker_id && !taken.has(at));
    if (index === -1) continue;
    taken.add(index);
    slotted.push({ slot: index + 1, lease: leaseOf(row) });
  }
  return slotted;
}

/** A waitpoint as waitpoints-list returns it. */
interface WaitpointRow {
  readonly id: string;
  readonly task_id: string;
  readonly key: string;
  readonly kid: string;
  readonly fingerprint: string;
  readonly expires_at: number;
  readonly created_at: number;
  readonly state: WaitpointState;
  readonly signal_id: string | null;
  readonly delivered_at: number | null;
}

/** Whether `signals` satisfy a suspension on `keys` (SPEC E14): one key signalled, or every key. */
function satisfied(keys: readonly string[], mode: string, signals: readonly { readonly key: string }[]): boolean {
  const signalled = (key: string): boolean => signals.some((signal) => signal.key === key);
  return mode === "all" ? keys.every(signalled) : keys.some(signalled);
}

/** INVALID_STATE for a locked task in a state the operator call does not apply to (SPEC E12, E26). */
function wrongState(task: LockedTask, why: string): MooringError {
  const state = shownState(task.state, task.run_at, task.now);
  return new MooringError("INVALID_STATE", `task ${task.id} is ${state}: ${why}`, { backend: "postgres", details: notDeadDetails(task.id, state) });
}

export class PostgresEngine implements EngineBackend {
  readonly #context: BackendContext;
  readonly #tenantId: string;

  constructor(context: BackendContext, tenantId: string) {
    this.#context = context;
    this.#tenantId = tenantId;
  }

  // -------------------------------------------------------------------------------------------
  // Enqueue (SPEC E1, E2, E16, T2)

  async enqueue(task: EnqueueInput): Promise<EnqueueResult> {
    const [result] = await this.#enqueue([task]);
    if (!result) throw new Error("enqueue of one task returned no result");
    return result;
  }

  async enqueueMany(tasks: readonly EnqueueInput[]): Promise<EnqueueResult[]> {
    return this.#enqueue(tasks);
  }

  /**
   * Ids are chosen before any statement runs, so every path is safe to repeat after a lost
   * connection: a task already inserted is not inserted again, and a key it holds is its own.
   */
  async #enqueue(inputs: readonly EnqueueInput[]): Promise<EnqueueResult[]> {
    const { db } = this.#context;
    const idTime = db.nowParam() ?? Date.now();
    const tasks = inputs.map((input): PreparedTask => {
      const resolved = resolveEnqueue(input, 0);
      return {
        id: newId(idTime),
        queue: resolved.queue,
        payload: storedValueColumns(resolved.payload),
        priority: resolved.priority,
        runAt: input.runAt ?? null,
        maxAttempts: resolved.maxAttempts,
        backoff: resolved.backoff,
        idempotencyKey: resolved.idempotencyKey,
        dependsOn: resolved.dependsOn,
        runId: resolved.runId,
        concurrencyKey: resolved.concurrencyKey,
      };
    });
    const plain = tasks.every((task) => task.idempotencyKey === null && task.dependsOn.length === 0);
    if (plain && tasks.length > 0) {
      const inserted = await db.query<{ id: string }>("tasks-insert", this.#insertValues(db.nowParam(), tasks, () => ({ state: "queued", pending: 0, cancelReason: null })), "safe");
      if (inserted.length < tasks.length && (await this.#tenantSuspended(db))) throw suspendedTenant(this.#tenantId, "enqueues");
      return tasks.map((task) => ({ id: task.id, created: true }));
    }
    return db.transaction(async (tx) => {
      if (await this.#tenantSuspended(tx)) throw suspendedTenant(this.#tenantId, "enqueues");
      const now = db.nowParam();
      const results: EnqueueResult[] = [];
      let segment: PreparedTask[] = [];
      const flush = async (): Promise<void> => {
        if (segment.length === 0) return;
        await tx.query("tasks-insert", this.#insertValues(now, segment, () => ({ state: "queued", pending: 0, cancelReason: null })));
        segment = [];
      };
      for (const task of tasks) {
        if (task.idempotencyKey === null && task.dependsOn.length === 0) {
          segment.push(task);
          results.push({ id: task.id, created: true });
          continue;
        }
        await flush();
        if (task.idempotencyKey !== null) {
          const holder = await this.#takeEnqueueKey(tx, now, task);
          if (holder !== task.id) {
            results.push({ id: holder, created: false });
            continue;
          }
        }
        const admission = await this.#admit(tx, task);
        await tx.query("tasks-insert", this.#insertValues(now, [task], () => admission));
        if (task.dependsOn.length > 0) await tx.query("dependencies-insert", [this.#tenantId, task.id, task.dependsOn]);
        results.push({ id: task.id, created: true });
      }
      await flush();
      return results;
    }, "safe");
  }

  /** The task holding the key: `task.id` when this enqueue took it (SPEC E2). */
  async #takeEnqueueKey(tx: Queryable, now: number | null, task: PreparedTask): Promise<string> {
    const { limits } = this.#context;
    const taken = await tx.query<{ task_id: string }>("enqueue-key-claim", [now, this.#tenantId, task.queue, task.idempotencyKey, task.id, limits.dedupTtlMs]);
    if (taken.length > 0) return task.id;
    const [holder] = await tx.query<{ task_id: string }>("enqueue-key-find", [this.#tenantId, task.queue, task.idempotencyKey]);
    if (!holder) throw new Error("an idempotency key that refused the enqueue has no holder");
    return holder.task_id;
  }

  /**
   * Locks the dependencies and decides the new task's state (SPEC E16): cancelled when one died
   * or was cancelled, blocked while some are not completed, else queued.
   * @throws NOT_FOUND for a dependency the tenant does not have.
   */
  async #admit(tx: Queryable, task: PreparedTask): Promise<Admission> {
    if (task.dependsOn.length === 0) return { state: "queued", pending: 0, cancelReason: null };
    const sorted = [...new Set(task.dependsOn)].sort();
    const lock = (): Promise<{ id: string; state: string }[]> => tx.query("dependencies-lock", [this.#tenantId, sorted]);
    let rows = await lock();
    // A dependency completed by a concurrent transaction while its row was awaited reads as absent
    // once (see dependencies-lock); a second read, with a new snapshot, finds it completed.
    if (rows.length < sorted.length) rows = await lock();
    const states = new Map(rows.map((row) => [row.id, row.state]));
    const missing = task.dependsOn.find((id) => !states.has(id));
    if (missing !== undefined) {
      throw notFound("task", missing, "dependency");
    }
    const values = [...states.values()];
    if (values.some((state) => state === "dead" || state === "cancelled")) {
      return { state: "cancelled", pending: 0, cancelReason: DEFAULTS.dependencyFailedReason };
    }
    const pending = values.filter((state) => state !== "completed").length;
    return pending > 0 ? { state: "blocked", pending, cancelReason: null } : { state: "queued", pending: 0, cancelReason: null };
  }

  #insertValues(now: number | null, tasks: readonly PreparedTask[], admission: (task: PreparedTask) => Admission): unknown[] {
    const admitted = tasks.map(admission);
    return [
      now,
      this.#tenantId,
      tasks.map((task) => task.id),
      tasks.map((task) => task.queue),
      tasks.map((task) => task.payload[0]),
      tasks.map((task) => task.priority),
      tasks.map((task) => task.runAt),
      tasks.map((task) => task.maxAttempts),
      tasks.map((task) => task.backoff.baseMs),
      tasks.map((task) => task.backoff.factor),
      tasks.map((task) => task.backoff.maxMs),
      tasks.map((task) => task.idempotencyKey),
      tasks.map((task) => task.runId),
      admitted.map((entry) => entry.state),
      admitted.map((entry) => entry.pending),
      admitted.map((entry) => entry.cancelReason),
      this.#context.channel,
      tasks.map((task) => task.payload[1]),
      tasks.map((task) => task.payload[2]),
      tasks.map((task) => task.concurrencyKey),
    ];
  }

  async #tenantSuspended(queryable: Queryable): Promise<boolean> {
    const [row] = await queryable.query<{ suspended: boolean }>("tenant-suspended", [this.#tenantId]);
    return row?.suspended === true;
  }

  // -------------------------------------------------------------------------------------------
  // Claim and reclaim (SPEC E3, E4, E10, E11, E17)

  claim(request: ClaimInput): Promise<Lease[]> {
    return this.#context.claims.claim(this.#tenantId, request, request.limit ?? DEFAULTS.claimLimit, this);
  }

  /**
   * Grants leases for the slots of the claims of one moment (see claims.ts): one statement, or a
   * transaction that locks the queues' settings when a concurrency or rate limit applies or a
   * queue has concurrency keys (whose claim then picks fairly, migrations 0007 and 0008); then reclaims
   * the expired leases of those queues (E10).
   */
  async claimSlots(queues: readonly string[], leaseMs: number, workers: readonly string[]): Promise<SlottedLease[]> {
    // 96 random bits name the claim among every other; short, since each lease it grants stores it.
    const token = randomBytes(12).toString("base64url");
    let rows: ClaimRow[];
    try {
      rows = await this.#claimRows(queues, leaseMs, workers, token);
    } catch (error) {
      if (!isAmbiguous(error)) throw error;
      // The connection died before the answer came: a claim that was applied left its token on
      // the leases it granted. Only when none did is it safe to claim again.
      const recovered = await this.#context.db.query<LeaseRow>("claim-recover", [this.#tenantId, queues, token], "safe");
      if (recovered.length > 0) return recoveredSlots(recovered, workers);
      rows = await this.#claimRows(queues, leaseMs, workers, token);
    }
    const flags = rows[0];
    if (flags?.suspended) throw suspendedTenant(this.#tenantId, "claims");
    const granted = rows.filter((row) => row.id !== null).map((row) => ({ slot: row.slot, lease: leaseOf(row) }));
    if (flags?.has_expired) {
      // Reclaiming after granting grants the same leases: a reclaimed task is retried after a
      // backoff of at least 1 ms, or is dead, so it was not claimable now either way. A failure
      // here must not lose the leases already granted; the next claim or sweep reclaims.
      await this.#reclaim(queues, DEFAULTS.reclaimLimit).catch(() => undefined);
    }
    return granted;
  }

  async #claimRows(queues: readonly string[], leaseMs: number, workers: readonly string[], token: string): Promise<ClaimRow[]> {
    const { db } = this.#context;
    // One leaseId per slot (SPEC T4), the same for both tries: the first granted nothing.
    const leaseIds = newLeaseIds(workers.length);
    const values = [db.nowParam(), this.#tenantId, queues, workers, leaseMs, token, leaseIds];
    const rows = await db.query<ClaimRow>("tasks-claim", values);
    if (!rows[0]?.needs_lock) return rows;
    // A limited queue (E17, E20, E21): claims of it take turns on its settings row.
    return db.transaction(async (tx) => {
      await tx.query("queues-lock", [this.#tenantId, queues]);
      const limited = await tx.query<ClaimRow>("tasks-claim-limited", values);
      // A task enqueued while the fair claim ran, picked but not leased, blocked its key (see the statement).
      if (limited[0]?.unleased_picks) await tx.query("keys-rejudge", [db.nowParam(), this.#tenantId, queues]);
      return limited;
    });
  }

  async reclaimExpired(options?: ReclaimOptions): Promise<ReclaimResult> {
    const { db, limits } = this.#context;
    // The sweeper also removes what TTLs made invisible, so that expired rows do not pile up.
    await db.query("expired-purge", [db.nowParam(), this.#tenantId, DEFAULTS.reclaimLimit * 10, limits.dedupTtlMs, limits.signalTtlMs], "safe");
    return this.#reclaim(null, options?.limit ?? DEFAULTS.reclaimLimit);
  }

  /** Settles up to `limit` expired leases (of `queues`, or all), each exactly once (SPEC E10, E11). */
  async #reclaim(queues: readonly string[] | null, limit: number): Promise<ReclaimResult> {
    const { db } = this.#context;
    return db.transaction(async (tx) => {
      const rows =
        queues === null
          ? await tx.query<AttemptRow>("leases-expired-lock", [db.nowParam(), this.#tenantId, limit])
          : await tx.query<AttemptRow>("leases-expired-lock-in-queues", [db.nowParam(), this.#tenantId, limit, queues]);
      const first = rows[0];
      if (!first) return { retried: [], deadLettered: [] };
      const now = first.now;
      // An expiry consumes the attempt like a retryable failure (SPEC E10).
      const runAts = rows.map((row) => retryTime(row, true));
      const retry = runAts.map((runAt) => runAt !== null);
      await tx.query("leases-expired-settle", [now, this.#tenantId, rows.map((row) => row.id), retry, runAts, jsonText(DEFAULTS.leaseExpiredError), this.#context.deathOrder]);
      const outbox = new Outbox();
      const result: { retried: string[]; deadLettered: string[] } = { retried: [], deadLettered: [] };
      const doomedParents: string[] = [];
      rows.forEach((row, index) => {
        outbox.add("lease_expired", row.queue, row.id);
        if (retry[index]) {
          result.retried.push(row.id);
          outbox.add("work", row.queue, null);
        } else {
          result.deadLettered.push(row.id);
          outbox.add("dead", row.queue, row.id);
          if (row.has_dependents) doomedParents.push(row.id);
        }
      });
      await cancelDependents(tx, this.#tenantId, doomedParents, now, outbox);
      await outbox.send(tx, this.#context, this.#tenantId, now);
      return result;
    });
  }

  // -------------------------------------------------------------------------------------------
  // Holder calls (SPEC E5-E9, E12, E14, E18)

  async renew(lease: Lease, options?: RenewOptions): Promise<Lease> {
    const { db } = this.#context;
    const progress = options?.progress === undefined ? null : jsonText(options.progress as Json);
    for (let attempt = 0; ; attempt++) {
      // Repeating a renew after a lost connection extends the same lease again: safe.
      const [row] = await db.query<LeaseRow>("task-renew", [db.nowParam(), this.#tenantId, lease.taskId, lease.epoch, options?.leaseMs ?? null, progress, lease.leaseId], "safe");
      if (row) return leaseOf({ ...row, resume_signals: null, resume_timed_out: false });
      await this.#rejectUnapplied(lease, attempt);
    }
  }

  complete(lease: Lease, options?: CompleteOptions): Promise<void> {
    return this.#context.completions.complete(this.#tenantId, lease, options?.result, this);
  }

  /** The transactional complete, for tasks with dependents (see completions.ts). */
  async completeInTransaction(lease: FencedLease, result: Value | undefined): Promise<void> {
    await this.#context.db.transaction(async (tx) => {
      const { task, repeat } = await holdTask(tx, this.#context, this.#tenantId, lease, "complete");
      if (repeat) return;
      const outbox = new Outbox();
      await completeHeld(tx, this.#context, this.#tenantId, task, lease.epoch, result, outbox);
      await outbox.send(tx, this.#context, this.#tenantId, task.now);
    }, "safe");
  }

  async fail(lease: Lease, options: FailOptions): Promise<FailResult> {
    return this.#context.db.transaction(async (tx) => {
      const { task } = await holdTask(tx, this.#context, this.#tenantId, lease, "other");
      const outbox = new Outbox();
      const result = await failHeld(tx, this.#context, this.#tenantId, task, lease.epoch, options.error, options.retryable ?? true, outbox);
      await outbox.send(tx, this.#context, this.#tenantId, task.now);
      return result;
    });
  }

  async release(lease: Lease, options?: ReleaseOptions): Promise<void> {
    await this.#context.db.transaction(async (tx) => {
      const { task } = await holdTask(tx, this.#context, this.#tenantId, lease, "other");
      await tx.query("task-release", [task.now, this.#tenantId, task.id, lease.epoch, options?.runAt ?? null]);
      const outbox = new Outbox();
      outbox.add("work", task.queue, null);
      await outbox.send(tx, this.#context, this.#tenantId, task.now);
    });
  }

  async moveToDeadLetter(lease: Lease, error: Json): Promise<void> {
    await this.#context.db.transaction(async (tx) => {
      const { task } = await holdTask(tx, this.#context, this.#tenantId, lease, "other");
      const outbox = new Outbox();
      await failHeld(tx, this.#context, this.#tenantId, task, lease.epoch, error, false, outbox);
      await outbox.send(tx, this.#context, this.#tenantId, task.now);
    });
  }

  async progress(lease: Lease, progress: Progress): Promise<void> {
    const { db } = this.#context;
    for (let attempt = 0; ; attempt++) {
      const rows = await db.query("task-progress", [db.nowParam(), this.#tenantId, lease.taskId, lease.epoch, jsonText(progress as Json), lease.leaseId], "safe");
      if (rows.length > 0) return;
      await this.#rejectUnapplied(lease, attempt);
    }
  }

  async appendFrame(lease: Lease, data: Value): Promise<number> {
    const { db, channel } = this.#context;
    const [text, kind, bytes] = storedValueColumns(data);
    for (let attempt = 0; ; attempt++) {
      const [row] = await db.query<{ sequence: number }>("frame-append", [db.nowParam(), this.#tenantId, lease.taskId, lease.epoch, text, lease.leaseId, kind, bytes, channel]);
      if (row) return row.sequence;
      await this.#rejectUnapplied(lease, attempt);
    }
  }

  async setSummary(lease: Lease, summary: Json): Promise<void> {
    const { db } = this.#context;
    for (let attempt = 0; ; attempt++) {
      const rows = await db.query("summary-set", [db.nowParam(), this.#tenantId, lease.taskId, lease.epoch, jsonText(summary), lease.leaseId], "safe");
      if (rows.length > 0) return;
      await this.#rejectUnapplied(lease, attempt);
    }
  }

  /**
   * A fenced statement matched no row: throws the fence's error. When the fence finds the lease
   * valid after all (the row changed in between), returns so that the caller tries again.
   */
  async #rejectUnapplied(lease: Lease, attempt: number): Promise<void> {
    const { db } = this.#context;
    const [row] = await db.query<FenceReadRow>("tasks-fence", [db.nowParam(), [this.#tenantId], [lease.taskId]], "safe");
    enforceFence(judgeFenceRow(row, lease, row?.now ?? 0, "other"), "postgres");
    if (attempt >= 3) {
      throw new MooringError("UNAVAILABLE", `the lease on task ${lease.taskId} kept changing under concurrent calls; try again`, { backend: "postgres" });
    }
  }

  async suspend(lease: Lease, input: SuspendInput): Promise<SuspendResult> {
    const { limits } = this.#context;
    const keys = [...new Set(input.keys)];
    const mode = input.mode ?? "any";
    return this.#context.db.transaction(async (tx) => {
      const { task } = await holdTask(tx, this.#context, this.#tenantId, lease, "other");
      await tx.query("signal-keys-lock", [this.#context.signalLockScope, this.#tenantId, [...keys].sort(), task.now]);
      const taken = (await tx.query<{ id: string; key: string; payload: Json; created_at: number }>("signal-buffer-take", [task.now, this.#tenantId, keys, limits.signalTtlMs, task.id])).map(
        (row): Signal => ({ signalId: row.id, key: row.key, payload: row.payload, createdAt: row.created_at }),
      );
      if (satisfied(keys, mode, taken)) {
        await tx.query("task-forget-resumption", [this.#tenantId, task.id, lease.epoch]);
        return { suspended: false, signals: taken };
      }
      await tx.query("task-suspend", [task.now, this.#tenantId, task.id, lease.epoch, keys, mode, input.timeoutAt ?? null, JSON.stringify(taken.map(storeSignal))]);
      if (input.timeoutAt !== undefined && input.timeoutAt <= task.now) {
        const outbox = new Outbox();
        outbox.add("work", task.queue, null);
        await outbox.send(tx, this.#context, this.#tenantId, task.now);
      }
      return { suspended: true };
    });
  }

  // -------------------------------------------------------------------------------------------
  // Signals and waitpoints (SPEC E15, E25)

  signal(input: SignalInput): Promise<SignalResult> {
    return input.token === undefined ? this.#signalKey(input) : this.#signalWaitpoint(input);
  }

  async #signalKey(input: KeySignalInput): Promise<SignalResult> {
    const { db } = this.#context;
    const signalId = newId(db.nowParam() ?? Date.now());
    return db.transaction(async (tx) => {
      const now = await this.#lockSignalKey(tx, input.key, db.nowParam());
      const holder = await this.#takeSignalKey(tx, now, input.idempotencyKey, signalId);
      if (holder !== null) return { signalId: holder, duplicate: true, deliveredTo: [] };
      const deliveredTo = await this.#deliverSignal(tx, { signalId, key: input.key, payload: input.payload ?? null, createdAt: now }, null);
      return { signalId, duplicate: false, deliveredTo };
    });
  }

  /**
   * Judges the token and delivers in one transaction, at one time (the judgement's), so that a
   * rotation or an expiry cannot come between. The waitpoint's row is locked before its key: a
   * second use of the token waits for the first and finds the waitpoint delivered.
   */
  async #signalWaitpoint(input: TokenSignalInput): Promise<SignalResult> {
    const { db } = this.#context;
    const parsed = parseWaitpointToken(input.token);
    const signalId = newId(db.nowParam() ?? Date.now());
    return db.transaction(async (tx) => {
      const { now, secret } = await storedWaitpointSecret(tx, this.#context, this.#tenantId, parsed?.kid ?? null);
      const waitpointId = verifyWaitpointToken(parsed, this.#tenantId, secret, now).claims.waitpointId;
      const [waitpoint] = await tx.query<{ task_id: string; key: string; signal_id: string | null }>("waitpoint-lock", [this.#tenantId, waitpointId]);
      if (!waitpoint) throw waitpointRefusedError("unknown_waitpoint");
      if (waitpoint.signal_id !== null) return { signalId: waitpoint.signal_id, duplicate: true, deliveredTo: [] };
      await this.#lockSignalKey(tx, waitpoint.key, now);
      const holder = await this.#takeSignalKey(tx, now, input.idempotencyKey, signalId);
      if (holder !== null) return { signalId: holder, duplicate: true, deliveredTo: [] };
      const deliveredTo = await this.#deliverSignal(tx, { signalId, key: waitpoint.key, payload: input.payload ?? null, createdAt: now }, waitpoint.task_id);
      await tx.query("waitpoint-deliver", [now, this.#tenantId, waitpointId, signalId]);
      return { signalId, duplicate: false, deliveredTo };
    });
  }

  /** Takes the signal key's lock (see signal-keys-lock); returns the time the transaction uses. */
  async #lockSignalKey(tx: Queryable, key: string, now: number | null): Promise<number> {
    const [lock] = await tx.query<{ now: number }>("signal-keys-lock", [this.#context.signalLockScope, this.#tenantId, [key], now]);
    if (!lock) throw new Error("signal-keys-lock returned no row");
    return lock.now;
  }

  /** The signal that holds `idempotencyKey` when a live one does, else null, the key now `signalId`'s (SPEC E15). */
  async #takeSignalKey(tx: Queryable, now: number, idempotencyKey: string | undefined, signalId: string): Promise<string | null> {
    if (idempotencyKey === undefined) return null;
    const taken = await tx.query("signal-key-claim", [now, this.#tenantId, idempotencyKey, signalId, this.#context.limits.dedupTtlMs]);
    if (taken.length > 0) return null;
    const [holder] = await tx.query<{ signal_id: string }>("signal-key-find", [this.#tenantId, idempotencyKey]);
    if (!holder) throw new Error("a signal idempotency key that refused the signal has no holder");
    return holder.signal_id;
  }

  /**
   * Delivers `signal` to every task suspended on its key (to `target` only, when given), resuming
   * those it satisfies, or buffers it (for `target` alone, when given) when none waits. Returns
   * the ids of the tasks it was delivered to. The caller holds the key's lock.
   */
  async #deliverSignal(tx: Queryable, signal: Signal, target: string | null): Promise<string[]> {
    const now = signal.createdAt;
    const waiting = await tx.query<{ id: string; queue: string; suspend_keys: string[]; suspend_mode: string; signals: StoredSignal[] | null }>("signal-waiting-tasks", [
      now,
      this.#tenantId,
      signal.key,
      target,
    ]);
    if (waiting.length === 0) {
      await tx.query("signal-buffer-insert", [now, this.#tenantId, signal.signalId, signal.key, jsonText(signal.payload), target]);
      return [];
    }
    const stored = storeSignal(signal);
    const delivered = waiting.map((task) => {
      const signals = [...(task.signals ?? []), stored];
      return { task, signals, resumed: satisfied(task.suspend_keys, task.suspend_mode, signals) };
    });
    await tx.query("signal-deliver", [
      now,
      this.#tenantId,
      delivered.map((entry) => entry.task.id),
      delivered.map((entry) => JSON.stringify(entry.signals)),
      delivered.map((entry) => entry.resumed),
    ]);
    const outbox = new Outbox();
    for (const entry of delivered) if (entry.resumed) outbox.add("work", entry.task.queue, null);
    await outbox.send(tx, this.#context, this.#tenantId, now);
    return waiting.map((task) => task.id);
  }

  /**
   * Fenced like every holder call: the task's row is locked and judged first, so a rejected call
   * writes nothing (not even the tenant's first secret, which rolls back with it).
   */
  async createWaitpoint(lease: Lease, input: CreateWaitpointInput): Promise<CreatedWaitpoint> {
    return this.#context.db.transaction(async (tx) => {
      const { task } = await holdTask(tx, this.#context, this.#tenantId, lease, "other");
      const secret = await currentWaitpointSecret(tx, this.#context, this.#tenantId, task.now);
      const waitpointId = newId(task.now);
      const expiresAt = task.now + input.expiresInMs;
      const token = signWaitpointToken({ tenantId: this.#tenantId, taskId: task.id, key: input.key, expiresAt, waitpointId }, secret);
      await tx.query("waitpoint-insert", [task.now, this.#tenantId, waitpointId, task.id, input.key, secret.kid, waitpointFingerprint(token), expiresAt]);
      return { waitpointId, token, expiresAt };
    });
  }

  async listWaitpoints(taskId: string): Promise<WaitpointInfo[]> {
    const { db } = this.#context;
    const rows = await db.query<WaitpointRow>("waitpoints-list", [db.nowParam(), this.#tenantId, taskId], "safe");
    return rows.map((row) => ({
      waitpointId: row.id,
      taskId: row.task_id,
      key: row.key,
      kid: row.kid,
      fingerprint: row.fingerprint,
      expiresAt: row.expires_at,
      createdAt: row.created_at,
      state: row.state,
      signalId: row.signal_id,
      deliveredAt: row.delivered_at,
    }));
  }

  rotateWaitpointSecret(options: RotateWaitpointSecretOptions): Promise<RotatedWaitpointSecret> {
    return this.#context.db.transaction((tx) => rotateWaitpointSecrets(tx, this.#context, this.#tenantId, options.graceMs));
  }

  // -------------------------------------------------------------------------------------------
  // Dead letters and operator calls (SPEC E12, E13, E26)

  async listDeadLetters(request: ListDeadLettersRequest): Promise<Page<TaskRecord>> {
    const { db } = this.#context;
    const after = decodeCursor("dead-letters", request.cursor) ?? 0;
    const rows = await db.query<TaskRow & { death_seq: number }>("dead-letters-list", [db.nowParam(), this.#tenantId, after, request.queue ?? null, request.limit + 1], "safe");
    return pageOf(rows, request.limit, taskRecord, (row) => encodeCursor("dead-letters", row.death_seq));
  }

  async retryDeadLetter(taskId: string, options?: RetryDeadLetterOptions): Promise<void> {
    await this.#context.db.transaction(async (tx) => {
      const task = await this.#requireTask(tx, taskId);
      if (task.state !== "dead") throw wrongState(task, "only a dead task can be retried");
      await this.#requeue(tx, task, options?.resetAttempts === true, false, null);
    });
  }

  async cancel(taskId: string, reason?: string): Promise<boolean> {
    return this.#context.db.transaction(async (tx) => {
      const task = await this.#requireTask(tx, taskId);
      if (isTerminalTaskState(task.state)) return false;
      await tx.query("task-cancel", [task.now, this.#tenantId, taskId, reason ?? null]);
      const outbox = new Outbox();
      outbox.add("cancelled", task.queue, taskId);
      if (task.has_dependents) await cancelDependents(tx, this.#tenantId, [taskId], task.now, outbox);
      await outbox.send(tx, this.#context, this.#tenantId, task.now);
      return true;
    });
  }

  async revokeLease(taskId: string): Promise<boolean> {
    return this.#context.db.transaction(async (tx) => {
      const task = await this.#requireTask(tx, taskId);
      if (task.state !== "leased") return false;
      await tx.query("task-revoke", [task.now, this.#tenantId, taskId]);
      await this.#wake(tx, task);
      return true;
    });
  }

  /**
   * The priority is a column of the claim indexes, so the one UPDATE re-files the task for every
   * claim that follows (E3, E20); a ready task's queue is woken as by any change to its ready work.
   */
  async changePriority(taskId: string, priority: number): Promise<void> {
    await this.#context.db.transaction(async (tx) => {
      const task = await this.#requireTask(tx, taskId);
      if (isTerminalTaskState(task.state)) throw wrongState(task, "the priority of a terminal task cannot change");
      await tx.query("task-priority-set", [task.now, this.#tenantId, taskId, priority]);
      if (task.state === "queued") await this.#wake(tx, task);
    });
  }

  /**
   * A dead or cancelled task is requeued in place, as retryDeadLetter requeues a dead one; a
   * completed one moves back from tasks_completed (task-restore), and then, in a statement of its
   * own, counts as pending again for its dependents still blocked (dependents-rewait), which its
   * next completion releases as any completion does. Completed rows are not locked
   * (task-lock): of two concurrent replays, the second moves nothing and judges the task again,
   * now back in `tasks`.
   */
  async replay(taskId: string, options: ReplayOptions = {}): Promise<void> {
    const reset = options.resetAttempts === true;
    const runAt = options.runAt ?? null;
    await this.#context.db.transaction(async (tx) => {
      let task = await this.#requireTask(tx, taskId);
      if (task.state === "completed") {
        const { baseMs, factor, maxMs } = DEFAULTS.backoff;
        const restored = await tx.query("task-restore", [task.now, this.#tenantId, taskId, reset, runAt, baseMs, factor, maxMs]);
        if (restored.length > 0) {
          // Not completed any more: its still-blocked dependents wait for it again (E16, E26).
          await tx.query("dependents-rewait", [this.#tenantId, taskId]);
          return this.#wake(tx, task);
        }
        task = await this.#requireTask(tx, taskId);
      }
      if (task.state !== "dead" && task.state !== "cancelled") throw wrongState(task, "only a completed, dead or cancelled task can be replayed");
      await this.#requeue(tx, task, reset, true, runAt);
    });
  }

  /** retryDeadLetter's change, or (`replay`) a replay's of a dead or cancelled task (see task-requeue). */
  async #requeue(tx: Queryable, task: LockedTask, reset: boolean, replay: boolean, runAt: number | null): Promise<void> {
    await tx.query("task-requeue", [task.now, this.#tenantId, task.id, reset, replay, runAt]);
    await this.#wake(tx, task);
  }

  /** Wakes the waiters of the task's queue when the transaction commits (SPEC E19). */
  async #wake(tx: Queryable, task: LockedTask): Promise<void> {
    const outbox = new Outbox();
    outbox.add("work", task.queue, null);
    await outbox.send(tx, this.#context, this.#tenantId, task.now);
  }

  async listTasks(request: ListTasksRequest): Promise<Page<TaskRecord>> {
    const { db } = this.#context;
    const list = request.order === "desc" ? "tasks-desc" : "tasks";
    const from = decodeCursor(list, request.cursor);
    const rows = await db.query<TaskRow & { seq: number }>(
      list === "tasks" ? "tasks-list" : "tasks-list-desc",
      [db.nowParam(), this.#tenantId, from, request.queue ?? null, request.state ?? null, request.runId ?? null, request.concurrencyKey ?? null, request.limit + 1],
      "safe",
    );
    return pageOf(rows, request.limit, taskRecord, (row) => encodeCursor(list, row.seq));
  }

  /**
   * The page's names, then each queue's queue-stats, so that both calls report a queue alike; read
   * one after another on one connection, so a long page does not take the whole pool.
   */
  async listQueues(request: PageRequest): Promise<Page<QueueStats>> {
    const after = decodeCursor("queues", request.cursor);
    return this.#context.db.transaction(async (tx) => {
      const rows = await tx.query<{ queue: string }>("queues-list", [this.#tenantId, after, request.limit + 1]);
      const names = pageOf(rows, request.limit, (row) => row.queue, (row) => encodeCursor("queues", row.queue));
      const items: QueueStats[] = [];
      for (const queue of names.items) items.push(await this.#queueStats(tx, queue));
      return { items, cursor: names.cursor };
    }, "safe");
  }

  cancelTasks(filter: TaskFilter, options: CancelTasksOptions): Promise<{ cancelled: number }> {
    return cancelEach(this, filter, options);
  }

  retryDeadLetters(request: RetryDeadLettersRequest): Promise<{ retried: number }> {
    return retryEachDeadLetter(this, request);
  }

  async #requireTask(tx: Queryable, taskId: string): Promise<LockedTask> {
    const task = await lockTask(tx, this.#context, this.#tenantId, taskId);
    if (!task) throw notFound("task", taskId);
    return task;
  }

  async getTask(taskId: string): Promise<TaskRecord | null> {
    const { db } = this.#context;
    const [row] = await db.query<TaskRow>("task-get", [db.nowParam(), this.#tenantId, taskId], "safe");
    return row ? taskRecord(row) : null;
  }

  // -------------------------------------------------------------------------------------------
  // Queue control (SPEC E17)

  async setQueue(queue: string, settings: QueueSettingsInput): Promise<QueueSettings> {
    const { db } = this.#context;
    const [row] = await db.query<QueueSettingsRow>(
      "queue-set",
      [
        db.nowParam(),
        this.#tenantId,
        queue,
        settings.concurrency !== undefined,
        settings.concurrency ?? null,
        settings.paused ?? null,
        this.#context.channel,
        settings.rateLimit !== undefined,
        settings.rateLimit?.max ?? null,
        settings.rateLimit?.perMs ?? null,
        settings.keyConcurrency !== undefined,
        settings.keyConcurrency ?? null,
      ],
      "safe",
    );
    if (!row) throw new Error("queue-set returned no row");
    return settingsOf(row);
  }

  queueStats(queue: string): Promise<QueueStats> {
    return this.#queueStats({ query: (name, values) => this.#context.db.query(name, values, "safe") }, queue);
  }

  async #queueStats(queryable: Queryable, queue: string): Promise<QueueStats> {
    const [row] = await queryable.query<
      Omit<QueueSettingsRow, "queue"> & { now: number; counts: Record<string, number> | null; oldest_ready: number | null; next_grant_at: number | null }
    >("queue-stats", [this.#context.db.nowParam(), this.#tenantId, queue]);
    if (!row) throw new Error("queue-stats returned no row");
    const counts = Object.fromEntries(TASK_STATES.map((state) => [state, row.counts?.[state] ?? 0])) as Record<TaskState, number>;
    const stats: QueueStats = {
      ...settingsOf({ ...row, queue }),
      counts,
      oldestReadyAgeMs: row.oldest_ready === null ? null : row.now - row.oldest_ready,
    };
    // Reported only while the rate limit holds ready work back (SPEC E21).
    return row.next_grant_at !== null && counts.ready > 0 ? { ...stats, nextGrantAt: Number(row.next_grant_at) } : stats;
  }

  // -------------------------------------------------------------------------------------------
  // Streams (SPEC E18)

  /**
   * E28: with `waitMs` and nothing after `after`, woken by the NOTIFY every frame append sends once
   * a listener registered (tenant, "frame"), with the floor poll of every pushed wait.
   */
  async readFrames(taskId: string, options: ReadFramesOptions = {}): Promise<Frame[]> {
    const frames = await this.#readFrames(taskId, options);
    const waitMs = options.waitMs ?? 0;
    if (frames.length > 0 || waitMs === 0) return frames;
    const { db, hub, pollIntervalMs } = this.#context;
    return afterTail(db, async () => {
      await hub.wait(this.#tenantId, "frame", {
        matches: (event) => event.taskId === taskId,
        look: async () => (await this.#readFrames(taskId, { ...options, limit: 1 })).length > 0,
        pollIntervalMs,
        timeoutMs: waitMs,
        signal: options.signal,
      });
      return this.#readFrames(taskId, options);
    });
  }

  async getSummary(taskId: string, options: GetSummaryOptions = {}): Promise<TaskSummary | null> {
    const [row] = await this.#context.db.query<{ attempt: number; summary: Json; updated_at: number }>(
      "summary-get",
      [this.#tenantId, taskId, options.attempt ?? null],
      "safe",
    );
    return row ? { taskId, attempt: row.attempt, summary: row.summary, updatedAt: row.updated_at } : null;
  }

  async #readFrames(taskId: string, options: ReadFramesOptions): Promise<Frame[]> {
    const rows = await this.#context.db.query<{ task_id: string; attempt: number; sequence: number; data: Json; data_kind: string | null; data_bytes: Buffer | null; created_at: number }>(
      "frames-read",
      [this.#tenantId, taskId, options.attempt ?? null, options.after ?? 0, options.limit ?? null],
      "safe",
    );
    return rows.map((row) => ({
      taskId: row.task_id,
      attempt: row.attempt,
      sequence: row.sequence,
      data: decodeStoredValue(row.data_kind, row.data, row.data_bytes),
      createdAt: row.created_at,
    }));
  }

  // -------------------------------------------------------------------------------------------
  // Notifications (SPEC E19)

  waitForWork(queues: readonly string[], options: WaitForWorkOptions): Promise<boolean> {
    const { hub, pollIntervalMs } = this.#context;
    const watched = new Set(queues);
    return hub.wait(this.#tenantId, "work", {
      matches: (event) => watched.has(event.queue),
      look: () => this.#workAvailable(queues),
      pollIntervalMs,
      timeoutMs: options.timeoutMs,
      signal: options.signal,
    });
  }

  async #workAvailable(queues: readonly string[]): Promise<boolean> {
    const { db } = this.#context;
    const [row] = await db.query<{ available: boolean }>("work-available", [db.nowParam(), this.#tenantId, queues], "safe");
    return row?.available === true;
  }

  async subscribe(filter: SubscribeFilter, onEvent: (event: TaskEvent) => void): Promise<Unsubscribe> {
    const { hub } = this.#context;
    const kinds = new Set<string>(filter.kinds);
    const queues = filter.queues === undefined ? null : new Set(filter.queues);
    let active = true;
    const stop = hub.listen((notice) => {
      if (!active || notice.type !== "event") return;
      const { event } = notice;
      if (event.tenantId !== this.#tenantId || event.topic === "work" || event.taskId === null || !kinds.has(event.topic)) return;
      if (queues !== null && !queues.has(event.queue)) return;
      onEvent({ kind: event.topic as TaskEventKind, taskId: event.taskId, queue: event.queue, tenantId: this.#tenantId, at: event.at });
    });
    try {
      await hub.register(this.#tenantId, filter.kinds);
    } catch (error) {
      stop();
      throw error;
    }
    return () => {
      active = false;
      stop();
    };
  }
}
