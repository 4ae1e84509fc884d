/**
 * The in-process notification hub of one store partition (SPEC E19): `waitForWork` waiters and
 * `subscribe` subscribers of every client sharing the partition. A call collects what it changed
 * in an `Effects` and announces it only after its last write, so a woken worker or a subscriber
 * always observes the change (decisions.md, Notifications).
 */
import type { Clock, SubscribeFilter, TaskEvent, TaskEventKind, Unsubscribe } from "@mooring/core";

/**
 * The identity of one backend object built on the store. Its `close()` resolves its pending waits
 * with false and ends its subscriptions; other clients of the same store keep theirs.
 */
export class Client {}

interface PendingEvent {
  readonly kind: TaskEventKind;
  readonly taskId: string;
  readonly queue: string;
}

/** What one mutating call changed, collected while it runs and announced after its writes. */
export class Effects {
  #events: PendingEvent[] | null = null;
  #work: Set<string> | null = null;

  /** A task event for subscribers. */
  event(kind: TaskEventKind, taskId: string, queue: string): void {
    (this.#events ??= []).push({ kind, taskId, queue });
  }

  /** Work may have become claimable in `queue`: wake its waiters. */
  wake(queue: string): void {
    (this.#work ??= new Set()).add(queue);
  }

  get events(): readonly PendingEvent[] {
    return this.#events ?? [];
  }

  /** The queues woken, or null when none was. */
  get woken(): ReadonlySet<string> | null {
    return this.#work;
  }
}

/** What `waitForWork` learns from the engine about its queues. */
export interface WorkProbe {
  /** A task could be claimed now. */
  readonly claimable: boolean;
  /** The earliest future time (by the backend's clock) at which a task becomes due, if any. */
  readonly dueAt: number | null;
}

export interface WaitRequest {
  readonly client: Client;
  readonly tenantId: string;
  readonly queues: readonly string[];
  readonly timeoutMs: number;
  readonly signal: AbortSignal | undefined;
  readonly clock: Clock;
  /** Looks at the queues again; called when a due time comes. */
  readonly probe: () => WorkProbe;
}

interface Waiter {
  readonly client: Client;
  readonly tenantId: string;
  readonly queues: readonly string[];
  finish(result: boolean): void;
}

interface Subscriber {
  readonly client: Client;
  readonly kinds: ReadonlySet<TaskEventKind>;
  readonly queues: ReadonlySet<string> | null;
  readonly onEvent: (event: TaskEvent) => void;
  active: boolean;
}

/**
 * What a growth waiter waits on: a run's log (`waitForEvents`, SPEC W16) or a task's stream
 * (`readFrames` with `waitMs`, E28). Ids cannot hold U+0000, so the two never meet.
 */
export const logTopic = (runId: string): string => `log\u0000${runId}`;
export const framesTopic = (taskId: string): string => `frames\u0000${taskId}`;

/** A `waitForEvents` or a tailing `readFrames`: woken when its topic grows. */
interface GrowthWaiter {
  readonly client: Client;
  finish(result: boolean): void;
}

export class NotificationHub {
  /** tenant → queue → waiters */
  readonly #waiters = new Map<string, Map<string, Set<Waiter>>>();
  /** tenant → topic → growth waiters (SPEC W16, E28) */
  readonly #growthWaiters = new Map<string, Map<string, Set<GrowthWaiter>>>();
  /** tenant → subscribers */
  readonly #subscribers = new Map<string, Set<Subscriber>>();

  /**
   * Announces a finished call of `tenantId`: wakes the waiters of every queue it woke and delivers
   * its events, in order, to the tenant's matching subscribers (never to another tenant's, SPEC T1).
   * Delivery runs in a microtask, outside the caller's stack; a throwing subscriber is reported as
   * a process warning and does not disturb the others.
   */
  announce(tenantId: string, effects: Effects, at: number): void {
    const woken = effects.woken;
    if (woken !== null) {
      const byQueue = this.#waiters.get(tenantId);
      if (byQueue) {
        for (const queue of woken) {
          const waiters = byQueue.get(queue);
          if (waiters) for (const waiter of [...waiters]) waiter.finish(true);
        }
      }
    }
    const subscribers = this.#subscribers.get(tenantId);
    if (effects.events.length === 0 || !subscribers || subscribers.size === 0) return;
    const targets = [...subscribers];
    const events: TaskEvent[] = effects.events.map(({ kind, taskId, queue }) => ({ kind, taskId, queue, tenantId, at }));
    queueMicrotask(() => {
      for (const event of events) {
        for (const subscriber of targets) {
          if (!subscriber.active || !subscriber.kinds.has(event.kind)) continue;
          if (subscriber.queues && !subscriber.queues.has(event.queue)) continue;
          try {
            subscriber.onEvent({ ...event });
          } catch (error) {
            process.emitWarning(`a mooring subscriber threw: ${error instanceof Error ? error.message : String(error)}`, {
              type: "MooringSubscriberWarning",
            });
          }
        }
      }
    });
  }

  /**
   * Waits until a call wakes one of `queues`, a due time comes with work claimable, the timeout
   * passes (false) or the signal aborts (false). The timeout is real time: a wait is a hint, not a
   * time decision (decisions.md).
   */
  wait(request: WaitRequest, first: WorkProbe): Promise<boolean> {
    const { signal } = request;
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const deadline = Date.now() + request.timeoutMs;
      let dueTimer: ReturnType<typeof setTimeout> | undefined;
      let done = false;
      const onAbort = (): void => waiter.finish(false);
      const waiter: Waiter = {
        client: request.client,
        tenantId: request.tenantId,
        queues: request.queues,
        finish: (result) => {
          if (done) return;
          done = true;
          clearTimeout(timeout);
          clearTimeout(dueTimer);
          signal?.removeEventListener("abort", onAbort);
          this.#removeWaiter(waiter);
          resolve(result);
        },
      };
      // A due time is in clock milliseconds; with the system clock it is exact, with an injected
      // clock it is only a moment to look again, which is all a hint needs.
      const armDue = (dueAt: number | null): void => {
        if (dueAt === null) return;
        const delay = Math.max(1, dueAt - request.clock.now());
        if (delay >= deadline - Date.now()) return;
        dueTimer = setTimeout(() => {
          const probe = request.probe();
          if (probe.claimable) waiter.finish(true);
          else armDue(probe.dueAt);
        }, delay);
      };
      const timeout = setTimeout(() => waiter.finish(false), request.timeoutMs);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#addWaiter(waiter);
      armDue(first.dueAt);
    });
  }

  /**
   * Wakes every growth waiter of `tenantId`'s `topic`: a run's log or a task's stream has grown
   * (SPEC W16, E28). Called after the append's last write, so a woken reader reads what is new.
   */
  announceGrowth(tenantId: string, topic: string): void {
    const waiters = this.#growthWaiters.get(tenantId)?.get(topic);
    if (waiters) for (const waiter of [...waiters]) waiter.finish(true);
  }

  /**
   * Waits until `announceGrowth` names the topic (true), the timeout passes or the signal aborts
   * (false). `hasNewer` is asked once, after the waiter is registered, so an append between the
   * caller's read and the wait is never missed. The timeout is real time, as `wait`'s.
   */
  waitForGrowth(
    client: Client,
    tenantId: string,
    topic: string,
    timeoutMs: number,
    signal: AbortSignal | undefined,
    hasNewer: () => boolean,
  ): Promise<boolean> {
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      let done = false;
      const onAbort = (): void => waiter.finish(false);
      const waiter: GrowthWaiter = {
        client,
        finish: (result) => {
          if (done) return;
          done = true;
          clearTimeout(timeout);
          signal?.removeEventListener("abort", onAbort);
          const byTopic = this.#growthWaiters.get(tenantId);
          const waiters = byTopic?.get(topic);
          waiters?.delete(waiter);
          if (waiters?.size === 0) byTopic?.delete(topic);
          if (byTopic?.size === 0) this.#growthWaiters.delete(tenantId);
          resolve(result);
        },
      };
      const timeout = setTimeout(() => waiter.finish(false), timeoutMs);
      signal?.addEventListener("abort", onAbort, { once: true });
      let byTopic = this.#growthWaiters.get(tenantId);
      if (!byTopic) this.#growthWaiters.set(tenantId, (byTopic = new Map()));
      let waiters = byTopic.get(topic);
      if (!waiters) byTopic.set(topic, (waiters = new Set()));
      waiters.add(waiter);
      if (hasNewer()) waiter.finish(true);
    });
  }

  /** Streams `tenantId`'s task events matching `filter` to `onEvent` until unsubscribed. */
  subscribe(client: Client, tenantId: string, filter: SubscribeFilter, onEvent: (event: TaskEvent) => void): Unsubscribe {
    const subscriber: Subscriber = {
      client,
      kinds: new Set(filter.kinds),
      queues: filter.queues ? new Set(filter.queues) : null,
      onEvent,
      active: true,
    };
    let subscribers = this.#subscribers.get(tenantId);
    if (!subscribers) this.#subscribers.set(tenantId, (subscribers = new Set()));
    subscribers.add(subscriber);
    return () => {
      subscriber.active = false;
      subscribers.delete(subscriber);
    };
  }

  /** Ends `client`'s waits (false) and subscriptions; other clients are untouched. */
  dropClient(client: Client): void {
    for (const byQueue of this.#waiters.values()) {
      for (const waiters of byQueue.values()) {
        for (const waiter of [...waiters]) if (waiter.client === client) waiter.finish(false);
      }
    }
    for (const byTopic of this.#growthWaiters.values()) {
      for (const waiters of byTopic.values()) {
        for (const waiter of [...waiters]) if (waiter.client === client) waiter.finish(false);
      }
    }
    for (const subscribers of this.#subscribers.values()) {
      for (const subscriber of [...subscribers]) {
        if (subscriber.client !== client) continue;
        subscriber.active = false;
        subscribers.delete(subscriber);
      }
    }
  }

  #addWaiter(waiter: Waiter): void {
    let byQueue = this.#waiters.get(waiter.tenantId);
    if (!byQueue) this.#waiters.set(waiter.tenantId, (byQueue = new Map()));
    for (const queue of waiter.queues) {
      let waiters = byQueue.get(queue);
      if (!waiters) byQueue.set(queue, (waiters = new Set()));
      waiters.add(waiter);
    }
  }

  #removeWaiter(waiter: Waiter): void {
    const byQueue = this.#waiters.get(waiter.tenantId);
    if (!byQueue) return;
    for (const queue of waiter.queues) {
      const waiters = byQueue.get(queue);
      if (!waiters) continue;
      waiters.delete(waiter);
      if (waiters.size === 0) byQueue.delete(queue);
    }
    if (byQueue.size === 0) this.#waiters.delete(waiter.tenantId);
  }
}
