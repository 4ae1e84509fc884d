/**
 * LISTEN/NOTIFY for `waitForWork` and `subscribe` (SPEC E19): one dedicated connection per
 * backend, opened on first use, that reconnects by itself.
 *
 * Statements send `pg_notify` on the schema's channel only when a listener registered the
 * (tenant, topic) in the `listeners` table, so hot paths pay nothing when nobody listens (NOTIFY
 * takes a lock at commit that serializes committing transactions). A registration is made before
 * the call that needs it resolves, so any change that starts after `subscribe` resolved is seen.
 * Payloads carry the tenant, and only views of that tenant receive them (SPEC T1).
 *
 * Notifications sent while the connection is down are lost: `waitForWork` keeps polling as its
 * floor and polls again on reconnect; subscribers miss those events (they are hints, not a log).
 */
import { randomUUID } from "node:crypto";
import type pg from "pg";
import { TASK_EVENT_KINDS, type TaskEventKind } from "@mooring/core";
import type { Database } from "./database.js";
import { quoteIdentifier } from "./identifiers.js";

/**
 * What a listener registers for: work for `waitForWork`, a run's log growing for `waitForEvents`
 * (W16, the run id in `taskId`), a task's stream growing for a tailing `readFrames` (E28), or a
 * task event kind.
 */
export type Topic = "work" | "log" | "frame" | TaskEventKind;

/** A notification as statements send it (see `sql/notify.sql`). */
export interface HubEvent {
  readonly tenantId: string;
  readonly topic: Topic;
  readonly queue: string;
  readonly taskId: string | null;
  readonly at: number;
}

/** What a hub tells its subscribers besides events. */
export type HubNotice = { readonly type: "event"; readonly event: HubEvent } | { readonly type: "reconnected" } | { readonly type: "closed" };

type HubListener = (notice: HubNotice) => void;

const HEARTBEAT_MS = 30_000;
const MAX_RECONNECT_DELAY_MS = 5_000;
const TOPICS: ReadonlySet<string> = new Set<string>(["work", "log", "frame", ...TASK_EVENT_KINDS]);

function parseEvent(payload: string | undefined): HubEvent | null {
  if (payload === undefined) return null;
  let data: unknown;
  try {
    data = JSON.parse(payload);
  } catch {
    return null;
  }
  if (typeof data !== "object" || data === null) return null;
  const { t, k, q, i, a } = data as Record<string, unknown>;
  if (typeof t !== "string" || typeof k !== "string" || !TOPICS.has(k) || typeof q !== "string" || typeof a !== "number") return null;
  return { tenantId: t, topic: k as Topic, queue: q, taskId: typeof i === "string" ? i : null, at: a };
}

export class NotificationHub {
  readonly #db: Database;
  readonly #channel: string;
  readonly #listenerId = randomUUID();
  /** Registered (tenant, topic) pairs, keyed `${tenant}\u0000${topic}` (ids cannot hold U+0000). */
  readonly #topics = new Map<string, { readonly tenantId: string; readonly topic: Topic }>();
  readonly #listeners = new Set<HubListener>();
  #client: pg.Client | null = null;
  #connecting: Promise<pg.Client> | null = null;
  /** Statements on the dedicated connection run one at a time. */
  #serial: Promise<unknown> = Promise.resolve();
  #heartbeat: NodeJS.Timeout | null = null;
  #reconnect: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(db: Database, channel: string) {
    this.#db = db;
    this.#channel = channel;
  }

  /** Receives every notice until the returned function is called. */
  listen(listener: HubListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /**
   * Resolves once the connection listens and `topics` are registered for `tenantId`: from then on,
   * every change to those topics that starts is notified.
   */
  async register(tenantId: string, topics: readonly Topic[]): Promise<void> {
    const client = await this.#connected();
    const missing = topics.filter((topic) => !this.#topics.has(`${tenantId}\u0000${topic}`));
    if (missing.length === 0) return;
    await this.#onConnection(client, "listener-register", [missing.map(() => tenantId), missing, this.#listenerId]);
    for (const topic of missing) this.#topics.set(`${tenantId}\u0000${topic}`, { tenantId, topic });
  }

  /**
   * A pushed wait (`waitForWork`, `waitForEvents`, a tailing `readFrames`): resolves true as soon as `look` finds what the
   * caller waits for, or a notification of `topic` for `tenantId` that `matches` arrives; false at
   * the timeout, on abort, or when the hub closes. The registration is made before the first look,
   * so a change in between is either seen by the look or notified. The timeout starts once the
   * first look has found nothing, so what is already there is reported however short the timeout
   * (docs/decisions.md, "Notifications"). `look` runs again on reconnect
   * and every `pollIntervalMs`, the floor under notifications lost while the connection was down;
   * a failed poll is a hint like a notification, not the caller's failure (the next one, or the
   * timeout, decides). A matching notification is a reason to look again, not an answer: one sent
   * before the wait began (delivered late on a busy machine) then cannot make it resolve true; a
   * look that fails still counts as the notification. Rejects only when the registration or the first look fails.
   */
  wait(
    tenantId: string,
    topic: Topic,
    options: {
      readonly matches: (event: HubEvent) => boolean;
      readonly look: () => Promise<boolean>;
      readonly pollIntervalMs: number;
      readonly timeoutMs: number;
      readonly signal?: AbortSignal | undefined;
    },
  ): Promise<boolean> {
    const { matches, look, pollIntervalMs, timeoutMs, signal } = options;
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise<boolean>((resolve, reject) => {
      const cleanups: (() => void)[] = [];
      let settled = false;
      const finish = (outcome: boolean | { readonly error: unknown }): void => {
        if (settled) return;
        settled = true;
        for (const cleanup of cleanups) cleanup();
        if (typeof outcome === "boolean") resolve(outcome);
        else reject(outcome.error);
      };
      if (signal) {
        const onAbort = (): void => finish(false);
        signal.addEventListener("abort", onAbort, { once: true });
        cleanups.push(() => signal.removeEventListener("abort", onAbort));
      }
      const check = (): void => {
        look().then(
          (found) => {
            if (found) finish(true);
          },
          () => undefined,
        );
      };
      cleanups.push(
        this.listen((notice) => {
          if (notice.type === "closed") finish(false);
          else if (notice.type === "reconnected") check();
          else if (notice.event.topic !== topic || notice.event.tenantId !== tenantId || !matches(notice.event)) return;
          else
            look().then(
              (found) => {
                if (found) finish(true);
              },
              () => finish(true),
            );
        }),
      );
      const poll = setInterval(check, pollIntervalMs);
      cleanups.push(() => clearInterval(poll));
      this.register(tenantId, [topic])
        .then(() => (settled ? false : look()))
        .then(
          (found) => {
            if (found) finish(true);
            else if (!settled) {
              const timer = setTimeout(() => finish(false), timeoutMs);
              cleanups.push(() => clearTimeout(timer));
            }
          },
          (error: unknown) => finish({ error }),
        );
    });
  }

  /** Ends the connection and removes this listener's registrations; every waiter is told. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    if (this.#reconnect) clearTimeout(this.#reconnect);
    this.#emit({ type: "closed" });
    this.#listeners.clear();
    const client = this.#client ?? (await this.#connecting?.catch(() => null)) ?? null;
    this.#client = null;
    if (client) {
      try {
        await this.#onConnection(client, "listener-unregister", [this.#listenerId]);
      } catch {
        // The rows of a listener that could not remove them expire after ten minutes.
      }
      await client.end().catch(() => undefined);
    }
  }

  #emit(notice: HubNotice): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(notice);
      } catch (error) {
        // A subscriber's callback that throws must not stop the others, nor unwind into the
        // driver's message handling: it surfaces as an uncaught exception of its own, as a
        // throwing event listener would.
        process.nextTick(() => {
          throw error;
        });
      }
    }
  }

  #onConnection(client: pg.Client, name: Parameters<Database["statement"]>[0], values: readonly unknown[]): Promise<unknown> {
    const statement = this.#db.statement(name);
    const next = this.#serial.then(() => client.query({ name: statement.name, text: statement.text, values: [...values] }));
    this.#serial = next.catch(() => undefined);
    return next;
  }

  async #connected(): Promise<pg.Client> {
    if (this.#closed) throw new Error("the notification listener is closed");
    if (this.#client) return this.#client;
    this.#connecting ??= this.#open().finally(() => {
      this.#connecting = null;
    });
    return this.#connecting;
  }

  async #open(): Promise<pg.Client> {
    const client = await this.#db.connectDedicated();
    client.on("notification", (message: pg.Notification) => {
      if (message.channel !== this.#channel) return;
      const event = parseEvent(message.payload);
      if (event) this.#emit({ type: "event", event });
    });
    client.on("error", () => this.#lost(client));
    client.on("end", () => this.#lost(client));
    try {
      this.#serial = Promise.resolve();
      await client.query(`LISTEN ${quoteIdentifier(this.#channel)}`);
      const known = [...this.#topics.values()];
      if (known.length > 0) {
        await this.#onConnection(client, "listener-register", [known.map((entry) => entry.tenantId), known.map((entry) => entry.topic), this.#listenerId]);
      }
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.#closed) {
      await client.end().catch(() => undefined);
      throw new Error("the notification listener is closed");
    }
    this.#client = client;
    this.#heartbeat ??= setInterval(() => {
      const current = this.#client;
      if (current) this.#onConnection(current, "listener-heartbeat", [this.#listenerId]).catch(() => undefined);
    }, HEARTBEAT_MS).unref();
    return client;
  }

  #lost(client: pg.Client): void {
    if (this.#client !== client) return;
    this.#client = null;
    if (!this.#closed) this.#scheduleReconnect(100);
  }

  #scheduleReconnect(delay: number): void {
    if (this.#closed || this.#reconnect) return;
    this.#reconnect = setTimeout(() => {
      this.#reconnect = null;
      this.#connected().then(
        () => this.#emit({ type: "reconnected" }),
        () => this.#scheduleReconnect(Math.min(delay * 2, MAX_RECONNECT_DELAY_MS)),
      );
    }, delay);
    this.#reconnect.unref();
  }
}
