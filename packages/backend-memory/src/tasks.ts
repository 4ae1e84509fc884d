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
  type ListTasksRequest,
  type PageRequest,
  type ReplayOptions,
  type TaskFilter,
  compareCodePoints,
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
  type RateLimit,
  type ReadFramesOptions,
  type ReclaimResult,
  resolveEnqueue,
  type ResolvedEnqueue,
  type CreatedWaitpoint,
  type CreateWaitpointInput,
  type KeySignalInput,
  parseWaitpointToken,
  signWaitpointToken,
  type Signal,
  type SignalInput,
  type TokenSignalInput,
  verifyWaitpointToken,
  waitpointFingerprint,
  type WaitpointInfo,
  waitpointRefusedError,
  type SignalResult,
  type SuspendInput,
  type SuspendResult,
  TASK_STATES,
  type TaskRecord,
  type TaskState,
  TERMINAL_TASK_STATES,
  type GetSummaryOptions,
  type TaskSummary,
} from "@mooring/core";
import { copyJson, copyOptionalJson } from "./copy.js";
import { pageOf } from "./cursor.js";
import { notFound } from "./errors.js";
import { ExpiryQueue } from "./expiry-queue.js";
import { PriorityQueue } from "./priority-queue.js";
import type { Effects, WorkProbe } from "./notifications.js";
import { compareNumbers, SortedList } from "./sorted-list.js";
import { WaitpointBook } from "./waitpoints.js";

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
  /** How many times `replay` made the task run again (E26). */
  replays = 0;
  /** attempt → that attempt's summary (E28); null while none. */
  summaries: Map<number, TaskSummary> | null = null;
  /** The order in which the task died, for listDeadLetters; 0 when not dead. */
  deadSeq = 0;
  /** The task's concurrency key (E20), null when it has none. */
  key: KeyState | null = null;
  updatedAt: number;

  constructor(
    readonly id: string,
    readonly seq: number,
    /** The task's queue, held directly so that moves need no lookup. */
    readonly home: QueueState,
    readonly queue: string,
    readonly payload: Value,
    /** Changed only by `changePriority` (E26), which re-files a ready task under the new one. */
    public priority: number,
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

/**
 * What a claim compares to choose the next task (E3 with E20's fairness): priority desc, then the
 * grant sequence of the task's key's latest lease asc (0: never granted, and a task without a key
 * is a key of its own that was never granted), then ready time, then enqueue order.
 */
interface Candidate {
  readonly priority: number;
  readonly lastGrant: number;
  readonly at: number;
  readonly seq: number;
}

const fairBefore = (a: Candidate, b: Candidate): boolean =>
  a.priority !== b.priority
    ? a.priority > b.priority
    : a.lastGrant !== b.lastGrant
      ? a.lastGrant < b.lastGrant
      : a.at !== b.at
        ? a.at < b.at
        : a.seq < b.seq;

/** A key's place in its queue's fair order: a snapshot of its ready head and its last grant. */
interface KeyEntry extends Candidate {
  readonly key: KeyState;
  /** The key's version when pushed; entries of an older version are stale. */
  readonly version: number;
}

/** A full key (E20) waiting for its earliest unexpired lease to expire. */
interface FullKeyEntry {
  readonly key: KeyState;
  readonly version: number;
  readonly at: number;
}

const isLiveKey = (entry: KeyEntry | FullKeyEntry): boolean => entry.version === entry.key.version;

/**
 * One (queue, concurrencyKey) of E20. Its ready tasks wait in its own priority queue, in E3
 * order (FIFO inside a key); the queue orders keys, not tasks, so a claim costs O(log keys)
 * whatever the number of keys. A key is kept while it has a non-terminal task, and forgotten with
 * its last one (decisions.md, issue 16).
 */
class KeyState {
  /** The tenant's grant sequence at the key's latest lease; 0 before the first. */
  lastGrant = 0;
  /** Bumped whenever the key's entry in `keyHeads` or `fullKeys` is replaced. */
  version = 0;
  /** True while the key's unexpired leases reach keyConcurrency: it waits in `fullKeys`. */
  full = false;
  /** Non-terminal tasks of the key. */
  tasks = 0;
  readyCount = 0;
  readonly ready = new PriorityQueue<ReadyEntry>(readyBefore);
  /** Tasks of the key in state leased (their leases may have expired unreclaimed). */
  readonly leased = new Set<StoredTask>();

  constructor(readonly name: string) {}
}

const isLive = (entry: TimedEntry): boolean => entry.version === entry.task.version;

/** Stale entries are swept once a queue holds more than twice its live entries plus this. */
const SWEEP_SLACK = 64;

function zeroCounts(): Record<TaskState, number> {
  return Object.fromEntries(TASK_STATES.map((state) => [state, 0])) as Record<TaskState, number>;
}

class QueueState {
  paused = false;
  concurrency: number | null = null;
  keyConcurrency: number | null = null;
  rateLimit: RateLimit | null = null;
  /** Grant times within the rate limit's interval, oldest first (E21). */
  grants: number[] = [];
  /** Keys of the queue (E20). Keyless ready tasks wait in `ready`. */
  readonly keys = new Map<string, KeyState>();
  /** Keys with a ready task and room under keyConcurrency, in fair order. */
  readonly keyHeads = new PriorityQueue<KeyEntry>(fairBefore);
  /** Keys at keyConcurrency, by the earliest expiry of their unexpired leases. */
  readonly fullKeys = new PriorityQueue<FullKeyEntry>((a, b) => a.at < b.at);
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

  /** Leases the rate limit lets a claim grant now (E21): Infinity without a limit. */
  rateRoom(now: number): number {
    const limit = this.rateLimit;
    if (limit === null) return Infinity;
    this.#forgetGrants(now);
    return Math.max(0, limit.max - this.grants.length);
  }

  /** When the rate limit lets the next lease be granted, or null when it has room now. */
  nextGrantAt(now: number): number | null {
    const limit = this.rateLimit;
    if (limit === null || this.rateRoom(now) > 0) return null;
    // The grant whose leaving the interval makes room: the (count − max + 1)-th oldest in it.
    return (this.grants[this.grants.length - limit.max] as number) + limit.perMs;
  }

  /** Records a grant while a rate limit is set; the log holds the interval's grants only. */
  recordGrant(now: number): void {
    if (this.rateLimit !== null) this.grants.push(now);
  }

  /** Drops grants outside the interval (now − perMs, now]: a grant at g counts until g + perMs. */
  #forgetGrants(now: number): void {
    const perMs = (this.rateLimit as RateLimit).perMs;
    let first = 0;
    while (first < this.grants.length && (this.grants[first] as number) + perMs <= now) first++;
    if (first > 0) this.grants = this.grants.slice(first);
  }

  /** Whether the key's unexpired leases reach keyConcurrency (E20): expired ones free their slot. */
  keyFull(key: KeyState, now: number): boolean {
    const limit = this.keyConcurrency;
    if (limit === null) return false;
    let unexpired = 0;
    for (const task of key.leased) if ((task.leaseExpiresAt as number) > now) unexpired++;
    return unexpired >= limit;
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
  /** The one task that may take it (a waitpoint's, E25); null: any task suspending on its key. */
  readonly target: string | null;
  readonly seq: number;
  readonly expiresAt: number;
  /** False once a suspension took it or it was pruned. */
  buffered: boolean;
}

export class TaskSpace {
  readonly #tasks = new Map<string, StoredTask>();
  readonly #queues = new Map<string, QueueState>();
  /** Queue names in code-point order, for `listQueues` (E26). */
  readonly #queueNames = new SortedList<string>(compareCodePoints);
  /** Every task's seq, and the task of each: `listTasks` walks them in enqueue order (E26). */
  readonly #taskSeqs = new SortedList<number>(compareNumbers);
  readonly #bySeq = new Map<number, StoredTask>();
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
  /** The tenant's waitpoint secrets and waitpoints (E25). */
  readonly waitpoints = new WaitpointBook();
  #seq = 0;
  /** Counts leases granted to tasks with a key: the order of "least recently granted" (E20). */
  #grantSeq = 0;

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
    if (input.concurrencyKey !== null) task.key = this.#key(task.home, input.concurrencyKey);
    this.#tasks.set(task.id, task);
    this.#taskSeqs.add(task.seq);
    this.#bySeq.set(task.seq, task);
    if (input.idempotencyKey !== null) this.#remember(task.queue, input.idempotencyKey, task.id, now + settings.dedupTtlMs);
    fx.event("enqueued", task.id, task.queue);

    const dependencies = input.dependsOn.map((id) => this.#tasks.get(id) as StoredTask);
    const pending = dependencies.filter((dependency) => dependency.state !== "completed");
    if (dependencies.length > 0) task.dependsOn = input.dependsOn;
    // Registered with every dependency, completed ones included: a dependency retried from the dead
    // letters may still complete, and a completed one may be replayed (E26) and then complete or
    // fail again, which this task, if still blocked, must hear of.
    for (const dependency of dependencies) (dependency.dependents ??= []).push(task);
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
    for (const queue of queues) {
      this.#promoteDue(queue, now);
      this.#reopenKeys(queue, now);
    }
    const leases: Lease[] = [];
    while (leases.length < limit) {
      let best: Candidate | undefined;
      let from: QueueState | undefined;
      let keyed = false;
      for (const queue of queues) {
        if (!queue.open || queue.rateRoom(now) === 0) continue;
        const keyless = queue.ready.peekLive(isLive);
        if (keyless !== undefined) {
          const candidate = keylessCandidate(keyless);
          if (best === undefined || fairBefore(candidate, best)) {
            best = candidate;
            from = queue;
            keyed = false;
          }
        }
        const key = this.#keyHead(queue, now);
        if (key !== undefined && (best === undefined || fairBefore(key, best))) {
          best = key;
          from = queue;
          keyed = true;
        }
      }
      if (best === undefined || from === undefined) break;
      let task: StoredTask;
      if (keyed) {
        const key = (best as KeyEntry).key;
        from.keyHeads.pop();
        task = (key.ready.peekLive(isLive) as ReadyEntry).task;
        key.ready.pop();
      } else {
        task = (from.ready.pop() as ReadyEntry).task;
      }
      from.recordGrant(now);
      leases.push(this.#grant(task, workerId, leaseMs, now));
      if (keyed) this.#placeKey(from, task.key as KeyState, now);
    }
    return leases;
  }

  /**
   * The first key of the queue's fair order that has a ready task and room (E20), or undefined.
   * Entries are checked when they reach the front: a stale one is dropped, one whose head changed
   * is replaced, and a key at keyConcurrency moves to `fullKeys`.
   */
  #keyHead(queue: QueueState, now: number): KeyEntry | undefined {
    for (;;) {
      const top = queue.keyHeads.peekLive(isLiveKey);
      if (top === undefined) return undefined;
      const key = top.key;
      const head = key.ready.peekLive(isLive);
      if (head === undefined) {
        queue.keyHeads.pop();
        key.version++;
        continue;
      }
      if (queue.keyFull(key, now)) {
        queue.keyHeads.pop();
        this.#markFull(queue, key, now);
        continue;
      }
      if (head.task.seq !== top.seq || head.at !== top.at || head.priority !== top.priority || key.lastGrant !== top.lastGrant) {
        queue.keyHeads.pop();
        this.#pushKey(queue, key, head);
        continue;
      }
      return top;
    }
  }

  /** After a grant or a freed slot: the key goes back in fair order, or waits as full. */
  #placeKey(queue: QueueState, key: KeyState, now: number): void {
    if (queue.keyFull(key, now)) {
      this.#markFull(queue, key, now);
      return;
    }
    key.full = false;
    const head = key.ready.peekLive(isLive);
    if (head === undefined) key.version++;
    else this.#pushKey(queue, key, head);
  }

  #pushKey(queue: QueueState, key: KeyState, head: ReadyEntry): void {
    const version = ++key.version;
    queue.keyHeads.push({ key, version, priority: head.priority, lastGrant: key.lastGrant, at: head.at, seq: head.task.seq });
    if (queue.keyHeads.size > 2 * queue.keys.size + SWEEP_SLACK) queue.keyHeads.retain(isLiveKey);
  }

  #markFull(queue: QueueState, key: KeyState, now: number): void {
    let earliest = Infinity;
    for (const task of key.leased) {
      const expiresAt = task.leaseExpiresAt as number;
      if (expiresAt > now && expiresAt < earliest) earliest = expiresAt;
    }
    key.full = true;
    const version = ++key.version;
    queue.fullKeys.push({ key, version, at: earliest });
    if (queue.fullKeys.size > 2 * queue.keys.size + SWEEP_SLACK) queue.fullKeys.retain(isLiveKey);
  }

  /** Full keys whose earliest lease has expired get their slot back at once (E20). */
  #reopenKeys(queue: QueueState, now: number): void {
    for (;;) {
      const top = queue.fullKeys.peekLive(isLiveKey);
      if (top === undefined || top.at > now) return;
      queue.fullKeys.pop();
      this.#placeKey(queue, top.key, now);
    }
  }

  /** The key's state, made when its first task arrives. */
  #key(queue: QueueState, name: string): KeyState {
    let key = queue.keys.get(name);
    if (!key) queue.keys.set(name, (key = new KeyState(name)));
    return key;
  }

  #grant(task: StoredTask, workerId: string, leaseMs: number, now: number): Lease {
    task.epoch++;
    task.leaseId = newLeaseId();
    task.attempt = task.consumed + 1;
    task.leaseMs = leaseMs;
    task.workerId = workerId;
    task.leaseExpiresAt = now + leaseMs;
    if (task.key) task.key.lastGrant = ++this.#grantSeq;
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
    if (task.key) lease.concurrencyKey = task.key.name;
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
    const waiting: StoredTask[] = [];
    for (const dependent of task.dependents ?? []) {
      if (dependent.state !== "blocked") continue;
      if (this.#pendingDependencies(dependent).length === 0) this.#makeAvailable(dependent, Math.max(dependent.runAt, now), now, fx);
      else waiting.push(dependent);
    }
    // Dependents still blocked on another task stay registered: should this one be replayed (E26),
    // they wait for its next completion too.
    task.dependents = waiting.length > 0 ? waiting : null;
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

  /** E28: replaces the summary of the lease's attempt. */
  setSummary(lease: Lease, summary: Json, now: number): void {
    const task = this.#held(lease, now);
    task.summaries ??= new Map();
    task.summaries.set(task.attempt, { taskId: task.id, attempt: task.attempt, summary: copyJson(summary), updatedAt: now });
  }

  getSummary(taskId: string, options: GetSummaryOptions): TaskSummary | null {
    const task = this.#tasks.get(taskId);
    const stored = task?.summaries?.get(options.attempt ?? task.attempt);
    return stored ? { ...stored, summary: copyJson(stored.summary) } : null;
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
      const left = buffered.filter((entry) => entry.target !== null && entry.target !== task.id);
      for (const entry of buffered) {
        if (entry.target !== null && entry.target !== task.id) continue;
        if (entry.expiresAt > now) taken.push(entry);
        entry.buffered = false;
      }
      if (left.length === 0) this.#buffered.delete(key);
      else this.#buffered.set(key, left);
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

  signal(input: KeySignalInput, now: number, settings: TaskSettings, fx: Effects): SignalResult {
    this.#prune(now);
    const duplicate = this.#duplicateSignal(input.idempotencyKey, now);
    if (duplicate) return duplicate;
    const signal = this.#newSignal(input, input.key, now, settings);
    return this.#deliver(signal, [...(this.#waiting.get(input.key) ?? [])], null, now, settings, fx);
  }

  /** A repeat of a signal idempotency key within its TTL: the first signal's id (E15). */
  #duplicateSignal(idempotencyKey: string | undefined, now: number): SignalResult | null {
    if (idempotencyKey === undefined) return null;
    const known = this.#signalDedup.get(idempotencyKey);
    return known && known.expiresAt > now ? { signalId: known.id, duplicate: true, deliveredTo: [] } : null;
  }

  #newSignal(input: SignalInput, key: string, now: number, settings: TaskSettings): Signal {
    const signal: Signal = { signalId: newId(now), key, payload: copyOptionalJson(input.payload), createdAt: now };
    if (input.idempotencyKey !== undefined) this.#rememberSignal(input.idempotencyKey, signal.signalId, now + settings.dedupTtlMs);
    return signal;
  }

  /**
   * Delivers `signal` to the `waiting` tasks in enqueue order, resuming those it satisfies, or
   * buffers it (for `target` alone when given) when none still waits (E14, E15).
   */
  #deliver(signal: Signal, waiting: StoredTask[], target: string | null, now: number, settings: TaskSettings, fx: Effects): SignalResult {
    const deliveredTo: string[] = [];
    for (const task of waiting.sort((a, b) => a.seq - b.seq)) {
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
    if (deliveredTo.length === 0) this.#bufferSignal(signal, target, now + settings.signalTtlMs);
    return { signalId: signal.signalId, duplicate: false, deliveredTo };
  }

  // -------------------------------------------------------------------------------------------
  // Waitpoints (E25)

  /** Issues a waitpoint of the lease's task, signed with the tenant's current secret. Fenced. */
  createWaitpoint(lease: Lease, input: CreateWaitpointInput, tenantId: string, now: number): CreatedWaitpoint {
    const task = this.#held(lease, now);
    const secret = this.waitpoints.currentSecret();
    const waitpointId = newId(now);
    const expiresAt = now + input.expiresInMs;
    const token = signWaitpointToken({ tenantId, taskId: task.id, key: input.key, expiresAt, waitpointId }, secret);
    this.waitpoints.add({
      waitpointId,
      taskId: task.id,
      key: input.key,
      kid: secret.kid,
      fingerprint: waitpointFingerprint(token),
      expiresAt,
      createdAt: now,
      signalId: null,
      deliveredAt: null,
    });
    return { waitpointId, token, expiresAt };
  }

  /**
   * Delivers through a waitpoint's token to its task alone, once; a token that does not verify is
   * UNAUTHORIZED and changes nothing (E25).
   */
  signalByToken(input: TokenSignalInput, tenantId: string, now: number, settings: TaskSettings, fx: Effects): SignalResult {
    const parsed = parseWaitpointToken(input.token);
    const token = verifyWaitpointToken(parsed, tenantId, parsed && this.waitpoints.secret(parsed.kid), now);
    const waitpoint = this.waitpoints.get(token.claims.waitpointId);
    if (!waitpoint) throw waitpointRefusedError("unknown_waitpoint");
    if (waitpoint.signalId !== null) return { signalId: waitpoint.signalId, duplicate: true, deliveredTo: [] };
    this.#prune(now);
    const duplicate = this.#duplicateSignal(input.idempotencyKey, now);
    if (duplicate) return duplicate;
    const signal = this.#newSignal(input, waitpoint.key, now, settings);
    waitpoint.signalId = signal.signalId;
    waitpoint.deliveredAt = now;
    const task = this.#tasks.get(waitpoint.taskId);
    const waiting = task && this.#waiting.get(waitpoint.key)?.has(task) ? [task] : [];
    return this.#deliver(signal, waiting, waitpoint.taskId, now, settings, fx);
  }

  listWaitpoints(taskId: string, now: number): WaitpointInfo[] {
    return this.waitpoints.list(taskId, now);
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

  #bufferSignal(signal: Signal, target: string | null, expiresAt: number): void {
    const existing = this.#buffered.get(signal.key);
    const list = existing ?? [];
    if (!existing) this.#buffered.set(signal.key, list);
    const entry: BufferedSignal = { signal, target, seq: ++this.#seq, expiresAt, buffered: true };
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

  /** E26: re-files a non-terminal task under a new priority; a ready one is re-queued under it. */
  changePriority(taskId: string, priority: number, now: number, fx: Effects): void {
    const task = this.#require(taskId);
    this.#settleTime(task, now);
    if (TERMINAL_TASK_STATES.has(task.state)) throw notLive(taskId, task.state, "its priority cannot change");
    task.priority = priority;
    if (task.state === "ready") {
      // A fresh entry under the new priority; the old one is stale by version (see #move).
      this.#move(task, "ready", now);
      fx.wake(task.queue);
    } else {
      task.updatedAt = now;
    }
  }

  /** E26: a terminal task runs again, cleared of its outcome, at `runAt` or now. */
  replay(taskId: string, options: ReplayOptions, now: number, fx: Effects): void {
    const task = this.#require(taskId);
    if (!TERMINAL_TASK_STATES.has(task.state)) throw notLive(taskId, task.state, "only a completed, dead or cancelled task can be replayed");
    // The last run's attempt counts as spent, so the next lease is attempt + 1 and its frames
    // start a stream of their own; with resetAttempts, counting starts from 1 again.
    task.consumed = options.resetAttempts === true ? 0 : task.attempt;
    task.result = null;
    task.lastError = null;
    task.progress = null;
    task.cancelReason = null;
    task.resumption = null;
    // The completing lease's repeat (E7) no longer applies: that run is over.
    task.completedEpoch = 0;
    task.replays++;
    this.#makeAvailable(task, options.runAt ?? now, now, fx);
  }

  /** E26: a page of the tenant's tasks matching `request`, in enqueue order or newest first. */
  listTasks(request: ListTasksRequest, now: number): Page<TaskRecord> {
    const descending = request.order === "desc";
    return pageOf(descending ? "tasks-desc" : "tasks", this.#taskSeqs, request, (seq) => {
      const task = this.#bySeq.get(seq);
      if (!task || !matches(task, request)) return undefined;
      this.#settleTime(task, now);
      return request.state === undefined || task.state === request.state ? this.#record(task) : undefined;
    }, descending);
  }

  /** E26: a page of the queues that have a task or settings, by name, each with its stats. */
  listQueues(request: PageRequest, now: number): Page<QueueStats> {
    return pageOf("queues", this.#queueNames, request, (name) => this.queueStats(name, now));
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
    if (settings.keyConcurrency !== undefined && settings.keyConcurrency !== queue.keyConcurrency) {
      queue.keyConcurrency = settings.keyConcurrency;
      // Every key's room changed: each goes back in fair order and is judged again at the front.
      // O(keys log keys), on a call operators make rarely.
      for (const key of queue.keys.values()) {
        key.full = false;
        const head = key.ready.peekLive(isLive);
        if (head === undefined) key.version++;
        else this.#pushKey(queue, key, head);
      }
    }
    if (settings.rateLimit !== undefined) {
      // Grants count while a limit is set; removing it forgets them (decisions.md, issue 16).
      if (settings.rateLimit === null) queue.grants = [];
      queue.rateLimit = settings.rateLimit === null ? null : { max: settings.rateLimit.max, perMs: settings.rateLimit.perMs };
    }
    fx.wake(name);
    return settingsOf(queue);
  }

  queueStats(name: string, now: number): QueueStats {
    const queue = this.#queues.get(name);
    if (!queue) return { queue: name, concurrency: null, paused: false, counts: zeroCounts(), oldestReadyAgeMs: null };
    this.#promoteDue(queue, now);
    const oldest = queue.readySince.peekLive(isLive);
    const stats: QueueStats = {
      ...settingsOf(queue),
      counts: { ...queue.counts },
      oldestReadyAgeMs: oldest === undefined ? null : Math.max(0, now - oldest.at),
    };
    const nextGrantAt = queue.counts.ready > 0 ? queue.nextGrantAt(now) : null;
    return nextGrantAt === null ? stats : { ...stats, nextGrantAt };
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
      this.#reopenKeys(queue, now);
      const keyHead = this.#keyHead(queue, now);
      const hasReady = queue.ready.peekLive(isLive) !== undefined || keyHead !== undefined;
      const nextGrantAt = queue.counts.ready > 0 ? queue.nextGrantAt(now) : null;
      if (nextGrantAt !== null) {
        // The rate limit holds ready work back until its oldest grant leaves the interval (E21).
        consider(nextGrantAt);
        continue;
      }
      if (!hasReady) {
        // Ready work behind full keys (E20) may be claimed when a key's earliest lease expires.
        consider(queue.fullKeys.peekLive(isLiveKey)?.at);
      }
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
    if (!queue) {
      this.#queues.set(name, (queue = new QueueState(name)));
      this.#queueNames.add(name);
    }
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
    // A freed slot in a queue with a concurrency or key limit (E17, E20) may let a waiting worker claim.
    if (task.home.concurrency !== null || (task.key !== null && task.home.keyConcurrency !== null)) fx.wake(task.queue);
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
      // Only a dependent still waiting is cancelled: one already released (or replayed, E26) runs on.
      if (dependent.state !== "blocked") continue;
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
    // A terminal task of a forgotten key that comes back (E12's retry) joins the key anew.
    if (task.key && TERMINAL_TASK_STATES.has(previous) && !admit && !TERMINAL_TASK_STATES.has(state)) {
      task.key = this.#key(queue, task.key.name);
    }
    const key = task.key;
    if (!admit) {
      queue.counts[previous]--;
      if (previous === "leased") {
        this.#leased--;
        if (key && state !== "leased") {
          key.leased.delete(task);
          // A freed slot puts a full key back in fair order (E20).
          if (key.full) this.#placeKey(queue, key, now);
        }
      }
      if (previous === "ready" && key) key.readyCount--;
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
    if (key) this.#countKeyTask(task, key, !admit && !TERMINAL_TASK_STATES.has(previous), !TERMINAL_TASK_STATES.has(state));
    task.state = state;
    task.version++;
    task.updatedAt = now;
    if (state !== "leased") {
      task.leaseExpiresAt = null;
      task.workerId = null;
    }
    const version = task.version;
    switch (state) {
      case "ready": {
        const entry: ReadyEntry = { task, version, at: task.runAt, priority: task.priority };
        if (key) this.#readyInKey(queue, key, entry);
        else push(queue.ready, entry, queue.counts.ready);
        push(queue.readySince, { task, version, at: task.runAt }, queue.counts.ready);
        break;
      }
      case "scheduled":
        push(queue.scheduled, { task, version, at: task.runAt }, queue.counts.scheduled);
        break;
      case "leased": {
        this.#leased++;
        key?.leased.add(task);
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

  /**
   * Keeps the key's count of non-terminal tasks; the key is forgotten with its last one, so that
   * keys (run ids, say) do not accumulate, and a key that comes back counts as never granted.
   */
  #countKeyTask(task: StoredTask, key: KeyState, wasLive: boolean, isLive: boolean): void {
    if (wasLive !== isLive) key.tasks += isLive ? 1 : -1;
    // Also a key whose first task was born cancelled (E16): it never held a live task.
    if (key.tasks > 0) return;
    const queue = task.home;
    if (queue.keys.get(key.name) === key) queue.keys.delete(key.name);
    key.version++;
    key.lastGrant = 0;
  }

  /** A task of `key` became ready: it joins the key's queue, and the key's place when it heads it. */
  #readyInKey(queue: QueueState, key: KeyState, entry: ReadyEntry): void {
    key.readyCount++;
    push(key.ready, entry, key.readyCount);
    if (!key.full && key.ready.peekLive(isLive) === entry) this.#pushKey(queue, key, entry);
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

/** Whether `task` matches the filter's members other than `state`, which needs the clock. */
function matches(task: StoredTask, filter: TaskFilter): boolean {
  return (
    (filter.queue === undefined || task.queue === filter.queue) &&
    (filter.runId === undefined || task.runId === filter.runId) &&
    (filter.concurrencyKey === undefined || task.key?.name === filter.concurrencyKey)
  );
}

/** INVALID_STATE for a terminal task an operator call cannot change (E26). */
function notLive(taskId: string, state: TaskState, why: string): MooringError {
  return new MooringError("INVALID_STATE", `task ${taskId} is ${state}: ${why}`, { details: notDeadDetails(taskId, state) });
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

function settingsOf(queue: QueueState): QueueSettings {
  const settings: { -readonly [K in keyof QueueSettings]: QueueSettings[K] } = {
    queue: queue.name,
    concurrency: queue.concurrency,
    paused: queue.paused,
  };
  if (queue.keyConcurrency !== null) settings.keyConcurrency = queue.keyConcurrency;
  if (queue.rateLimit !== null) settings.rateLimit = { ...queue.rateLimit };
  return settings;
}

/** A keyless ready task is a key of its own that was never granted (E20). */
function keylessCandidate(entry: ReadyEntry): Candidate {
  return { priority: entry.priority, lastGrant: 0, at: entry.at, seq: entry.task.seq };
}

function toRecord(task: StoredTask, pendingDependencies: string[]): TaskRecord {
  const record = {
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
  const keyed = task.key ? { ...record, concurrencyKey: task.key.name } : record;
  return task.replays > 0 ? { ...keyed, replays: task.replays } : keyed;
}

export type { StoredTask };
