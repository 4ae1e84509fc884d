/**
 * Pub/sub for `waitForWork` and `subscribe` (SPEC E19). Scripts publish, after their writes, one
 * message per call on the tenant's channel `{<prefix>:<tenant>}:ch`: lines of
 * `<kind> <queue b64> <task b64> <at>` for task events and `work <queue b64>` for work that may
 * have become claimable. A channel carries one tenant of one prefix only, so no subscriber ever
 * sees another tenant's or another deployment's events (SPEC §10.11).
 *
 * One subscriber connection per backend (shared by its views) is opened on first use; ioredis
 * reconnects it and subscribes again by itself. Pub/sub delivers at most once: a message published
 * while the subscriber is reconnecting is lost, which is why waitForWork also polls (a hint, never
 * the truth) and why events are notifications, not a log.
 */
import type { RedisClient } from "./connection.js";
import { quit } from "./connection.js";

export type MessageListener = (message: string) => void;

export class NotificationHub {
  readonly #open: () => RedisClient;
  #subscriber: RedisClient | null = null;
  readonly #listeners = new Map<string, Set<MessageListener>>();
  #closed = false;

  /** @param open makes the subscriber connection, on first use */
  constructor(open: () => RedisClient) {
    this.#open = open;
  }

  #connection(): RedisClient {
    if (this.#subscriber === null) {
      const subscriber = this.#open();
      subscriber.on("message", (channel: string, message: string) => this.#dispatch(channel, message));
      this.#subscriber = subscriber;
    }
    return this.#subscriber;
  }

  #dispatch(channel: string, message: string): void {
    for (const listener of [...(this.#listeners.get(channel) ?? [])]) listener(message);
  }

  /**
   * Calls `listener` with every message on `channel` from the moment this resolves (the
   * subscription is live) until the returned function is called.
   */
  async listen(channel: string, listener: MessageListener): Promise<() => void> {
    if (this.#closed) throw new Error("the notification hub is closed");
    let listeners = this.#listeners.get(channel);
    if (!listeners) {
      listeners = new Set();
      this.#listeners.set(channel, listeners);
    }
    listeners.add(listener);
    const subscriber = this.#connection();
    try {
      // Every listener awaits a SUBSCRIBE of its own: a later listener must not return before the
      // first listener's subscription is live, and SUBSCRIBE of a subscribed channel is harmless.
      await subscriber.subscribe(channel);
    } catch (error) {
      this.#remove(channel, listener);
      throw error;
    }
    let stopped = false;
    return () => {
      if (stopped) return;
      stopped = true;
      this.#remove(channel, listener);
    };
  }

  #remove(channel: string, listener: MessageListener): void {
    const listeners = this.#listeners.get(channel);
    if (!listeners) return;
    listeners.delete(listener);
    if (listeners.size > 0) return;
    this.#listeners.delete(channel);
    // Commands on one connection run in order, so a later SUBSCRIBE of the channel still wins.
    this.#subscriber?.unsubscribe(channel).catch(() => undefined);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
    const subscriber = this.#subscriber;
    this.#subscriber = null;
    if (subscriber) await quit(subscriber);
  }
}
