/**
 * The one place where SQLite's native failures become MooringErrors (SPEC C4), plus the small
 * constructors for the errors this backend raises itself, so messages read the same everywhere.
 */
import { type ErrorCode, type MissingThing, MooringError, notFoundDetails } from "@mooring/core";

export const BACKEND_NAME = "sqlite";

/** A MooringError raised by this backend. */
export function sqliteError(code: ErrorCode, message: string, details?: Readonly<Record<string, unknown>>, cause?: unknown): MooringError {
  return new MooringError(code, message, { backend: BACKEND_NAME, ...(details ? { details } : {}), ...(cause === undefined ? {} : { cause }) });
}

/** NOT_FOUND for an absent run, task or tenant (SPEC C6), with core's `NotFoundDetails`; `named` is how the message calls it. */
export function notFound(what: MissingThing, id: string, named: string = what): MooringError {
  return sqliteError("NOT_FOUND", `${named} "${id}" does not exist`, notFoundDetails(what, id));
}

/** The SQLite result code of a better-sqlite3 error ("SQLITE_BUSY", "SQLITE_CONSTRAINT_UNIQUE", …). */
function sqliteCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && code.startsWith("SQLITE_") ? code : undefined;
}

/**
 * Maps a native failure to a MooringError, or returns undefined for core to wrap as UNAVAILABLE.
 * `file` names the database in messages (":memory:" for an in-memory one).
 *
 * - SQLITE_BUSY / SQLITE_LOCKED: another connection held the write lock longer than
 *   `busyTimeoutMs` → UNAVAILABLE (retryable).
 * - SQLITE_FULL, SQLITE_IOERR, SQLITE_CANTOPEN, SQLITE_PROTOCOL: the disk or the file system
 *   failed → UNAVAILABLE (retryable: the same call may work once the condition clears).
 * - SQLITE_NOTADB: the file is not a SQLite database → INVALID_STATE; nothing was written.
 * - SQLITE_CORRUPT: the file is damaged → INVALID_STATE.
 * - SQLITE_READONLY: the file or its directory cannot be written → INVALID_STATE.
 * - SQLITE_CONSTRAINT: never a contract CONFLICT. Every write runs in a `BEGIN IMMEDIATE`
 *   transaction that reads before it writes, and every duplicate the contract names (a run,
 *   a tenant, a definition) is found by that read and raised with its details; a constraint that
 *   still fails is a bug or a schema edited by hand → INVALID_STATE, `details.constraint` naming
 *   what SQLite reports (`"<namespace>.runs.id"`, a CHECK's name).
 * - "no such table": the schema is missing → INVALID_STATE, telling to run migrate().
 */
export function mapSqliteError(error: unknown, operation: string, file: string): MooringError | undefined {
  const code = sqliteCode(error);
  const message = error instanceof Error ? error.message : String(error);
  const make = (errorCode: ErrorCode, text: string): MooringError =>
    new MooringError(errorCode, text, { backend: BACKEND_NAME, operation, cause: error, details: { sqliteCode: code ?? null, file } });
  if (code === undefined) {
    if (error instanceof TypeError && /database connection is not open/i.test(message)) {
      return make("UNAVAILABLE", `${operation}: the SQLite connection to ${file} was closed underneath the backend`);
    }
    return undefined;
  }
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) {
    return make("UNAVAILABLE", `${operation}: ${file} stayed locked by another connection longer than busyTimeoutMs (${message}); retry`);
  }
  if (code.startsWith("SQLITE_NOTADB")) {
    return make("INVALID_STATE", `${file} is not a SQLite database (${message}); it was left untouched: point the backend at a database file or a new path`);
  }
  if (code.startsWith("SQLITE_CORRUPT")) {
    return make("INVALID_STATE", `${file} is damaged (${message}); restore it from a backup`);
  }
  if (code.startsWith("SQLITE_READONLY")) {
    return make("INVALID_STATE", `${file} cannot be written (${message}): check the permissions of the file and its directory`);
  }
  if (code.startsWith("SQLITE_CONSTRAINT")) {
    // Not CONFLICT, which callers take as the contract's verdict, nor UNAVAILABLE, which they
    // retry: the same call would fail the same way.
    const constraint = /constraint failed: (.+)$/.exec(message)?.[1] ?? null;
    return new MooringError(
      "INVALID_STATE",
      `${operation}: unexpected constraint failure (${message}) in ${file}: no Mooring statement expects one, so either the schema was changed by hand or this is a bug in @mooring/backend-sqlite`,
      { backend: BACKEND_NAME, operation, cause: error, details: { sqliteCode: code, file, constraint } },
    );
  }
  if (code === "SQLITE_ERROR" && /no such table/i.test(message)) {
    return make("INVALID_STATE", `${operation}: the Mooring schema is missing in ${file} (${message}); run migrate() first`);
  }
  return make("UNAVAILABLE", `${operation} failed on ${file}: ${message}`);
}
