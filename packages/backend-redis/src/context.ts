/**
 * What every facet of one backend shares: the connection, the scripts, the key space, time and
 * limits, and the notification hub. One per backend; views of other tenants share it.
 */
import type { Clock, Limits } from "@mooring/core";
import type { Connection } from "./connection.js";
import type { KeySpace } from "./keys.js";
import type { NotificationHub } from "./notifications.js";
import type { ScriptArg, ScriptName, ScriptRunner } from "./statements.js";

/** How often a pushed wait looks again, in case a message was lost (pub/sub drops them while reconnecting). */
const WAIT_POLL_MS = 1_000;

export class RedisContext {
  readonly connection: Connection;
  readonly scripts: ScriptRunner;
  readonly keys: KeySpace;
  readonly limits: Limits;
  readonly hub: NotificationHub;
  readonly onWarning: (message: string) => void;
  /** Pending waits (`wait`): each ends (false) when the backend closes. */
  readonly waits = new Set<() => void>();
  /** Set by the backend's `close()`: a tail it ended answers `[]` instead of reading on a closed connection. */
  closed = false;
  readonly #clock: Clock | null;

  constructor(init: {
    connection: Connection;
    scripts: ScriptRunner;
    keys: KeySpace;
    limits: Limits;
    hub: NotificationHub;
    clock: Clock | null;
    onWarning: (message: string) => void;
  }) {
    this.connection = init.connection;
    this.scripts = init.scripts;
    this.keys = init.keys;
    this.limits = init.limits;
    this.hub = init.hub;
    this.#clock = init.clock;
    this.onWarning = init.onWarning;
  }

  get client(): Connection["client"] {
    return this.connection.client;
  }

  /** A plain command, settled even if its connection drops it (Connection.track). */
  track<T>(command: Promise<T>): Promise<T> {
    return this.connection.track(command);
  }

  /**
   * The `now` argument of a script: the injected clock's time, or '' for the server's TIME read
   * inside the script (SPEC C3), so that clients with skewed clocks agree.
   */
  now(): string {
    return this.#clock ? String(this.#clock.now()) : "";
  }

  /** '1' when time is the server's own, so that scripts may also expire keys physically. */
  get serverClock(): string {
    return this.#clock ? "0" : "1";
  }

  /** The client-side time for informational stamps (the time part of generated ids). */
  localNow(): number {
    return this.#clock ? this.#clock.now() : Date.now();
  }

  /**
   * A pushed wait (`waitForWork`, `waitForEvents`): resolves true as soon as `look` finds what the
   * caller waits for, or a line of a message on `channel` that `matches` arrives; false at the
   * timeout, on abort, or when the backend closes. The subscription is live before the first
   * look, so a change in between is seen by one or the other. The timeout starts once the first
   * look has found nothing, so what is already there is reported however short the timeout
   * (docs/decisions.md). A poll every second is the floor under lost messages; a failed poll is a
   * hint like a message, not the caller's failure. A matching message is a reason to look again,
   * not an answer: a message published before the wait began (pub/sub delivers late on a busy
   * machine) then cannot make it resolve true; a look that fails still counts as the message.
   */
  async wait(
    channel: string,
    options: {
      readonly matches: (line: string) => boolean;
      readonly look: () => Promise<boolean>;
      readonly timeoutMs: number;
      readonly signal?: AbortSignal | undefined;
    },
  ): Promise<boolean> {
    const { matches, look, timeoutMs, signal } = options;
    if (signal?.aborted) return false;
    let finish: (found: boolean) => void = () => undefined;
    const done = new Promise<boolean>((resolve) => {
      finish = resolve;
    });
    let settled = false;
    const cleanups: (() => void)[] = [];
    const end = (found: boolean): void => {
      if (settled) return;
      settled = true;
      for (const cleanup of cleanups) cleanup();
      finish(found);
    };
    const onAbort = (): void => end(false);
    signal?.addEventListener("abort", onAbort, { once: true });
    cleanups.push(() => signal?.removeEventListener("abort", onAbort));
    const onClose = (): void => end(false);
    this.waits.add(onClose);
    cleanups.push(() => this.waits.delete(onClose));
    try {
      const stop = await this.hub.listen(channel, (message) => {
        if (!message.split("\n").some(matches)) return;
        look().then(
          (found) => {
            if (found) end(true);
          },
          () => end(true),
        );
      });
      if (settled) stop();
      else cleanups.push(stop);
      if (!settled && (await look())) end(true);
    } catch (error) {
      // The wait already has its outcome: close() ended it (false) and then the first look or the
      // subscription failed on the closing connection, or an abort or a message came first. That
      // outcome stands; the transport error of a connection being closed is not the caller's.
      if (settled) return done;
      end(false);
      throw error;
    }
    if (!settled) {
      const timer = setTimeout(() => end(false), timeoutMs);
      cleanups.push(() => clearTimeout(timer));
      const poll = setInterval(() => {
        look().then(
          (found) => {
            if (found) end(true);
          },
          () => undefined,
        );
      }, Math.min(WAIT_POLL_MS, timeoutMs));
      cleanups.push(() => clearInterval(poll));
    }
    return done;
  }

  run(name: ScriptName, base: string, args: readonly ScriptArg[]): Promise<unknown> {
    return this.scripts.run(name, [base], args);
  }

  runBuffer(name: ScriptName, base: string, args: readonly ScriptArg[]): Promise<unknown> {
    return this.scripts.runBuffer(name, [base], args);
  }
}
