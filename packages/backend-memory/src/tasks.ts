/**
 * The task state machine of one tenant (SPEC section 5), shared by the EngineBackend facet and by
 * `WorkflowStore.commit`, which settles a leased task in the same synchronous step as its writes.
 *
 * Every method checks everything first and then mutates without yielding, so a call that throws
 * has written nothing (SPEC C2) and no other call can interleave with it (E4, E7, E11, E2).
 *
 * Claim never scans tasks. Per queue, ready tasks wait in a priority queue ordered (priority desc,
 * ready time asc, enqueue order asc) (E3); scheduled tasks in one by runAt, promoted when a claim
 * (or a read that reports effective state) looks at the queue; leases in one by expiry, which
 * claim-side reclaim pops (E10); suspension timeouts in one by timeoutAt. The tenant keeps one more
 * expiry queue and timeout queue for `reclaimExpired`. Tasks mostly arrive in order, which the
 * priority queues serve in O(1) (see priority-queue.ts). Entries are never removed from the middle
 * of a queue: each carries the task's `version` at push time, every move of the task bumps the
 * version, and entries whose version is old are skipped (lazy deletion) or swept in bulk once they
 * outnumber live ones.
 */
import {
  type Backoff,
  backoffDelay,
  DEFAULTS,
  type EnqueueInput,
  type EnqueueResult,
  enforceFence,
  type FencedTask,
  type FailResult,
  type Frame,
  type Json,
  type Value,
  judgeFence,
  type Lease,
  type ListDeadLettersRequest,
  MooringError,
  newId,
  newLeaseId,
  notDeadDetails,
  notFoundDetails,
  type Page,
  type Progress,
  type QueueSettings,
  type QueueSettingsInput,
  type QueueStats,
  type ReadFramesOptions,
  type ReclaimResult,
  resolveEnqueue,
  type ResolvedEnqueue,
  type Signal,
  type SignalInput,
  type SignalResult,
  type SuspendInput,
  type SuspendResult,
  TASK_STATES,
  type TaskRecord,
  type TaskState,
  TERMINAL_TASK_STATES,
} from "@mooring/core";
import { copyJson, copyOptionalJson } from "./copy.js";
import { pageOf } from "./cursor.js";
import { notFound } from "./errors.js";
import { ExpiryQueue } from "./expiry-queue.js";
import { PriorityQueue } from "./priority-queue.js";
import type { Effects, WorkProbe } from "./notifications.js";
import { compareNumbers, SortedList } from "./sorted-list.js";

/** Time-to-live settings of the client making a call. */
export interface TaskSettings {
  readonly dedupTtlMs: number;
  readonly signalTtlMs: number;
}

interface Suspension {
  readonly keys: readonly string[];
  readonly mode: "any" | "all";
  readonly timeoutAt: number | null;
}

/** The signals a resumed task's leases carry (SPEC E14). */
interface Resumption {
  readonly signals: readonly Signal[];
  readonly timedOut: boolean;
}

// Shared, frozen empties: most tasks never have dependencies or signals, and a million tasks should
// not carry a million empty arrays. Frozen, so that a push by mistake throws instead of sharing.
const NO_IDS: readonly string[] = Object.freeze([]);
const NO_SIGNALS = Object.freeze([]) as unknown as Signal[];

/** A task as the store holds it. Never handed out: records and leases are copies. */
class StoredTask {
  state: TaskState = "ready";
  /** Bumped on every move; queue entries of an older version are stale. */
  version = 0;
  /** Attempts consumed (by fail, expiry, dead-lettering). A lease's attempt is consumed + 1. */
  consumed = 0;
  /** The latest lease's attempt; 0 before the first. */
  attempt = 0;
  /** The latest lease's fencing token; 0 before the first. */
  epoch = 0;
  /** The latest lease's secret, kept after the lease ends (E7's repeat); null before the first. @see SPEC T4 */
  leaseId: string | null = null;
  /** The duration of the latest claim, used by `renew` without `leaseMs`. */
  leaseMs = 0;
  leaseExpiresAt: number | null = null;
  workerId: string | null = null;
  /** The epoch whose lease was revoked (0: none), for LEASE_REVOKED. */
  revokedEpoch = 0;
  /** The epoch whose lease was reclaimed after expiry (0: none), for LEASE_EXPIRED. */
  expiredEpoch = 0;
  /** The epoch whose lease completed the task (0: none), for E7's idempotent repeat. */
  completedEpoch = 0;
  lastError: Json = null;
  result: Value = null;
  progress: Progress | null = null;
  /** The task's dependencies (deduplicated, in `dependsOn` order); pending ones are computed. */
  dependsOn: readonly string[] = NO_IDS;
  /** Tasks that depend on this one; null while none (most tasks), to keep tasks small. */
  dependents: StoredTask[] | null = null;
  cancelReason: string | null = null;
  suspension: Suspension | null = null;
  /** Signals delivered to the current suspension so far, in delivery order. */
  collected: Signal[] = NO_SIGNALS;
  /** Carried by every lease from a resume until the task suspends again (see decisions). */
  resumption: Resumption | null = null;
  /** attempt → frames of that attempt's stream. */
  frames: Map<number, Frame[]> | null = null;
  /** The order in which the task died, for listDeadLetters; 0 when not dead. */
  deadSeq = 0;
  updatedAt: number;

  constructor(
    readonly id: string,
    readonly seq: number,
    /** The task's queue, held directly so that moves need no lookup. */
    readonly home: QueueState,
    readonly queue: string,
    readonly payload: Value,
    readonly priority: number,
    public runAt: number,
    readonly maxAttempts: number,
    readonly backoff: Backoff,
    readonly idempotencyKey: string | null,
    readonly runId: string | null,
    readonly createdAt: number,
  ) {
    this.updatedAt = createdAt;
  }
}

/** A priority-queue entry: the task, its version when pushed, and the time it is ordered by. */
interface TimedEntry {
  readonly task: StoredTask;
  readonly version: number;
  readonly at: number;
}

/** A ready-queue entry; `at` is the ready time. Keys are copied so that stale entries keep order. */
interface ReadyEntry extends TimedEntry {
  readonly priority: number;
}

const readyBefore = (a: ReadyEntry, b: ReadyEntry): boolean =>
  a.priority !== b.priority ? a.priority > b.priority : a.at !== b.at ? a.at < b.at : a.task.seq < b.task.seq;

const timeBefore = (a: TimedEntry, b: TimedEntry): boolean => (a.at !== b.at ? a.at < b.at : a.task.seq < b.task.seq);

const isLive = (entry: TimedEntry): boolean => entry.version === entry.task.version;

/** Stale entries are swept once a queue holds more than twice its live entries plus this. */
const SWEEP_SLACK = 64;

function zeroCounts(): Record<TaskState, number> {
  return Object.fromEntries(TASK_STATES.map((state) => [state, 0])) as Record<TaskState, number>;
}

class QueueState {
  paused = false;
  concurrency: number | null = null;
  /** Tasks per stored state, kept incrementally. */
  readonly counts = zeroCounts();
  readonly ready = new PriorityQueue<ReadyEntry>(readyBefore);
  /** Ready tasks by ready time, for the oldest ready task's age. */
  readonly readySince = new PriorityQueue<TimedEntry>(timeBefore);
  readonly scheduled = new PriorityQueue<TimedEntry>(timeBefore);
  readonly expiry = new PriorityQueue<TimedEntry>(timeBefore);
  readonly timeouts = new PriorityQueue<TimedEntry>(timeBefore);
  readonly deadLetters = new SortedList<number>(compareNumbers);

  constructor(readonly name: string) {}

  /** Whether a claim may grant a lease here now (E17). Expired unreclaimed leases still count. */
  get open(): boolean {
    return !this.paused && (this.concurrency === null || this.counts.leased < this.concurrency);
  }
}

/** What one input of an enqueue batch does, decided before anything is written. */
type EnqueuePlan =
  | { readonly kind: "create"; readonly task: ResolvedEnqueue }
  | { readonly kind: "existing"; readonly id: string }
  /** A repeated idempotency key of the same batch: the batch's first task with that key. */
  | { readonly kind: "same-as"; readonly index: number };

interface Dedup {
  readonly id: string;
  readonly expiresAt: number;
}

interface BufferedSignal {
  readonly signal: Signal;
  readonly seq: number;
  readonly expiresAt: number;
  /** False once a suspension took it or it was pruned. */
  buffered: boolean;
}

export class TaskSpace {
  readonly #tasks = new Map<string, StoredTask>();
  readonly #queues = new Map<string, QueueState>();
  /** Every lease of the tenant by expiry, for reclaimExpired. */
  readonly #expiry = new PriorityQueue<TimedEntry>(timeBefore);
  /** Every suspension with a timeout, for reclaimExpired. */
  readonly #timeouts = new PriorityQueue<TimedEntry>(timeBefore);
  #leased = 0;
  #suspended = 0;
  readonly #deadLetters = new SortedList<number>(compareNumbers);
  readonly #deadBySeq = new Map<number, StoredTask>();
  /** queue → idempotency key → first task. */
  readonly #dedup = new Map<string, Map<string, Dedup>>();
  /** signal idempotency key → first signal id. */
  readonly #signalDedup = new Map<string, Dedup>();
  /** signal key → signals waiting for a task, oldest first. */
  readonly #buffered = new Map<string, BufferedSignal[]>();
  /** signal key → suspended tasks waiting on it. */
  readonly #waiting = new Map<string, Set<StoredTask>>();
  readonly #expiring = new ExpiryQueue();
  #seq = 0;

  // -------------------------------------------------------------------------------------------
  // Enqueue

  /**
   * Adds a batch atomically (E1): every idempotency key and dependency is resolved before the
   * first task is created. @throws NOT_FOUND for an unknown dependency (E16).
   */
  enqueue(inputs: readonly EnqueueInput[], now: number, settings: TaskSettings, fx: Effects): EnqueueResult[] {
    const plans: EnqueuePlan[] = [];
    const batchKeys = new Map<string, Map<string, number>>();
    for (const input of inputs) {
      const task = resolveEnqueue(input, now);
      const key = task.idempotencyKey;
      if (key !== null) {
        const known = this.#dedup.get(task.queue)?.get(key);
        if (known && known.expiresAt > now) {
          plans.push({ kind: "existing", id: known.id });
          continue;
        }
        let keys = batchKeys.get(task.queue);
        if (!keys) batchKeys.set(task.queue, (keys = new Map()));
        const first = keys.get(key);
        if (first !== undefined) {
          plans.push({ kind: "same-as", index: first });
          continue;
        }
        keys.set(key, plans.length);
      }
      for (const dependency of task.dependsOn) {
        if (!this.#tasks.has(dependency)) {
          throw new MooringError("NOT_FOUND", `dependency ${dependency} is not a task of this tenant`, { details: notFoundDetails("task", dependency) });
        }
      }
      plans.push({ kind: "create", task });
    }

    this.#prune(now);
    const results: EnqueueResult[] = [];
    for (const plan of plans) {
      switch (plan.kind) {
        case "create":
          results.push({ id: this.#create(plan.task, now, settings, fx).id, created: true });
          break;
        case "existing":
          results.push({ id: plan.id, created: false });
          break;
        case "same-as":
          results.push({ id: (results[plan.index] as EnqueueResult).id, created: false });
          break;
      }
    }
    return results;
  }

  #create(input: ResolvedEnqueue, now: number, settings: TaskSettings, fx: Effects): StoredTask {
    const task = new StoredTask(
      newId(now),
      ++this.#seq,
      this.#queue(input.queue),
      input.queue,
      copyJson(input.payload),
      input.priority,
      input.runAt,
      input.maxAttempts,
      sharedBackoff(input.backoff),
      input.idempotencyKey,
      input.runId,
      now,
    );
    this.#tasks.set(task.id, task);
    if (input.idempotencyKey !== null) this.#remember(task.queue, input.idempotencyKey, task.id, now + settings.dedupTtlMs);
    fx.event("enqueued", task.id, task.queue);

    const dependencies = input.dependsOn.map((id) => this.#tasks.get(id) as StoredTask);
    const pending = dependencies.filter((dependency) => dependency.state !== "completed");
    if (dependencies.length > 0) task.dependsOn = input.dependsOn;
    // A dependency retried from the dead letters may still complete, and the (cancelled) task then
    // reports one dependency fewer as pending: so it is registered with every pending dependency.
    for (const dependency of pending) (dependency.dependents ??= []).push(task);
    if (pending.some((dependency) => dependency.state === "dead" || dependency.state === "cancelled")) {
      task.cancelReason = DEFAULTS.dependencyFailedReason;
      this.#move(task, "cancelled", now, true);
      fx.event("cancelled", task.id, task.queue);
      return task;
    }
    if (pending.length > 0) {
      this.#move(task, "blocked", now, true);
      return task;
    }
    this.#move(task, task.runAt <= now ? "ready" : "scheduled", now, true);
    fx.wake(task.queue);
    return task;
  }

  #remember(queue: string, key: string, id: string, expiresAt: number): void {
    let keys = this.#dedup.get(queue);
    if (!keys) this.#dedup.set(queue, (keys = new Map()));
    const entry: Dedup = { id, expiresAt };
    keys.set(key, entry);
    this.#expiring.schedule(
      expiresAt,
      () => keys.get(key) === entry,
      () => {
        keys.delete(key);
        if (keys.size === 0 && this.#dedup.get(queue) === keys) this.#dedup.delete(queue);
      },
    );
  }

  /** Forgets a few expired idempotency keys and buffered signals; reads ignore them regardless. */
  #prune(now: number): void {
    this.#expiring.prune(now);
  }

  // -------------------------------------------------------------------------------------------
  // Claim and reclaim

  /**
   * Leases up to `limit` tasks of `queues` in E3 order, after reclaiming expired leases of those
   * queues (E10) and promoting due scheduled tasks and timed-out suspensions. Paused and full
   * queues grant nothing (E17).
   */
  claim(queueNames: readonly string[], workerId: string, leaseMs: number, limit: number, now: number, fx: Effects): Lease[] {
    const queues = this.#existingQueues(queueNames);
    this.#reclaimInQueues(queues, now, DEFAULTS.reclaimLimit, fx);
    for (const queue of queues) this.#promoteDue(queue, now);
    const leases: Lease[] = [];
    while (leases.length < limit) {
      let best: ReadyEntry | undefined;
      let from: QueueState | undefined;
      for (const queue of queues) {
        if (!queue.open) continue;
        const top = queue.ready.peekLive(isLive);
        if (top !== undefined && (best === undefined || readyBefore(top, best))) {
          best = top;
          from = queue;
        }
      }
      if (best === undefined || from === undefined) break;
      from.ready.pop();
      leases.push(this.#grant(best.task, workerId, leaseMs, now));
    }
    return leases;
  }

  #grant(task: StoredTask, workerId: string, leaseMs: number, now: number): Lease {
    task.epoch++;
    task.leaseId = newLeaseId();
    task.attempt = task.consumed + 1;
    task.leaseMs = leaseMs;
    task.workerId = workerId;
    task.leaseExpiresAt = now + leaseMs;
    this.#move(task, "leased", now);
    return this.#lease(task);
  }

  #lease(task: StoredTask): Lease {
    const lease: {
      -readonly [K in keyof Lease]: Lease[K];
    } = {
      taskId: task.id,
      queue: task.queue,
      payload: copyJson(task.payload),
      attempt: task.attempt,
      epoch: task.epoch,
      leaseId: task.leaseId as string,
      workerId: task.workerId as string,
      expiresAt: task.leaseExpiresAt as number,
    };
    if (task.resumption) {
      lease.signals = task.resumption.signals.map(copySignal);
      if (task.resumption.timedOut) lease.timedOut = true;
    }
    return lease;
  }

  /** Reclaims up to `limit` expired leases of `queues`, oldest expiry first across them. */
  #reclaimInQueues(queues: readonly QueueState[], now: number, limit: number, fx: Effects): void {
    for (let reclaimed = 0; reclaimed < limit; reclaimed++) {
      let oldest: TimedEntry | undefined;
      let from: QueueState | undefined;
      for (const queue of queues) {
        const top = queue.expiry.peekLive(isLive);
        if (top !== undefined && top.at <= now && (oldest === undefined || timeBefore(top, oldest))) {
          oldest = top;
          from = queue;
        }
      }
      if (oldest === undefined || from === undefined) return;
      from.expiry.pop();
      this.#reclaim(oldest.task, now, fx);
    }
  }

  /**
   * Retries or dead-letters up to `limit` expired leases of the tenant, oldest expiry first, each
   * exactly once (E10, E11), and makes due timed-out suspensions ready.
   */
  reclaimExpired(limit: number, now: number, fx: Effects): ReclaimResult {
    this.#promoteTimeouts(this.#timeouts, now, fx);
    const retried: string[] = [];
    const deadLettered: string[] = [];
    while (retried.length + deadLettered.length < limit) {
      const top = this.#expiry.peekLive(isLive);
      if (top === undefined || top.at > now) break;
      this.#expiry.pop();
      (this.#reclaim(top.task, now, fx) === "retried" ? retried : deadLettered).push(top.task.id);
    }
    return { retried, deadLettered };
  }

  /** An expired lease consumes its attempt (E10): retry with backoff, or dead-letter. */
  #reclaim(task: StoredTask, now: number, fx: Effects): "retried" | "dead" {
    const attempt = task.attempt;
    task.consumed = attempt;
    task.expiredEpoch = task.epoch;
    task.lastError = DEFAULTS.leaseExpiredError;
    fx.event("lease_expired", task.id, task.queue);
    if (attempt < task.maxAttempts) {
      this.#makeAvailable(task, now + backoffDelay(task.backoff, attempt), now, fx);
      return "retried";
    }
    this.#kill(task, now, fx);
    return "dead";
  }

  #promoteDue(queue: QueueState, now: number): void {
    for (;;) {
      const top = queue.scheduled.peekLive(isLive);
      if (top === undefined || top.at > now) break;
      queue.scheduled.pop();
      this.#becomeDue(top.task);
    }
    this.#promoteTimeouts(queue.timeouts, now, undefined);
  }

  #promoteTimeouts(queue: PriorityQueue<TimedEntry>, now: number, fx: Effects | undefined): void {
    for (;;) {
      const top = queue.peekLive(isLive);
      if (top === undefined || top.at > now) break;
      queue.pop();
      this.#timeOut(top.task);
      fx?.wake(top.task.queue);
    }
  }

  /** A suspension whose timeoutAt came resumes without its signals being complete (E14). */
  #timeOut(task: StoredTask): void {
    const suspension = task.suspension as Suspension;
    task.resumption = { signals: task.collected, timedOut: true };
    task.collected = NO_SIGNALS;
    task.runAt = suspension.timeoutAt as number;
    this.#becomeDue(task);
  }

  /**
   * A move that only the passing of time makes (decisions.md, effective state): no call changed
   * the task, so `updatedAt` stays, and it does not matter which call or read happens to make it.
   */
  #becomeDue(task: StoredTask): void {
    this.#move(task, "ready", task.updatedAt);
  }

  /**
   * Brings one task to its effective state (decisions.md): a due scheduled task is ready, a
   * suspension past its timeout has timed out. Reads call it; nothing observable changes.
   */
  #settleTime(task: StoredTask, now: number): void {
    if (task.state === "scheduled" && task.runAt <= now) this.#becomeDue(task);
    else if (task.state === "suspended" && task.suspension?.timeoutAt != null && task.suspension.timeoutAt <= now) this.#timeOut(task);
  }

  // -------------------------------------------------------------------------------------------
  // Holder calls (fenced, E5)

  /**
   * The fence of a holder call, in decisions.md's order; throws before any write. Returns null for
   * `complete` repeated with the lease that completed the task (E7).
   */
  fence(lease: Lease, now: number, repeatableComplete = false): StoredTask | null {
    const task = this.#tasks.get(lease.taskId);
    const verdict = judgeFence(task && fencedView(task), lease, now, repeatableComplete ? "complete" : "other");
    return enforceFence(verdict) === "held" ? (task as StoredTask) : null;
  }

  /** Fences like `fence` but without E7's repeat: for calls that must write. */
  #held(lease: Lease, now: number): StoredTask {
    return this.fence(lease, now) as StoredTask;
  }

  renew(lease: Lease, leaseMs: number | undefined, progress: Progress | undefined, now: number): Lease {
    const task = this.#held(lease, now);
    task.leaseExpiresAt = now + (leaseMs ?? task.leaseMs);
    if (progress !== undefined) task.progress = copyProgress(progress);
    this.#move(task, "leased", now);
    return this.#lease(task);
  }

  /** E7: settles once; the same lease again after success is a no-op success. */
  complete(lease: Lease, result: Value | undefined, now: number, fx: Effects): void {
    const task = this.fence(lease, now, true);
    if (task) this.completeHeld(task, result, now, fx);
  }

  /** Completes a task its caller has fenced; unblocks its dependents (E16). */
  completeHeld(task: StoredTask, result: Value | undefined, now: number, fx: Effects): void {
    task.result = copyOptionalJson(result);
    task.completedEpoch = task.epoch;
    this.#endLease(task, "completed", now, fx);
    fx.event("completed", task.id, task.queue);
    for (const dependent of task.dependents ?? []) {
      if (dependent.state === "blocked" && this.#pendingDependencies(dependent).length === 0) {
        this.#makeAvailable(dependent, Math.max(dependent.runAt, now), now, fx);
      }
    }
    task.dependents = null;
  }

  fail(lease: Lease, error: Json, retryable: boolean | undefined, now: number, fx: Effects): FailResult {
    return this.failHeld(this.#held(lease, now), error, retryable ?? true, now, fx);
  }

  /** E8: consumes the attempt; retry with backoff while attempts remain, else dead-letter. */
  failHeld(task: StoredTask, error: Json, retryable: boolean, now: number, fx: Effects): FailResult {
    const attempt = task.attempt;
    task.consumed = attempt;
    task.lastError = copyJson(error);
    if (retryable && attempt < task.maxAttempts) {
      const runAt = now + backoffDelay(task.backoff, attempt);
      this.#makeAvailable(task, runAt, now, fx);
      fx.event("failed", task.id, task.queue);
      return { outcome: "retry", runAt };
    }
    this.#kill(task, now, fx);
    return { outcome: "dead" };
  }

  /** E9: back to ready (or scheduled at `runAt`) without consuming the attempt. */
  release(lease: Lease, runAt: number | undefined, now: number, fx: Effects): void {
    const task = this.#held(lease, now);
    this.#makeAvailable(task, runAt ?? now, now, fx);
  }

  /** E12: dead-letters the leased task now; the attempt is consumed. */
  moveToDeadLetter(lease: Lease, error: Json, now: number, fx: Effects): void {
    const task = this.#held(lease, now);
    task.consumed = task.attempt;
    task.lastError = copyJson(error);
    this.#kill(task, now, fx);
  }

  progress(lease: Lease, progress: Progress, now: number): void {
    const task = this.#held(lease, now);
    task.progress = copyProgress(progress);
    task.updatedAt = now;
  }

  /** E18: appends to the stream of the lease's attempt and returns the frame's sequence. */
  appendFrame(lease: Lease, data: Value, now: number): number {
    const task = this.#held(lease, now);
    task.frames ??= new Map();
    let frames = task.frames.get(task.attempt);
    if (!frames) task.frames.set(task.attempt, (frames = []));
    const sequence = frames.length + 1;
    frames.push({ taskId: task.id, attempt: task.attempt, sequence, data: copyJson(data), createdAt: now });
    task.updatedAt = now;
    return sequence;
  }

  readFrames(taskId: string, options: ReadFramesOptions): Frame[] {
    const task = this.#tasks.get(taskId);
    if (!task) return [];
    const frames = task.frames?.get(options.attempt ?? task.attempt);
    if (!frames) return [];
    const after = options.after ?? 0;
    const end = options.limit === undefined ? undefined : after + options.limit;
    return frames.slice(after, end).map((frame) => ({ ...frame, data: copyJson(frame.data) }));
  }

  // -------------------------------------------------------------------------------------------
  // Suspend and signals (E14, E15)

  suspend(lease: Lease, input: SuspendInput, now: number, fx: Effects): SuspendResult {
    const task = this.#held(lease, now);
    const keys = [...new Set(input.keys)];
    const mode = input.mode ?? "any";
    const taken: BufferedSignal[] = [];
    for (const key of keys) {
      const buffered = this.#buffered.get(key);
      if (!buffered) continue;
      for (const entry of buffered) {
        if (entry.expiresAt > now) taken.push(entry);
        entry.buffered = false;
      }
      this.#buffered.delete(key);
    }
    taken.sort((a, b) => a.seq - b.seq);
    const signals = taken.map((entry) => entry.signal);
    task.resumption = null;
    task.updatedAt = now;
    if (isSatisfied(mode, keys, signals)) return { suspended: false, signals: signals.map(copySignal) };

    task.collected = signals;
    task.suspension = { keys, mode, timeoutAt: input.timeoutAt ?? null };
    for (const key of keys) {
      let waiting = this.#waiting.get(key);
      if (!waiting) this.#waiting.set(key, (waiting = new Set()));
      waiting.add(task);
    }
    this.#endLease(task, "suspended", now, fx);
    return { suspended: true };
  }

  signal(input: SignalInput, now: number, settings: TaskSettings, fx: Effects): SignalResult {
    this.#prune(now);
    if (input.idempotencyKey !== undefined) {
      const known = this.#signalDedup.get(input.idempotencyKey);
      if (known && known.expiresAt > now) return { signalId: known.id, duplicate: true, deliveredTo: [] };
    }
    const signal: Signal = { signalId: newId(now), key: input.key, payload: copyOptionalJson(input.payload), createdAt: now };
    if (input.idempotencyKey !== undefined) this.#rememberSignal(input.idempotencyKey, signal.signalId, now + settings.dedupTtlMs);

    const deliveredTo: string[] = [];
    const waiting = [...(this.#waiting.get(input.key) ?? [])].sort((a, b) => a.seq - b.seq);
    for (const task of waiting) {
      const suspension = task.suspension as Suspension;
      if (suspension.timeoutAt !== null && suspension.timeoutAt <= now) {
        // The timeout came first: the task is no longer waiting (effective state ready).
        this.#timeOut(task);
        fx.wake(task.queue);
        continue;
      }
      task.collected.push(signal);
      deliveredTo.push(task.id);
      if (isSatisfied(suspension.mode, suspension.keys, task.collected)) {
        task.resumption = { signals: task.collected, timedOut: false };
        task.collected = NO_SIGNALS;
        this.#makeAvailable(task, now, now, fx);
      } else {
        task.updatedAt = now;
      }
    }
    if (deliveredTo.length === 0) this.#bufferSignal(signal, now + settings.signalTtlMs);
    return { signalId: signal.signalId, duplicate: false, deliveredTo };
  }

  #rememberSignal(key: string, id: string, expiresAt: number): void {
    const entry: Dedup = { id, expiresAt };
    this.#signalDedup.set(key, entry);
    this.#expiring.schedule(
      expiresAt,
      () => this.#signalDedup.get(key) === entry,
      () => this.#signalDedup.delete(key),
    );
  }

  #bufferSignal(signal: Signal, expiresAt: number): void {
    const existing = this.#buffered.get(signal.key);
    const list = existing ?? [];
    if (!existing) this.#buffered.set(signal.key, list);
    const entry: BufferedSignal = { signal, seq: ++this.#seq, expiresAt, buffered: true };
    list.push(entry);
    this.#expiring.schedule(
      expiresAt,
      () => entry.buffered,
      () => {
        entry.buffered = false;
        const at = list.indexOf(entry);
        if (at >= 0) list.splice(at, 1);
        if (list.length === 0 && this.#buffered.get(signal.key) === list) this.#buffered.delete(signal.key);
      },
    );
  }

  // -------------------------------------------------------------------------------------------
  // Operator calls

  /** E13: cancels a non-terminal task (revoking its lease) and its dependents; false when terminal. */
  cancel(taskId: string, reason: string | undefined, now: number, fx: Effects): boolean {
    const task = this.#require(taskId);
    if (TERMINAL_TASK_STATES.has(task.state)) return false;
    task.cancelReason = reason ?? null;
    this.#endLease(task, "cancelled", now, fx);
    fx.event("cancelled", task.id, task.queue);
    this.#cascade(task, now, fx);
    return true;
  }

  /** E13: revokes the current lease (expired or not) and makes the task ready; no attempt consumed. */
  revokeLease(taskId: string, now: number, fx: Effects): boolean {
    const task = this.#require(taskId);
    if (task.state !== "leased") return false;
    task.revokedEpoch = task.epoch;
    this.#makeAvailable(task, now, now, fx);
    return true;
  }

  /** E12: a dead task becomes ready, with one more attempt or (resetAttempts) from attempt 1. */
  retryDeadLetter(taskId: string, resetAttempts: boolean, now: number, fx: Effects): void {
    const task = this.#require(taskId);
    if (task.state !== "dead") {
      throw new MooringError("INVALID_STATE", `task ${taskId} is ${task.state}, not dead`, { details: notDeadDetails(taskId, task.state) });
    }
    // `attempt` stays the latest lease's until the next lease; a reset restarts the count, and
    // the new attempt 1 continues the stream of the old attempt 1 (frames are never dropped).
    if (resetAttempts) task.consumed = 0;
    this.#makeAvailable(task, now, now, fx);
  }

  getTask(taskId: string, now: number): TaskRecord | null {
    const task = this.#tasks.get(taskId);
    if (!task) return null;
    this.#settleTime(task, now);
    return this.#record(task);
  }

  listDeadLetters(request: ListDeadLettersRequest): Page<TaskRecord> {
    const index = request.queue === undefined ? this.#deadLetters : this.#queues.get(request.queue)?.deadLetters;
    return pageOf("dead-letters", index, request, (seq) => {
      const task = this.#deadBySeq.get(seq);
      return task ? this.#record(task) : undefined;
    });
  }

  setQueue(name: string, settings: QueueSettingsInput, fx: Effects): QueueSettings {
    const queue = this.#queue(name);
    if (settings.concurrency !== undefined) queue.concurrency = settings.concurrency;
    if (settings.paused !== undefined) queue.paused = settings.paused;
    fx.wake(name);
    return { queue: name, concurrency: queue.concurrency, paused: queue.paused };
  }

  queueStats(name: string, now: number): QueueStats {
    const queue = this.#queues.get(name);
    if (!queue) return { queue: name, concurrency: null, paused: false, counts: zeroCounts(), oldestReadyAgeMs: null };
    this.#promoteDue(queue, now);
    const oldest = queue.readySince.peekLive(isLive);
    return {
      queue: name,
      concurrency: queue.concurrency,
      paused: queue.paused,
      counts: { ...queue.counts },
      oldestReadyAgeMs: oldest === undefined ? null : Math.max(0, now - oldest.at),
    };
  }

  /**
   * For waitForWork: whether a claim of `queueNames` would grant a lease now, else the next time
   * (by the clock) at which one may: a scheduled task or a suspension timeout coming due, or, in a
   * queue at its concurrency limit with ready work, a lease expiring (a claim reclaims it first).
   */
  probeWork(queueNames: readonly string[], now: number): WorkProbe {
    let dueAt: number | null = null;
    const consider = (at: number | undefined): void => {
      if (at !== undefined && (dueAt === null || at < dueAt)) dueAt = at;
    };
    for (const queue of this.#existingQueues(queueNames)) {
      if (queue.paused) continue;
      this.#promoteDue(queue, now);
      const hasReady = queue.ready.peekLive(isLive) !== undefined;
      if (!queue.open) {
        if (!hasReady) continue;
        const expiry = queue.expiry.peekLive(isLive);
        if (expiry !== undefined && expiry.at <= now) return { claimable: true, dueAt: null };
        consider(expiry?.at);
        continue;
      }
      if (hasReady) return { claimable: true, dueAt: null };
      consider(queue.scheduled.peekLive(isLive)?.at);
      consider(queue.timeouts.peekLive(isLive)?.at);
    }
    return { claimable: false, dueAt };
  }

  // -------------------------------------------------------------------------------------------
  // Moves

  /** Dependencies not completed yet, whatever the task's own state (E16). */
  #pendingDependencies(task: StoredTask): string[] {
    return task.dependsOn.filter((id) => this.#tasks.get(id)?.state !== "completed");
  }

  #record(task: StoredTask): TaskRecord {
    return toRecord(task, this.#pendingDependencies(task));
  }

  #require(taskId: string): StoredTask {
    const task = this.#tasks.get(taskId);
    if (!task) throw notFound("task", taskId);
    return task;
  }

  #queue(name: string): QueueState {
    let queue = this.#queues.get(name);
    if (!queue) this.#queues.set(name, (queue = new QueueState(name)));
    return queue;
  }

  #existingQueues(names: readonly string[]): QueueState[] {
    const queues: QueueState[] = [];
    for (const name of new Set(names)) {
      const queue = this.#queues.get(name);
      if (queue) queues.push(queue);
    }
    return queues;
  }

  /** Ready at `runAt` when it has come, else scheduled; wakes the queue's waiters. */
  #makeAvailable(task: StoredTask, runAt: number, now: number, fx: Effects): void {
    const wasLeased = task.state === "leased";
    task.runAt = runAt;
    this.#move(task, runAt <= now ? "ready" : "scheduled", now);
    fx.wake(task.queue);
    if (wasLeased) this.#leaseEnded(task, fx);
  }

  /** Moves a task to a state where it holds no lease, freeing a concurrency slot. */
  #endLease(task: StoredTask, state: TaskState, now: number, fx: Effects): void {
    const wasLeased = task.state === "leased";
    this.#move(task, state, now);
    if (wasLeased) this.#leaseEnded(task, fx);
  }

  #leaseEnded(task: StoredTask, fx: Effects): void {
    // A freed slot in a queue with a concurrency limit may let a waiting worker claim.
    if (task.home.concurrency !== null) fx.wake(task.queue);
  }

  /** Dead-letters a task and cancels its dependents (E12, E16). */
  #kill(task: StoredTask, now: number, fx: Effects): void {
    this.#endLease(task, "dead", now, fx);
    fx.event("dead", task.id, task.queue);
    this.#cascade(task, now, fx);
  }

  /** Cancels, transitively, every task still waiting on `failed` (E16). */
  #cascade(failed: StoredTask, now: number, fx: Effects): void {
    const stack = [...(failed.dependents ?? [])];
    failed.dependents = null;
    for (let dependent = stack.pop(); dependent !== undefined; dependent = stack.pop()) {
      if (TERMINAL_TASK_STATES.has(dependent.state)) continue;
      dependent.cancelReason = DEFAULTS.dependencyFailedReason;
      this.#endLease(dependent, "cancelled", now, fx);
      fx.event("cancelled", dependent.id, dependent.queue);
      stack.push(...(dependent.dependents ?? []));
      dependent.dependents = null;
    }
  }

  /**
   * The one place a task changes state (or, for `leased`, its expiry): keeps the per-queue counts,
   * indexes and priority queues in step and makes every older queue entry of the task stale.
   */
  #move(task: StoredTask, state: TaskState, now: number, admit = false): void {
    const queue = task.home;
    const previous = task.state;
    if (!admit) {
      queue.counts[previous]--;
      if (previous === "leased") this.#leased--;
      if (previous === "suspended") {
        this.#suspended--;
        if (state !== "suspended") this.#stopWaiting(task);
      }
      if (previous === "dead") {
        queue.deadLetters.delete(task.deadSeq);
        this.#deadLetters.delete(task.deadSeq);
        this.#deadBySeq.delete(task.deadSeq);
        task.deadSeq = 0;
      }
    }
    queue.counts[state]++;
    task.state = state;
    task.version++;
    task.updatedAt = now;
    if (state !== "leased") {
      task.leaseExpiresAt = null;
      task.workerId = null;
    }
    const version = task.version;
    switch (state) {
      case "ready":
        push(queue.ready, { task, version, at: task.runAt, priority: task.priority }, queue.counts.ready);
        push(queue.readySince, { task, version, at: task.runAt }, queue.counts.ready);
        break;
      case "scheduled":
        push(queue.scheduled, { task, version, at: task.runAt }, queue.counts.scheduled);
        break;
      case "leased": {
        this.#leased++;
        const entry: TimedEntry = { task, version, at: task.leaseExpiresAt as number };
        push(queue.expiry, entry, queue.counts.leased);
        push(this.#expiry, entry, this.#leased);
        break;
      }
      case "suspended": {
        this.#suspended++;
        const timeoutAt = task.suspension?.timeoutAt ?? null;
        if (timeoutAt !== null) {
          const entry: TimedEntry = { task, version, at: timeoutAt };
          push(queue.timeouts, entry, queue.counts.suspended);
          push(this.#timeouts, entry, this.#suspended);
        }
        break;
      }
      case "dead":
        task.deadSeq = ++this.#seq;
        queue.deadLetters.add(task.deadSeq);
        this.#deadLetters.add(task.deadSeq);
        this.#deadBySeq.set(task.deadSeq, task);
        break;
      default:
        break;
    }
  }

  #stopWaiting(task: StoredTask): void {
    for (const key of task.suspension?.keys ?? []) {
      const waiting = this.#waiting.get(key);
      if (!waiting) continue;
      waiting.delete(task);
      if (waiting.size === 0) this.#waiting.delete(key);
    }
    task.suspension = null;
  }
}

/** Pushes an entry, sweeping the queue's stale entries once they outnumber the live ones. */
function push<T extends TimedEntry>(queue: PriorityQueue<T>, entry: T, live: number): void {
  queue.push(entry);
  if (queue.size > 2 * live + SWEEP_SLACK) queue.retain(isLive);
}

/** The default backoff object itself when the task uses the defaults, so tasks share it. */
function sharedBackoff(backoff: Backoff): Backoff {
  const standard = DEFAULTS.backoff;
  return backoff.baseMs === standard.baseMs && backoff.factor === standard.factor && backoff.maxMs === standard.maxMs ? standard : backoff;
}

/** What the fence (core's judgeFence) reads of a task. */
function fencedView(task: StoredTask): FencedTask {
  return {
    state: task.state,
    epoch: task.epoch,
    leaseId: task.leaseId,
    leaseEnd: task.revokedEpoch === task.epoch ? "revoked" : task.expiredEpoch === task.epoch ? "expired" : null,
    leaseExpiresAt: task.leaseExpiresAt,
    completedEpoch: task.completedEpoch === 0 ? null : task.completedEpoch,
  };
}

function isSatisfied(mode: "any" | "all", keys: readonly string[], signals: readonly Signal[]): boolean {
  if (mode === "any") return signals.length > 0;
  return keys.every((key) => signals.some((signal) => signal.key === key));
}

function copySignal(signal: Signal): Signal {
  return { signalId: signal.signalId, key: signal.key, payload: copyJson(signal.payload), createdAt: signal.createdAt };
}

function copyProgress(progress: Progress): Progress {
  const copy: { percent?: number; message?: string } = {};
  if (progress.percent !== undefined) copy.percent = progress.percent;
  if (progress.message !== undefined) copy.message = progress.message;
  return copy;
}

function toRecord(task: StoredTask, pendingDependencies: string[]): TaskRecord {
  return {
    id: task.id,
    queue: task.queue,
    state: task.state,
    payload: copyJson(task.payload),
    attempt: task.attempt,
    maxAttempts: task.maxAttempts,
    epoch: task.epoch,
    priority: task.priority,
    runAt: task.runAt,
    leaseExpiresAt: task.state === "leased" ? task.leaseExpiresAt : null,
    workerId: task.state === "leased" ? task.workerId : null,
    lastError: copyJson(task.lastError),
    result: copyJson(task.result),
    progress: task.progress ? copyProgress(task.progress) : null,
    pendingDependencies,
    cancelReason: task.cancelReason,
    runId: task.runId,
    idempotencyKey: task.idempotencyKey,
    createdAt: task.createdAt,
    updatedAt: task.updatedAt,
  };
}

export type { StoredTask };
