/**
 * The backend's one place for error mapping (SPEC C4). Scripts reject a call by returning the
 * error reply `MOORING <CODE> <message>` before their first write; everything else Redis or the
 * socket reports (a refused or lost connection, a failover, an out-of-memory refusal) is a
 * transport failure: UNAVAILABLE, retryable, with the native error as `cause`.
 */
import {
  ERROR_CODES,
  type ErrorCode,
  definitionConflictDetails,
  eventIdConflictDetails,
  keyHeldDetails,
  fenceErrorDetails,
  type FenceErrorDetails,
  MooringError,
  notDeadDetails,
  notFoundDetails,
  runExistsDetails,
  sequenceConflictDetails,
  snapshotBeyondDetails,
  statusConflictDetails,
  statusMoveDetails,
  tenantExistsDetails,
  tenantSuspendedDetails,
  type WaitpointRefusal,
  waitpointRefusedError,
} from "@mooring/core";
import { decodeId } from "./keys.js";

const SCRIPT_REJECTION = /^MOORING ([A-Z_]+) ([\s\S]*)$/;
/** What separates a fence rejection's message from its fields (lua/includes/common.lua, reject_fence). */
const FENCE_SEPARATOR = " FENCE ";
/** What separates another rejection's message from its fields (lua/includes/common.lua, reject_with_details). */
const DETAILS_SEPARATOR = " DETAILS ";
const CODES: ReadonlySet<string> = new Set(ERROR_CODES);

function isErrorCode(value: string): value is ErrorCode {
  return CODES.has(value);
}

/**
 * The MooringError of a script's rejection (`MOORING <CODE> …`), or null for any other failure.
 * Also used apart from mapRedisError where the backend calls its own engine (the bulk operator
 * calls judge the codes of their per-task calls), which the facet guard has not mapped yet.
 */
export function scriptRejection(error: unknown, operation: string): MooringError | null {
  const message = error instanceof Error ? error.message : String(error);
  const rejection = SCRIPT_REJECTION.exec(message);
  if (!rejection || rejection[1] === undefined || !isErrorCode(rejection[1])) return null;
  const code = rejection[1];
  const [text = "", fence] = (rejection[2] ?? "").split(FENCE_SEPARATOR, 2);
  if (fence !== undefined) return new MooringError(code, text, { backend: "redis", operation, details: fenceDetails(fence) });
  const [plain = "", fields] = text.split(DETAILS_SEPARATOR, 2);
  // A refused waitpoint token (SPEC E25): core's error for the reason, the same from every backend.
  if (code === "UNAUTHORIZED" && fields !== undefined) {
    const { reason } = JSON.parse(fields) as { reason: WaitpointRefusal };
    return waitpointRefusedError(reason).withContext("redis", operation);
  }
  return new MooringError(code, plain, { backend: "redis", operation, ...(fields === undefined ? {} : { details: situationDetails(code, fields) }) });
}

/**
 * Maps a native failure of `operation`. `lastConnectionError` is the latest error the connection
 * reported, which says why a command failed when ioredis only reports that it gave up; `secrets`
 * (the connection's password) are masked in everything the error holds.
 */
export function mapRedisError(error: unknown, operation: string, lastConnectionError: Error | null, secrets: readonly string[] = []): MooringError {
  const rejected = scriptRejection(error, operation);
  if (rejected) return rejected;
  const message = error instanceof Error ? error.message : String(error);
  const why = lastConnectionError && lastConnectionError.message !== message ? ` (last connection error: ${lastConnectionError.message})` : "";
  return new MooringError("UNAVAILABLE", `redis ${operation} failed: ${message}${why}`, {
    backend: "redis",
    operation,
    cause: error,
    details: lastConnectionError ? { lastConnectionError: lastConnectionError.message } : {},
    secrets,
  });
}

/** The fields a script's fence rejection returns, as core's one documented FenceErrorDetails. */
function fenceDetails(json: string): FenceErrorDetails {
  const fields = JSON.parse(json) as { tid: string; leaseEpoch: number; currentEpoch?: number; state?: string };
  const task = fields.currentEpoch === undefined || fields.state === undefined ? undefined : { epoch: fields.currentEpoch, state: fields.state };
  return fenceErrorDetails({ taskId: decodeId(fields.tid), epoch: fields.leaseEpoch }, task);
}

/** The fields a script's other rejections return (reject_with_details), as core's shape for the situation. */
function situationDetails(code: ErrorCode, json: string): Readonly<Record<string, unknown>> {
  const fields = JSON.parse(json) as {
    re?: string;
    tid?: string;
    te?: string;
    ide?: string;
    ve?: string;
    tenantId?: string;
    expectedSequence?: number;
    latestSequence?: number;
    atSequence?: number;
    status?: string;
    state?: string;
    requestedStatus?: string;
    expectedStatus?: string;
    eventId?: string;
    sequence?: number;
    key?: string;
    heldBy?: string;
  };
  const runId = fields.re === undefined ? "" : decodeId(fields.re);
  if (code === "NOT_FOUND") {
    if (fields.tid !== undefined) return notFoundDetails("task", decodeId(fields.tid));
    if (fields.te !== undefined) return notFoundDetails("tenant", decodeId(fields.te));
    return notFoundDetails("run", runId);
  }
  if (code === "INVALID_STATE") {
    if (fields.requestedStatus !== undefined) return statusMoveDetails(runId, fields.status ?? "", fields.requestedStatus);
    if (fields.atSequence !== undefined) return snapshotBeyondDetails(runId, fields.atSequence, fields.latestSequence ?? 0);
    if (fields.tid !== undefined) return notDeadDetails(decodeId(fields.tid), fields.state ?? "");
    return tenantSuspendedDetails(decodeId(fields.te ?? ""));
  }
  if (code === "SEQUENCE_CONFLICT") return sequenceConflictDetails(runId, fields.expectedSequence ?? 0, fields.latestSequence ?? 0);
  if (fields.requestedStatus !== undefined) return statusConflictDetails(runId, fields.status ?? "", fields.requestedStatus, fields.expectedStatus);
  if (fields.eventId !== undefined) return eventIdConflictDetails(runId, fields.eventId, fields.sequence ?? 0);
  if (fields.key !== undefined) return keyHeldDetails(runId, fields.key, decodeId(fields.heldBy ?? ""));
  if (fields.ide !== undefined) return definitionConflictDetails(decodeId(fields.ide), decodeId(fields.ve ?? ""));
  if (fields.tenantId !== undefined) return tenantExistsDetails(fields.tenantId);
  return runExistsDetails(runId);
}
