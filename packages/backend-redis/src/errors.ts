/**
 * The backend's one place for error mapping (SPEC C4). Scripts reject a call by returning the
 * error reply `MOORING <CODE> <message>` before their first write; everything else Redis or the
 * socket reports (a refused or lost connection, a failover, an out-of-memory refusal) is a
 * transport failure: UNAVAILABLE, retryable, with the native error as `cause`.
 */
import { ERROR_CODES, type ErrorCode, MooringError } from "@mooring/core";

const SCRIPT_REJECTION = /^MOORING ([A-Z_]+) ([\s\S]*)$/;
const CODES: ReadonlySet<string> = new Set(ERROR_CODES);

function isErrorCode(value: string): value is ErrorCode {
  return CODES.has(value);
}

/**
 * Maps a native failure of `operation`. `lastConnectionError` is the latest error the connection
 * reported, which says why a command failed when ioredis only reports that it gave up; `secrets`
 * (the connection's password) are masked in everything the error holds.
 */
export function mapRedisError(error: unknown, operation: string, lastConnectionError: Error | null, secrets: readonly string[] = []): MooringError {
  const message = error instanceof Error ? error.message : String(error);
  const rejection = SCRIPT_REJECTION.exec(message);
  if (rejection && rejection[1] !== undefined && isErrorCode(rejection[1])) {
    return new MooringError(rejection[1], rejection[2] ?? "", { backend: "redis", operation });
  }
  const why = lastConnectionError && lastConnectionError.message !== message ? ` (last connection error: ${lastConnectionError.message})` : "";
  return new MooringError("UNAVAILABLE", `redis ${operation} failed: ${message}${why}`, {
    backend: "redis",
    operation,
    cause: error,
    details: lastConnectionError ? { lastConnectionError: lastConnectionError.message } : {},
    secrets,
  });
}
