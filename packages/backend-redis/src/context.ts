/**
 * What every facet of one backend shares: the connection, the scripts, the key space, time and
 * limits, and the notification hub. One per backend; views of other tenants share it.
 */
import type { Clock, Limits } from "@mooring/core";
import type { Connection } from "./connection.js";
import type { KeySpace } from "./keys.js";
import type { NotificationHub } from "./notifications.js";
import type { ScriptArg, ScriptName, ScriptRunner } from "./statements.js";

export class RedisContext {
  readonly connection: Connection;
  readonly scripts: ScriptRunner;
  readonly keys: KeySpace;
  readonly limits: Limits;
  readonly hub: NotificationHub;
  readonly onWarning: (message: string) => void;
  /** Pending waitForWork calls: each ends (false) when the backend closes. */
  readonly waits = new Set<() => void>();
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

  run(name: ScriptName, base: string, args: readonly ScriptArg[]): Promise<unknown> {
    return this.scripts.run(name, [base], args);
  }

  runBuffer(name: ScriptName, base: string, args: readonly ScriptArg[]): Promise<unknown> {
    return this.scripts.runBuffer(name, [base], args);
  }
}
