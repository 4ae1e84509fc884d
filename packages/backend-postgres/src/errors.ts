/**
 * The one place where Postgres and socket failures become MooringErrors (SPEC C4, STYLE habit 4),
 * and where the backend decides which failures may be retried.
 *
 * - Connection failures are UNAVAILABLE with the cause, and the message says which: wrong
 *   credentials (28P01, 28000), a missing database (3D000), nothing listening (ECONNREFUSED), an
 *   unknown host (ENOTFOUND), a lost connection.
 * - Serialization failures and deadlocks (40001, 40P01) roll the transaction back on the server:
 *   `database.ts` retries them, and only a failure that persists reaches the caller (UNAVAILABLE).
 * - 23505 (a unique violation) is never a contract CONFLICT: every duplicate the contract names
 *   is found by `ON CONFLICT` or a read under the row's lock and raised with its details, so one
 *   that reaches this mapping is a bug or a schema edited by hand: INVALID_STATE naming the
 *   constraint (`unexpectedConstraint`).
 * - 23503 is NOT_FOUND (a reference to something gone), 57014 is TIMEOUT (statement_timeout),
 *   pool exhaustion is TIMEOUT after `connectionTimeoutMs`.
 */
import pg from "pg";
import { type MissingThing, MooringError, notFoundDetails } from "@mooring/core";

/** Where the backend connects, for messages. Never holds the password. */
export interface ServerTarget {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
}

/** The pool facts a pool-exhaustion message needs. */
export interface PoolFacts {
  readonly size: number;
  readonly connectionTimeoutMs: number;
  readonly statementTimeoutMs: number | null;
  /** Whether every connection of the pool was checked out when the error happened. */
  readonly exhausted: boolean;
}

const BACKEND = "postgres";

/** NOT_FOUND for an absent run, task or tenant (SPEC C6), with core's `NotFoundDetails`; `named` is how the message calls it. */
export function notFound(what: MissingThing, id: string, named: string = what): MooringError {
  return new MooringError("NOT_FOUND", `${named} ${id} does not exist`, { backend: BACKEND, details: notFoundDetails(what, id) });
}

const CONNECTION_LOST_SQLSTATES = new Set([
  "57P01", // admin_shutdown: pg_terminate_backend, a fast shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now: starting up or shutting down
  "53300", // too_many_connections
]);

const SOCKET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN", "ECONNABORTED"]);

/** Messages pg uses for a connection that died or never became usable. */
const CONNECTION_MESSAGES = [
  "Connection terminated",
  "Client has encountered a connection error and is not queryable",
  "Client was closed and is not queryable",
  "Query read timeout",
];

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A failure of the connection itself (not of the statement): the socket or the server session is gone. */
export function isConnectionError(error: unknown): boolean {
  const code = codeOf(error);
  if (code !== undefined) {
    if (CONNECTION_LOST_SQLSTATES.has(code) || code.startsWith("08") || SOCKET_CODES.has(code)) return true;
  }
  const message = messageOf(error);
  return CONNECTION_MESSAGES.some((known) => message.includes(known));
}

/**
 * The client knew its connection was dead before sending anything: the statement never reached
 * the server, so it is safe to run again whatever it does.
 */
export function isNotSent(error: unknown): boolean {
  return messageOf(error).includes("is not queryable");
}

/** A failure that rolled the transaction back on the server and may pass on a second try. */
export function isRetryableConflict(error: unknown): boolean {
  const code = codeOf(error);
  return code === "40001" || code === "40P01";
}

/**
 * A failure to open a connection that is worth waiting out when the backend has been connected
 * before (a restart, a failover): refused, reset, starting up. Wrong credentials, a missing
 * database or an unknown host are not: they do not pass by waiting.
 */
export function isTransientConnectError(error: unknown): boolean {
  const code = codeOf(error);
  if (code === "28P01" || code === "28000" || code === "3D000" || code === "ENOTFOUND") return false;
  return isConnectionError(error);
}

/** pg-pool's error when no connection became free within connectionTimeoutMillis. */
export function isPoolTimeout(error: unknown): boolean {
  return messageOf(error) === "timeout exceeded when trying to connect";
}

function where(target: ServerTarget): string {
  return `${target.host}:${target.port}`;
}

function connectionError(message: string, operation: string, cause: unknown, details: Record<string, unknown> = {}): MooringError {
  return new MooringError("UNAVAILABLE", message, { backend: BACKEND, operation, cause, details });
}

/**
 * A unique violation no statement expects. Not CONFLICT, which callers treat as a verdict of the
 * contract (a duplicate run, tenant or definition), and not UNAVAILABLE, which they retry: the
 * same call would fail the same way. `details.constraint` names the constraint Postgres reports.
 */
function unexpectedConstraint(error: unknown, operation: string, message: string): MooringError {
  const constraint = (error as { constraint?: unknown }).constraint;
  const name = typeof constraint === "string" ? constraint : null;
  return new MooringError(
    "INVALID_STATE",
    `postgres ${operation}: unexpected violation of unique constraint ${name === null ? "(unnamed)" : `"${name}"`}: no Mooring statement expects one, so either the schema was changed by hand or this is a bug in @mooring/backend-postgres (${message})`,
    { backend: BACKEND, operation, cause: error, details: { constraint: name } },
  );
}

/**
 * Maps a native failure to a MooringError, or returns undefined for core to wrap as UNAVAILABLE.
 * `pool` describes the pool at the time of the failure.
 */
export function mapPostgresError(error: unknown, operation: string, target: ServerTarget, pool: PoolFacts): MooringError | undefined {
  if (MooringError.is(error)) return error;
  const code = codeOf(error);
  const message = messageOf(error);
  const server = where(target);

  if (isPoolTimeout(error)) {
    const why = pool.exhausted
      ? `all ${pool.size} connections of the pool stayed busy for ${pool.connectionTimeoutMs} ms (raise poolSize or connectionTimeoutMs, or look for long-running calls)`
      : `no connection to ${server} could be opened within ${pool.connectionTimeoutMs} ms`;
    return new MooringError("TIMEOUT", `postgres ${operation}: ${why}`, { backend: BACKEND, operation, cause: error, details: { poolSize: pool.size } });
  }
  if (message.includes("Connection terminated due to connection timeout")) {
    return new MooringError("TIMEOUT", `postgres ${operation}: connecting to ${server} took longer than ${pool.connectionTimeoutMs} ms`, {
      backend: BACKEND,
      operation,
      cause: error,
    });
  }

  if (error instanceof pg.DatabaseError || (code !== undefined && /^[0-9A-Z]{5}$/.test(code))) {
    switch (code) {
      case "28P01":
      case "28000":
        return connectionError(
          `postgres: authentication failed for user "${target.user}" at ${server}: wrong password, or no pg_hba.conf entry admits this user (${message})`,
          operation,
          error,
          { reason: "authentication" },
        );
      case "3D000":
        return connectionError(`postgres: database "${target.database}" does not exist on ${server} (create it, or fix the database in the connection string)`, operation, error, {
          reason: "missing-database",
        });
      case "57014":
        return new MooringError(
          "TIMEOUT",
          pool.statementTimeoutMs === null
            ? `postgres ${operation}: the statement was cancelled (${message})`
            : `postgres ${operation}: the statement ran longer than statementTimeoutMs (${pool.statementTimeoutMs} ms) and was cancelled`,
          { backend: BACKEND, operation, cause: error },
        );
      case "40001":
      case "40P01":
        return connectionError(`postgres ${operation}: ${code === "40P01" ? "deadlock" : "serialization failure"} persisted after retries: ${message}`, operation, error);
      case "23505":
        return unexpectedConstraint(error, operation, message);
      case "23503":
        return new MooringError("NOT_FOUND", `postgres ${operation}: it refers to something that no longer exists (${message})`, { backend: BACKEND, operation, cause: error });
      case "3F000":
      case "42P01":
      case "42883":
        return connectionError(`postgres ${operation}: the schema is missing or not migrated (${message}); run migrate()`, operation, error, { reason: "not-migrated" });
      case "53300":
        return connectionError(`postgres ${operation}: the server at ${server} has no connection slot left (${message})`, operation, error);
      default:
        break;
    }
    if (code !== undefined && isConnectionError(error)) {
      return connectionError(`postgres ${operation}: the connection to ${server} was lost (${message})`, operation, error);
    }
    if (code?.startsWith("22")) {
      return new MooringError("VALIDATION", `postgres ${operation}: Postgres refused a value: ${message}`, { backend: BACKEND, operation, cause: error });
    }
    return undefined;
  }

  switch (code) {
    case "ECONNREFUSED":
      return connectionError(`postgres: nothing is listening at ${server} (connection refused): is the server running, and is the port right?`, operation, error, {
        reason: "unreachable",
      });
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return connectionError(`postgres: the host "${target.host}" could not be resolved (${code}): check the host name`, operation, error, { reason: "unknown-host" });
    case "ETIMEDOUT":
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return connectionError(`postgres: ${server} cannot be reached (${code})`, operation, error, { reason: "unreachable" });
    default:
      break;
  }
  if (isConnectionError(error)) {
    return connectionError(`postgres ${operation}: the connection to ${server} was lost (${message})`, operation, error);
  }
  return undefined;
}

/**
 * The connection died while a statement that is not safe to repeat was in flight: it may or may
 * not have been applied (it was applied whole or not at all, SPEC C2).
 */
export function ambiguousError(target: ServerTarget, cause: unknown): MooringError {
  return new MooringError(
    "UNAVAILABLE",
    `postgres: the connection to ${where(target)} was lost while the call was in flight; it was applied whole or not at all, and which is unknown (${messageOf(cause)})`,
    { backend: BACKEND, cause, details: { ambiguous: true } },
  );
}

/** Whether `error` is the ambiguous outcome of `ambiguousError`. */
export function isAmbiguous(error: unknown): boolean {
  return MooringError.is(error, "UNAVAILABLE") && error.details.ambiguous === true;
}
