/**
 * The one error type every Mooring call throws (SPEC C4). Backends map their native failures to
 * these codes in one place, so callers see identical errors whatever the datastore.
 */
import { maskSecrets, withoutSecrets } from "./secrets.js";

/**
 * Stable error codes. Match on these, never on messages. @see SPEC C4
 *
 * `details` of the fence's errors (SPEC E5), the same on every backend (`FenceErrorDetails`,
 * built by `fenceErrorDetails` in rules/fence.ts; the Redis scripts return the same fields):
 * - STALE_LEASE, LEASE_REVOKED, LEASE_EXPIRED: `{ taskId, leaseEpoch, currentEpoch, state }`,
 *   the lease's task and epoch, and the task's latest epoch and state now.
 * - NOT_FOUND and INVALID_STATE from a holder call (renew, complete, fail, release, suspend,
 *   progress, appendFrame, moveToDeadLetter, commit with a lease): the same shape, with
 *   `currentEpoch` and `state` null when the task does not exist.
 *
 * `details` of the other situations, the same on every backend (built by rules/details.ts):
 * - SEQUENCE_CONFLICT (appendEvents, commit with `expectedSequence`, SPEC W8):
 *   `{ runId, expectedSequence, latestSequence }` (`SequenceConflictDetails`).
 * - CONFLICT from setRunStatus or commit with a status (terminal run, or not the expected status,
 *   SPEC W3): `{ runId, status, requestedStatus, expectedStatus }`, `expectedStatus` null when
 *   the call expected none (`StatusConflictDetails`).
 * - CONFLICT from createRun with `ifExists: "error"`: `{ runId }` (`RunExistsDetails`).
 * - CONFLICT from putDefinition with a different spec: `{ workflowId, version }`.
 * - CONFLICT from tenants.create with an existing id: `{ tenantId }`.
 * - NOT_FOUND outside the fence (SPEC C6): exactly one id field naming what is missing, `{ runId }`,
 *   `{ taskId }` (also an unknown dependency of enqueue, E16) or `{ tenantId }` (`NotFoundDetails`).
 * - INVALID_STATE from setRunStatus or commit with a move off the status graph (SPEC W3):
 *   `{ runId, status, requestedStatus }` (`StatusMoveDetails`).
 * - INVALID_STATE from appendToContext on a non-array member (SPEC W4): `{ runId, key }`.
 * - INVALID_STATE from writeSnapshot or commit with a snapshot beyond the latest sequence (SPEC W10):
 *   `{ runId, atSequence, latestSequence }` (`SnapshotBeyondDetails`).
 * - INVALID_STATE from retryDeadLetter on a task that is not dead (SPEC E12): `{ taskId, state }`.
 * - INVALID_STATE from enqueue or claim in a suspended tenant (SPEC T2): `{ tenantId }`.
 * - UNAUTHORIZED from signal with a waitpoint token that does not verify (SPEC E25): `{ reason }`,
 *   one of "malformed", "tenant", "kid", "signature", "expired", "unknown_waitpoint"
 *   (`WaitpointRefusalDetails`).
 * - VALIDATION: `{ field }`; UNSUPPORTED: `{ capability }` or `{ packageName }`.
 * Errors about the datastore rather than the contract (a file that is not a SQLite database or is
 * read-only, a schema not migrated or a migration ledger with a gap, a Redis key layout of another
 * version) carry backend-specific `details`, or none: match their code only.
 */
export const ERROR_CODES = [
  "VALIDATION",
  "NOT_FOUND",
  "CONFLICT",
  "SEQUENCE_CONFLICT",
  "LEASE_EXPIRED",
  "STALE_LEASE",
  "LEASE_REVOKED",
  "INVALID_STATE",
  "UNSUPPORTED",
  "UNAVAILABLE",
  "CLOSED",
  "TIMEOUT",
  "UNAUTHORIZED",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Codes that describe a transient condition: the same call may succeed when tried again. */
export const RETRYABLE_CODES: ReadonlySet<ErrorCode> = new Set(["UNAVAILABLE", "TIMEOUT"]);

const BRAND = Symbol.for("@mooring/core/MooringError");

export interface MooringErrorOptions {
  /** The backend's `name` ("memory", "sqlite", …); "core" for errors raised before any backend. */
  backend?: string;
  /** The operation that failed, as `facet.method` (e.g. "engine.complete"). */
  operation?: string;
  /** The native error or the error this one wraps. */
  cause?: unknown;
  /** Structured detail for programs (e.g. the offending field, the current sequence). */
  details?: Readonly<Record<string, unknown>>;
  /**
   * Credentials the failure may have seen (a URL's password, an AUTH argument): masked in the
   * message, the details and a copy of the whole cause chain, so that logging the error never
   * prints one.
   */
  secrets?: readonly string[];
}

export class MooringError extends Error {
  override readonly name = "MooringError";
  readonly code: ErrorCode;
  readonly backend: string;
  readonly operation: string;
  readonly details: Readonly<Record<string, unknown>>;
  /** True when the same call may succeed if tried again (transport failures, timeouts). */
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: MooringErrorOptions = {}) {
    const secrets = options.secrets ?? [];
    super(maskSecrets(message, secrets), options.cause === undefined ? undefined : { cause: withoutSecrets(options.cause, secrets) });
    this.code = code;
    this.backend = options.backend ?? "core";
    this.operation = options.operation ?? "";
    this.details = Object.freeze({ ...(withoutSecrets(options.details ?? {}, secrets) as Record<string, unknown>) });
    this.retryable = RETRYABLE_CODES.has(code);
    Object.defineProperty(this, BRAND, { value: true });
  }

  /**
   * Whether `error` is a MooringError (optionally with `code`). Matches by brand rather than by
   * `instanceof`, so it works across duplicate copies of this package in one process.
   */
  static is(error: unknown, code?: ErrorCode): error is MooringError {
    if (typeof error !== "object" || error === null) return false;
    if ((error as Record<symbol, unknown>)[BRAND] !== true) return false;
    return code === undefined || (error as MooringError).code === code;
  }

  /** A copy of this error attributed to `backend` and `operation` where it has none yet. */
  withContext(backend: string, operation: string): MooringError {
    if (this.backend !== "core" && this.operation !== "") return this;
    return new MooringError(this.code, this.message, {
      backend: this.backend === "core" ? backend : this.backend,
      operation: this.operation === "" ? operation : this.operation,
      cause: this.cause,
      details: this.details,
    });
  }
}
