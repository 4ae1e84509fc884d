/**
 * The backend's errors (SPEC C4), in one place as in every backend. Memory has no native failure
 * to map: every error is a MooringError raised where its rule is checked, and core's guard
 * (defineBackend) attributes it to this backend and the operation. What is shared lives here.
 */
import { MooringError } from "@mooring/core";

/** The backend's `name`. */
export const MEMORY_BACKEND_NAME = "memory";

const ID_FIELD = { run: "runId", task: "taskId", tenant: "tenantId" } as const;

/** NOT_FOUND for an absent run, task or tenant (SPEC C6), with its id under `runId`, `taskId` or `tenantId`. */
export function notFound(what: keyof typeof ID_FIELD, id: string): MooringError {
  return new MooringError("NOT_FOUND", `${what} ${id} does not exist`, { details: { [ID_FIELD[what]]: id } });
}

/** A failure of a call made outside the guard (openFromUrl), attributed to this backend. */
export function attributed(error: unknown, operation: string): unknown {
  return MooringError.is(error) ? error.withContext(MEMORY_BACKEND_NAME, operation) : error;
}
