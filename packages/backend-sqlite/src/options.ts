/**
 * The options of `createSqliteBackend` and the ones a `sqlite:` URL carries, apart from the
 * factory so that the CLI's operations (operations.ts) read URLs without importing the backend.
 */
import type Database from "better-sqlite3";
import { type Clock, type CommonBackendOptions, parseBackendUrl } from "@mooring/core";
import type { SynchronousMode } from "./connection.js";
import { sqliteError } from "./errors.js";
import type { SqliteNotifier } from "./notifications.js";

/** Options of `createSqliteBackend`. Give exactly one of `path` and `database`. */
export interface SqliteBackendOptions extends CommonBackendOptions {
  /**
   * The database file, created when missing (its directory must exist), or `":memory:"` for a
   * private in-memory database. A directory, a file that is not a SQLite database or a read-only
   * file is refused with a MooringError and left untouched.
   */
  readonly path?: string;
  /**
   * An open better-sqlite3 database to use instead of `path`. The caller owns it: `close()` leaves
   * it open. Its busy timeout and synchronous mode are set from these options, and a file-backed
   * one is switched to WAL. Several backends may share one (e.g. one `:memory:` database).
   */
  readonly database?: Database.Database;
  /** Time source (SPEC C3); absent or `undefined`: `Date.now()`. */
  readonly clock?: Clock | undefined;
  /**
   * Prefix of every table and index (`"<namespace>.<table>"`), so that several deployments share
   * one file; default `"mooring"`. Core's namespace rule (1 to 63 UTF-8 bytes of well-formed text),
   * not starting with "sqlite_"; quoted, never interpreted.
   */
  readonly namespace?: string;
  /**
   * `"normal"` (default): a process crash loses nothing committed; a power loss or OS crash may
   * lose the last commits (WAL is synced at checkpoints). `"full"`: every commit is synced to
   * disk before it returns, so a power loss loses nothing committed either; commits are slower.
   */
  readonly synchronous?: SynchronousMode;
  /** How long a call waits for another connection's write lock before UNAVAILABLE; default 5000 ms. */
  readonly busyTimeoutMs?: number;
  /** Run `migrate()` while opening (default true); with false, a schema mismatch is still refused. */
  readonly migrate?: boolean;
  /** Largest JSON payload or byte value (SPEC C1); default 1 MiB. */
  readonly maxPayloadBytes?: number;
  /** How long an enqueue or signal idempotency key deduplicates (SPEC E2, E15); default 24 h. */
  readonly dedupTtlMs?: number;
  /** How long an undelivered signal stays buffered (SPEC E15); default 24 h. */
  readonly signalTtlMs?: number;
  /**
   * How often `waitForWork` and `subscribe` read the change feed for writes of other connections
   * and processes (and re-check due work); default 100 ms. Writes through this backend, or through
   * backends sharing its `notifier`, are seen at once.
   */
  readonly pollIntervalMs?: number;
  /** Shared by several backends in one process to make their wake-ups immediate across them. */
  readonly notifier?: SqliteNotifier;
}

/**
 * The factory options a `sqlite:` URL names (see `openFromUrl`): the file (or `:memory:`) and the
 * query's options.
 * @throws VALIDATION for another scheme, a host part, or an unknown or malformed parameter.
 */
export function sqliteOptionsFromUrl(text: string): Pick<SqliteBackendOptions, "synchronous" | "busyTimeoutMs" | "pollIntervalMs" | "namespace"> & { readonly path: string } {
  const url = parseBackendUrl(text);
  if (url.protocol !== "sqlite:") throw sqliteError("VALIDATION", `openFromUrl takes sqlite: URLs, got ${url.protocol}`);
  if (url.host !== "") {
    throw sqliteError("VALIDATION", `a sqlite: URL has no host ("${url.host}"): write sqlite:./relative.db, sqlite:/absolute.db or sqlite::memory:`);
  }
  const path = decodeURIComponent(url.pathname);
  if (path === "") throw sqliteError("VALIDATION", "the sqlite: URL names no file: write sqlite:./file.db or sqlite::memory:");
  const fromQuery: { -readonly [K in "synchronous" | "busyTimeoutMs" | "pollIntervalMs" | "namespace"]?: SqliteBackendOptions[K] } = {};
  for (const [name, value] of url.searchParams) {
    switch (name) {
      case "synchronous":
        if (value !== "normal" && value !== "full") throw sqliteError("VALIDATION", `synchronous must be "normal" or "full", got "${value}"`);
        fromQuery.synchronous = value;
        break;
      case "busyTimeoutMs":
      case "pollIntervalMs":
        if (!/^\d+$/.test(value)) throw sqliteError("VALIDATION", `${name} must be a whole number of milliseconds, got "${value}"`);
        fromQuery[name] = Number(value);
        break;
      case "namespace":
        fromQuery.namespace = value;
        break;
      default:
        throw sqliteError("VALIDATION", `unknown sqlite: URL parameter "${name}" (known: synchronous, busyTimeoutMs, pollIntervalMs, namespace)`);
    }
  }
  return { ...fromQuery, path };
}
