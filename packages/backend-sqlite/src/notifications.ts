/**
 * Wake-ups and task events (SPEC E19), and growth wake-ups of a run's log (W16) and a task's
 * stream (E28). Every task event is a row of the change feed, written in
 * the transaction that caused it (so it exists exactly when the change is committed). A
 * `ChangeFeed` reads the rows after a commit on its own connection at once, and polls the feed
 * every `pollIntervalMs` while anyone waits or subscribes, which is how writes of other
 * connections and other processes are noticed. A `SqliteNotifier` shared by several backends of
 * one process makes their wake-ups immediate across backends too.
 */
import { emitWarning } from "node:process";
import type { SubscribeFilter, TaskEvent, TaskEventKind, Unsubscribe, WaitForWorkOptions } from "@mooring/core";
import { TASK_EVENT_KINDS } from "@mooring/core";
import type { SqliteConnection } from "./connection.js";
import { FEED_HEAD, type NotificationRow, READ_FEED } from "./sql/notifications.js";

/** The feed kind of an append to a run's log (W16): `task_id` is the run id. */
export const LOG_GROWN = "log_grown";
/** The feed kind of an append to a task's stream (E28). */
export const FRAME_APPENDED = "frame_appended";
/** Feed kinds that wake growth waiters (`waitForEvents`, a tailing `readFrames`). */
const GROWTH_KINDS: ReadonlySet<string> = new Set([LOG_GROWN, FRAME_APPENDED]);
/** Feed kinds that mean work may have become claimable in the row's queue. */
const WAKE_KINDS: ReadonlySet<string> = new Set(["enqueued", "ready", "failed", "lease_expired"]);
const EVENT_KINDS: ReadonlySet<string> = new Set(TASK_EVENT_KINDS);
/** Feed rows read per statement while catching up. */
const READ_BATCH = 512;

/**
 * A wake-up hub for several backends in one process: a commit on any of them makes every other
 * one read the change feed at once instead of at its next poll. Optional: without it, backends
 * on one file still see each other's changes within `pollIntervalMs`.
 *
 * ```ts
 * const notifier = new SqliteNotifier();
 * const a = createSqliteBackend({ path, notifier });
 * const b = createSqliteBackend({ path, notifier });
 * ```
 */
export class SqliteNotifier {
  readonly #listeners = new Set<() => void>();

  /** Registers a backend's feed; returns the function that removes it. */
  attach(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Tells every attached feed that the database changed. */
  changed(): void {
    for (const listener of this.#listeners) listener();
  }
}

interface Waiter {
  readonly tenant: string;
  readonly queues: ReadonlySet<string>;
  readonly from: number;
  readonly wake: (found: boolean) => void;
}

/** A `waitForEvents` (W16) or a tailing `readFrames` (E28): woken by a row of its kind and id after `from`. */
interface GrowthWaiter {
  readonly tenant: string;
  readonly kind: string;
  /** The run id of a `log_grown` row, the task id of a `frame_appended` one. */
  readonly id: string;
  readonly from: number;
  readonly wake: (found: boolean) => void;
}

interface Subscriber {
  readonly tenant: string;
  readonly kinds: ReadonlySet<string>;
  readonly queues: ReadonlySet<string> | null;
  readonly from: number;
  readonly onEvent: (event: TaskEvent) => void;
}

/** Whether a task is claimable now in one of `queues` of `tenant` (the engine's answer). */
export type ClaimableCheck = (tenant: string, queues: readonly string[]) => boolean;

export class ChangeFeed {
  readonly #connection: SqliteConnection;
  readonly #notifier: SqliteNotifier | undefined;
  readonly #pollIntervalMs: number;
  readonly #hasClaimable: ClaimableCheck;
  readonly #waiters = new Set<Waiter>();
  readonly #growthWaiters = new Set<GrowthWaiter>();
  readonly #subscribers = new Set<Subscriber>();
  readonly #detach: (() => void)[] = [];
  /** The feed position read so far; meaningful while anyone listens. */
  #cursor = 0;
  #timer: NodeJS.Timeout | null = null;
  #drainQueued = false;
  #closed = false;

  constructor(connection: SqliteConnection, notifier: SqliteNotifier | undefined, pollIntervalMs: number, hasClaimable: ClaimableCheck) {
    this.#connection = connection;
    this.#notifier = notifier;
    this.#pollIntervalMs = pollIntervalMs;
    this.#hasClaimable = hasClaimable;
    this.#detach.push(
      connection.onCommit(() => {
        this.#queueDrain();
        this.#notifier?.changed();
      }),
    );
    if (notifier) this.#detach.push(notifier.attach(() => this.#queueDrain()));
  }

  /**
   * Resolves true at once when work is claimable in `queues`; else true on the next enqueue,
   * release, retry or resume in them, false at `timeoutMs` (real time: a hint, not a time
   * decision) or on abort. Always bounded.
   */
  waitForWork(tenant: string, queues: readonly string[], options: WaitForWorkOptions): Promise<boolean> {
    if (this.#closed || options.signal?.aborted) return Promise.resolve(false);
    // The feed position is read before the claimable check, so a change committed in between is
    // either seen by the check or read from the feed afterwards: never missed.
    const from = this.#head();
    if (this.#hasClaimable(tenant, queues)) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const signal = options.signal;
      const finish = (found: boolean): void => {
        if (!this.#waiters.delete(waiter)) return;
        clearTimeout(timeout);
        signal?.removeEventListener("abort", onAbort);
        this.#stopWhenIdle();
        resolve(found);
      };
      const onAbort = (): void => finish(false);
      const waiter: Waiter = { tenant, queues: new Set(queues), from, wake: finish };
      const timeout = setTimeout(() => finish(false), options.timeoutMs);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#listen(from);
      this.#waiters.add(waiter);
    });
  }

  /**
   * Resolves true at once when `hasNewer` says the log or stream already has what the caller
   * waits for; else true when a row of `kind` naming `id` is committed (by this connection, at
   * once; by another, at the next read of the feed), false at `timeoutMs` or on abort. The feed
   * position is read before `hasNewer`, so an append in between is never missed.
   */
  waitForGrowth(tenant: string, kind: string, id: string, options: WaitForWorkOptions, hasNewer: () => boolean): Promise<boolean> {
    if (this.#closed || options.signal?.aborted) return Promise.resolve(false);
    const from = this.#head();
    if (hasNewer()) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const signal = options.signal;
      const finish = (found: boolean): void => {
        if (!this.#growthWaiters.delete(waiter)) return;
        clearTimeout(timeout);
        signal?.removeEventListener("abort", onAbort);
        this.#stopWhenIdle();
        resolve(found);
      };
      const onAbort = (): void => finish(false);
      const waiter: GrowthWaiter = { tenant, kind, id, from, wake: finish };
      const timeout = setTimeout(() => finish(false), options.timeoutMs);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#listen(from);
      this.#growthWaiters.add(waiter);
    });
  }

  /** Streams this tenant's task events of `filter.kinds` committed after the call resolves. */
  subscribe(tenant: string, filter: SubscribeFilter, onEvent: (event: TaskEvent) => void): Unsubscribe {
    const from = this.#head();
    const subscriber: Subscriber = {
      tenant,
      kinds: new Set(filter.kinds),
      queues: filter.queues ? new Set(filter.queues) : null,
      from,
      onEvent,
    };
    this.#listen(from);
    this.#subscribers.add(subscriber);
    return () => {
      if (this.#subscribers.delete(subscriber)) this.#stopWhenIdle();
    };
  }

  /** Ends every wait (false) and subscription; the feed is not read again. */
  close(): void {
    this.#closed = true;
    for (const detach of this.#detach) detach();
    this.#subscribers.clear();
    for (const waiter of [...this.#waiters]) waiter.wake(false);
    for (const waiter of [...this.#growthWaiters]) waiter.wake(false);
    this.#stop();
  }

  #head(): number {
    return this.#connection.statements.one<{ seq: number }>(FEED_HEAD)?.seq ?? 0;
  }

  #listening(): boolean {
    return this.#waiters.size > 0 || this.#growthWaiters.size > 0 || this.#subscribers.size > 0;
  }

  /** Starts reading from `from` when nobody listened yet, and the poll timer. */
  #listen(from: number): void {
    if (!this.#listening()) this.#cursor = from;
    if (this.#timer === null) {
      this.#timer = setInterval(() => this.#poll(), this.#pollIntervalMs);
      // A wait keeps the process alive through its own timeout; the poll never does.
      this.#timer.unref();
    }
  }

  #stopWhenIdle(): void {
    if (!this.#listening()) this.#stop();
  }

  #stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  #queueDrain(): void {
    if (this.#drainQueued || this.#closed || !this.#listening()) return;
    this.#drainQueued = true;
    queueMicrotask(() => {
      this.#drainQueued = false;
      this.#drain();
    });
  }

  #poll(): void {
    this.#drain();
    if (this.#closed || this.#waiters.size === 0) return;
    // Time passing makes scheduled tasks due without any write: look again for each distinct wait.
    const checked = new Map<string, boolean>();
    for (const waiter of [...this.#waiters]) {
      const key = JSON.stringify([waiter.tenant, [...waiter.queues]]);
      let found = checked.get(key);
      if (found === undefined) {
        found = this.#guard(() => this.#hasClaimable(waiter.tenant, [...waiter.queues]), false);
        checked.set(key, found);
      }
      if (found) waiter.wake(true);
    }
  }

  /** Reads every feed row after the cursor and hands each to its listeners. */
  #drain(): void {
    if (this.#closed || !this.#listening()) return;
    for (;;) {
      const rows = this.#guard(() => this.#connection.statements.all<NotificationRow>(READ_FEED, this.#cursor, READ_BATCH), []);
      for (const row of rows) {
        this.#cursor = row.seq;
        this.#dispatch(row);
      }
      if (rows.length < READ_BATCH || this.#closed || !this.#listening()) return;
    }
  }

  #dispatch(row: NotificationRow): void {
    if (GROWTH_KINDS.has(row.kind)) {
      for (const waiter of [...this.#growthWaiters]) {
        if (row.seq > waiter.from && waiter.tenant === row.tenant && waiter.kind === row.kind && waiter.id === row.task_id) waiter.wake(true);
      }
      return;
    }
    if (WAKE_KINDS.has(row.kind)) {
      for (const waiter of [...this.#waiters]) {
        if (row.seq > waiter.from && waiter.tenant === row.tenant && waiter.queues.has(row.queue)) waiter.wake(true);
      }
    }
    if (!EVENT_KINDS.has(row.kind)) return;
    for (const subscriber of [...this.#subscribers]) {
      if (row.seq <= subscriber.from || subscriber.tenant !== row.tenant || !subscriber.kinds.has(row.kind)) continue;
      if (subscriber.queues !== null && !subscriber.queues.has(row.queue)) continue;
      const event: TaskEvent = { kind: row.kind as TaskEventKind, taskId: row.task_id, queue: row.queue, tenantId: row.tenant, at: row.at };
      try {
        subscriber.onEvent(event);
      } catch (error) {
        // A subscriber's failure is its own: report it and keep delivering to the others.
        emitWarning(`a Mooring subscribe() callback threw: ${error instanceof Error ? error.message : String(error)}`, "MooringSubscriberWarning");
      }
    }
  }

  /** Runs a feed read; a failure (a closed or busy database) skips this round instead of throwing into a timer. */
  #guard<T>(read: () => T, fallback: T): T {
    try {
      return this.#connection.db.open ? read() : fallback;
    } catch {
      return fallback;
    }
  }
}
