/**
 * `@mooring/backend-sqlite`: the embedded Mooring backend on better-sqlite3.
 *
 * One database file (or `:memory:`) in WAL mode; every read-then-write call runs in a
 * `BEGIN IMMEDIATE` transaction (claims and holder calls of one tick share one, a savepoint each),
 * so several backends, worker threads and processes can share the file and stay correct (SPEC
 * E4, E11, W7, W8, S3, E2 hold across them). Durability follows `synchronous` (see README): with
 * the default `"normal"` a process crash loses nothing committed, a power loss may lose the last
 * commits; `"full"` closes that at the cost of an fsync per commit.
 */
import Database from "better-sqlite3";
import {
  ALL_CAPABILITIES,
  defineCapabilities,
  type Backend,
  type BackendDriver,
  type BackendFacets,
  type BackendModule,
  type Clock,
  type CommonBackendOptions,
  defineBackend,
  MooringError,
  resolveLimits,
  systemClock,
} from "@mooring/core";
import { SqliteConnection, type SynchronousMode } from "./connection.js";
import type { SqliteContext } from "./context.js";
import { SqliteEngine } from "./engine.js";
import { BACKEND_NAME, mapSqliteError, sqliteError } from "./errors.js";
import { assertNamespace, DEFAULT_NAMESPACE } from "./identifiers.js";
import { checkSchema, loadMigrations, migrate } from "./migrations.js";
import { ChangeFeed, SqliteNotifier } from "./notifications.js";
import { type SqliteBackendOptions, sqliteOptionsFromUrl } from "./options.js";
import { claimStatement } from "./sql/engine.js";
import { sql, type SqlText } from "./sql/text.js";
import { SqliteState } from "./state.js";
import { TaskTransitions } from "./tasks.js";
import { SqliteTenants } from "./tenants.js";
import { SqliteTokens } from "./tokens.js";
import { SqliteWorkflows } from "./workflows.js";

/**
 * Every capability, `binary` (W13) included: payloads, contexts, results and frames keep bytes in
 * core's stored form, a BLOB beside each JSON TEXT column with a kind marker (migration 0006).
 */
const CAPABILITIES = defineCapabilities(ALL_CAPABILITIES);

export { SqliteNotifier } from "./notifications.js";
export { inspectServer, NAMESPACE_URL_PARAMETERS, openMemoryDatabase, openNamespaceRemover, readSchemaState } from "./operations.js";
export type { SynchronousMode } from "./connection.js";
export { type SqliteBackendOptions, sqliteOptionsFromUrl } from "./options.js";

const DEFAULT_BUSY_TIMEOUT_MS = 5000;
const DEFAULT_POLL_INTERVAL_MS = 100;

/**
 * Answers ping.
 * Parameters: none. Returns: { ok }.
 */
const PING = sql`SELECT 1 AS ok`;

/**
 * Opens (and by default migrates) a SQLite backend. Synchronous: better-sqlite3 is.
 * @throws VALIDATION for bad options or a path that cannot be a database file; INVALID_STATE for
 * a file that is not a SQLite database, is read-only, or holds a schema this code must not touch
 * (newer, or an edited migration); UNAVAILABLE when the file is locked past the busy
 * timeout.
 */
export function createSqliteBackend(options: SqliteBackendOptions): Backend {
  const settings = resolveOptions(options);
  const migrations = loadMigrations();
  const connection = new SqliteConnection(settings);
  try {
    if (options.migrate === false) checkSchema(connection, migrations);
    else migrate(connection, migrations);
  } catch (error) {
    connection.close();
    throw asMooringError(error, "migrate", connection.file);
  }

  const claimStatements = new Map<number, SqlText>();
  const limits = resolveLimits({
    ...(options.maxPayloadBytes === undefined ? {} : { maxPayloadBytes: options.maxPayloadBytes }),
    ...(options.dedupTtlMs === undefined ? {} : { dedupTtlMs: options.dedupTtlMs }),
    ...(options.signalTtlMs === undefined ? {} : { signalTtlMs: options.signalTtlMs }),
  });
  const feed = new ChangeFeed(connection, options.notifier, settings.pollIntervalMs, (tenant, queues) =>
    new SqliteEngine(context, tenant).hasClaimableWork(queues),
  );
  const context: SqliteContext = {
    connection,
    statements: connection.statements,
    transitions: new TaskTransitions(connection),
    feed,
    limits,
    claimStatement(queueCount) {
      let statement = claimStatements.get(queueCount);
      if (!statement) {
        statement = claimStatement(queueCount);
        claimStatements.set(queueCount, statement);
      }
      return statement;
    },
  };

  const driver: BackendDriver = {
    name: BACKEND_NAME,
    capabilities: CAPABILITIES,
    limits,
    facets(tenantId: string): BackendFacets {
      return {
        workflows: new SqliteWorkflows(context, tenantId),
        state: new SqliteState(context, tenantId),
        engine: new SqliteEngine(context, tenantId),
        tenants: new SqliteTenants(context),
        tokens: new SqliteTokens(context, tenantId),
      };
    },
    migrate: async () => migrate(connection, migrations),
    ping: async () => {
      connection.statements.one(PING);
    },
    close: async () => {
      feed.close();
      connection.close();
    },
    mapError: (error, operation) => mapSqliteError(error, operation, connection.file),
  };
  return defineBackend(driver);
}

/**
 * `openBackend("sqlite:…")` (this package as core's `BackendModule`): `sqlite:./file.db`, `sqlite:/abs/path.db`,
 * `sqlite::memory:`, with options in the query string: `synchronous=normal|full`,
 * `busyTimeoutMs`, `pollIntervalMs`, `namespace`, e.g. `sqlite:./app.db?synchronous=full`.
 * @throws VALIDATION for another scheme, a host part, or an unknown or malformed parameter.
 */
export const openFromUrl: BackendModule["openFromUrl"] = async (text: string, options: CommonBackendOptions): Promise<Backend> => {
  const { path, ...fromQuery } = sqliteOptionsFromUrl(text);
  return createSqliteBackend({ ...options, ...fromQuery, path });
};

interface ResolvedOptions {
  readonly path?: string;
  readonly database?: Database.Database;
  readonly namespace: string;
  readonly synchronous: SynchronousMode;
  readonly busyTimeoutMs: number;
  readonly pollIntervalMs: number;
  readonly clock: Clock;
}

function resolveOptions(options: SqliteBackendOptions): ResolvedOptions {
  if (typeof options !== "object" || options === null) throw sqliteError("VALIDATION", "createSqliteBackend takes an options object");
  if ((options.path === undefined) === (options.database === undefined)) {
    throw sqliteError("VALIDATION", 'give exactly one of options.path (a file or ":memory:") and options.database', { field: "path" });
  }
  if (options.path !== undefined && (typeof options.path !== "string" || options.path === "")) {
    throw sqliteError("VALIDATION", "options.path must be a non-empty string", { field: "path" });
  }
  if (options.database !== undefined && !(options.database instanceof Database)) {
    throw sqliteError("VALIDATION", "options.database must be a better-sqlite3 Database", { field: "database" });
  }
  const namespace = options.namespace ?? DEFAULT_NAMESPACE;
  assertNamespace(namespace);
  const synchronous = options.synchronous ?? "normal";
  if (synchronous !== "normal" && synchronous !== "full") {
    throw sqliteError("VALIDATION", `options.synchronous must be "normal" or "full", got ${JSON.stringify(synchronous)}`, { field: "synchronous" });
  }
  const busyTimeoutMs = wholeNumber(options.busyTimeoutMs, DEFAULT_BUSY_TIMEOUT_MS, "busyTimeoutMs", 0);
  const pollIntervalMs = wholeNumber(options.pollIntervalMs, DEFAULT_POLL_INTERVAL_MS, "pollIntervalMs", 1);
  for (const field of ["maxPayloadBytes", "dedupTtlMs", "signalTtlMs"] as const) wholeNumber(options[field], 1, field, 1);
  if (options.notifier !== undefined && !(options.notifier instanceof SqliteNotifier)) {
    throw sqliteError("VALIDATION", "options.notifier must be a SqliteNotifier", { field: "notifier" });
  }
  return Object.freeze({
    ...(options.path === undefined ? {} : { path: options.path }),
    ...(options.database === undefined ? {} : { database: options.database }),
    namespace,
    synchronous,
    busyTimeoutMs,
    pollIntervalMs,
    clock: options.clock ?? systemClock,
  });
}

function wholeNumber(value: number | undefined, fallback: number, field: string, min: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min) {
    throw sqliteError("VALIDATION", `options.${field} must be an integer ≥ ${min}, got ${String(value)}`, { field });
  }
  return value;
}

function asMooringError(error: unknown, operation: string, file: string): MooringError {
  if (MooringError.is(error)) return error.withContext(BACKEND_NAME, operation);
  return (
    mapSqliteError(error, operation, file) ??
    new MooringError("UNAVAILABLE", `${operation} failed on ${file}: ${error instanceof Error ? error.message : String(error)}`, {
      backend: BACKEND_NAME,
      operation,
      cause: error,
    })
  );
}
