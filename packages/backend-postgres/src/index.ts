/**
 * `@mooring/backend-postgres`: the Mooring backend on PostgreSQL through `pg`.
 *
 * ```ts
 * const backend = await createPostgresBackend({ connectionString: "postgres://app@db/app", schema: "mooring" });
 * ```
 *
 * Every object lives in one schema (the namespace), so several deployments and test files share a
 * server without touching each other. Claims are one statement per batch (FOR UPDATE SKIP
 * LOCKED), every holder write carries its epoch, completions of one moment share one commit,
 * time is the server's `clock_timestamp()` unless a clock is injected (SPEC C3), and waiters are
 * woken by LISTEN/NOTIFY with polling as the floor. Declares every capability (SPEC section 7).
 */
import pg from "pg";
import {
  ALL_CAPABILITIES,
  defineCapabilities,
  type Backend,
  type BackendDriver,
  type BackendModule,
  type CommonBackendOptions,
  DEFAULTS,
  defineBackend,
  migrateOnOpen,
  MooringError,
} from "@mooring/core";
import { ClaimBatcher } from "./claims.js";
import { CompletionBatcher } from "./completions.js";
import type { BackendContext } from "./context.js";
import { Database } from "./database.js";
import { PostgresEngine } from "./engine.js";
import { mapPostgresError, type ServerTarget } from "./errors.js";
import { assertSchemaName, DEFAULT_SCHEMA, notificationChannel, quoteIdentifier, signalLockScope, waitpointLockScope } from "./identifiers.js";
import { migrateSchema } from "./migrations.js";
import { NotificationHub } from "./notifications.js";
import { type PostgresBackendOptions, postgresOptionsFromUrl } from "./options.js";
import { loadStatements } from "./statements.js";
import { PostgresStateStore } from "./state.js";
import { PostgresTenantStore } from "./tenants.js";
import { PostgresTokenStore } from "./tokens.js";
import { PostgresWorkflowStore } from "./workflows.js";

/**
 * Every capability of versions 1 and 2 (docs/decisions.md, issue 16): `binary` (W13) keeps bytes in
 * core's stored form, a bytea beside each json column with a kind marker (migration 0006);
 * concurrency keys (E20) are migration 0007's fair claim, its first picks set-based since 0008.
 */
const CAPABILITIES = defineCapabilities(ALL_CAPABILITIES);

export { inspectServer, NAMESPACE_URL_PARAMETERS, openNamespaceRemover, readSchemaState } from "./operations.js";
export { type PostgresBackendOptions, postgresOptionsFromUrl } from "./options.js";

const DEFAULT_POOL_SIZE = 10;
const DEFAULT_CONNECTION_TIMEOUT_MS = 10_000;
const DEFAULT_POLL_INTERVAL_MS = 1_000;
/**
 * A session of the backend's pool that sits inside a transaction this long is ended by the server:
 * the backend never waits between the statements of a transaction, so only a frozen or
 * partitioned client does, and it must not hold its row locks for the TCP timeout.
 */
const IDLE_IN_TRANSACTION_TIMEOUT_MS = 60_000;

function invalidOption(field: string, problem: string): MooringError {
  return new MooringError("VALIDATION", `${field} ${problem}`, { backend: "postgres", operation: "createPostgresBackend", details: { field } });
}

function positiveInt(options: PostgresBackendOptions, field: keyof PostgresBackendOptions): number | undefined {
  const value = options[field];
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) throw invalidOption(field, `must be a positive integer, got ${String(value)}`);
  return value;
}

/** Where the backend connects, for error messages; never the password. */
function serverTarget(connectionString: string | undefined, config: pg.PoolConfig): ServerTarget {
  let url: URL | null = null;
  if (connectionString !== undefined) {
    try {
      url = new URL(connectionString);
    } catch {
      url = null;
    }
  }
  const env = process.env;
  const user = (url && decodeURIComponent(url.username)) || config.user || env.PGUSER || env.USER || "postgres";
  return {
    host: (url && (url.searchParams.get("host") ?? decodeURIComponent(url.hostname))) || config.host || env.PGHOST || "localhost",
    port: Number((url && url.port) || config.port || env.PGPORT || 5432),
    database: (url && decodeURIComponent(url.pathname.slice(1))) || config.database || env.PGDATABASE || user,
    user,
  };
}

/**
 * Opens the backend and, unless `migrate: false`, migrates its schema.
 * @throws VALIDATION for bad options; UNAVAILABLE (with a message naming the cause) or TIMEOUT
 * when the server cannot be used; INVALID_STATE when the schema's migrations do not match.
 */
export async function createPostgresBackend(options: PostgresBackendOptions): Promise<Backend> {
  if ((options.connectionString === undefined) === (options.pool === undefined)) {
    throw invalidOption("connectionString", "or pool: give exactly one of the two");
  }
  if (options.schema !== undefined && options.namespace !== undefined && options.schema !== options.namespace) {
    throw invalidOption("schema", "and namespace name the same thing and differ; give one");
  }
  const schema = options.schema ?? options.namespace ?? DEFAULT_SCHEMA;
  assertSchemaName(schema);
  const poolSize = positiveInt(options, "poolSize") ?? DEFAULT_POOL_SIZE;
  const connectionTimeoutMs = positiveInt(options, "connectionTimeoutMs") ?? DEFAULT_CONNECTION_TIMEOUT_MS;
  const statementTimeoutMs = positiveInt(options, "statementTimeoutMs") ?? null;
  const pollIntervalMs = positiveInt(options, "pollIntervalMs") ?? DEFAULT_POLL_INTERVAL_MS;
  const limits = {
    maxPayloadBytes: positiveInt(options, "maxPayloadBytes") ?? DEFAULTS.maxPayloadBytes,
    dedupTtlMs: positiveInt(options, "dedupTtlMs") ?? DEFAULTS.dedupTtlMs,
    signalTtlMs: positiveInt(options, "signalTtlMs") ?? DEFAULTS.signalTtlMs,
  };

  const ownsPool = options.pool === undefined;
  const pool =
    options.pool ??
    new pg.Pool({
      connectionString: options.connectionString,
      max: poolSize,
      connectionTimeoutMillis: connectionTimeoutMs,
      application_name: options.applicationName ?? "mooring",
      idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_TIMEOUT_MS,
      ...(statementTimeoutMs === null ? {} : { statement_timeout: statementTimeoutMs }),
    });
  const target = serverTarget(options.connectionString ?? pool.options.connectionString, pool.options);
  const db = new Database({
    pool,
    ownsPool,
    statements: loadStatements(schema),
    target,
    clock: options.clock,
    connectionTimeoutMs: ownsPool ? connectionTimeoutMs : (pool.options.connectionTimeoutMillis ?? 0),
    statementTimeoutMs: ownsPool ? statementTimeoutMs : null,
  });
  const channel = notificationChannel(schema);
  const hub = new NotificationHub(db, channel);
  const built: BackendContext = {
    db,
    hub,
    claims: new ClaimBatcher(),
    completions: new CompletionBatcher(db, channel),
    limits,
    channel,
    deathOrder: `${quoteIdentifier(schema)}.${quoteIdentifier("death_order")}`,
    signalLockScope: signalLockScope(schema),
    waitpointLockScope: waitpointLockScope(schema),
    pollIntervalMs,
  };

  const driver: BackendDriver = {
    name: "postgres",
    capabilities: CAPABILITIES,
    limits,
    facets: (tenantId) => ({
      workflows: new PostgresWorkflowStore(built, tenantId),
      state: new PostgresStateStore(built, tenantId),
      engine: new PostgresEngine(built, tenantId),
      tenants: new PostgresTenantStore(built),
      tokens: new PostgresTokenStore(built, tenantId),
    }),
    migrate: async () => {
      await migrateSchema(db, schema);
    },
    ping: async () => {
      await db.query("ping", [], "safe");
    },
    close: async () => {
      await hub.close();
      await db.close();
    },
    mapError: (error, operation) => mapPostgresError(error, operation, target, db.poolFacts()),
  };
  return migrateOnOpen(defineBackend(driver), options);
}

/**
 * `openBackend("postgres://user:password@host:port/db?schema=mooring&poolSize=20")` (core's
 * BackendModule): `postgres://` and `postgresql://` URLs; `schema`, `poolSize`,
 * `connectionTimeoutMs`, `statementTimeoutMs` and `pollIntervalMs` may be given as query
 * parameters; `options.namespace` wins over `?schema=`.
 */
export const openFromUrl: BackendModule["openFromUrl"] = async (text: string, options: CommonBackendOptions): Promise<Backend> => {
  const fromUrl = postgresOptionsFromUrl(text);
  return createPostgresBackend({
    ...fromUrl,
    schema: options.namespace ?? fromUrl.schema,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.migrate === undefined ? {} : { migrate: options.migrate }),
    ...(options.maxPayloadBytes === undefined ? {} : { maxPayloadBytes: options.maxPayloadBytes }),
  });
};
