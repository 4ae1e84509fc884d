/**
 * The backend's errors (SPEC C4), in one place as in every backend. Memory has no native failure
 * to map: every error is a MooringError raised where its rule is checked, and core's guard
 * (defineBackend) attributes it to this backend and the operation. What is shared lives here.
 */
import { type MissingThing, MooringError, notFoundDetails } from "@mooring/core";

/** The backend's `name`. */
export const MEMORY_BACKEND_NAME = "memory";

/** NOT_FOUND for an absent run, task or tenant (SPEC C6), with core's `NotFoundDetails`. */
export function notFound(what: MissingThing, id: string): MooringError {
  return new MooringError("NOT_FOUND", `${what} ${id} does not exist`, { details: notFoundDetails(what, id) });
}

/** A failure of a call made outside the guard (openFromUrl), attributed to this backend. */
export function attributed(error: unknown, operation: string): unknown {
  return MooringError.is(error) ? error.withContext(MEMORY_BACKEND_NAME, operation) : error;
}
