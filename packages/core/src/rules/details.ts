/**
 * The one `details` shape of each non-fence error situation (SPEC C4), the same on every backend:
 * the TypeScript backends build them here and the Redis scripts return the same fields (mapped in
 * backend-redis/src/errors.ts). The fence's shape lives in rules/fence.ts.
 */

/** SEQUENCE_CONFLICT from appendEvents or commit with `expectedSequence` (SPEC W8). */
export type SequenceConflictDetails = {
  readonly runId: string;
  /** The sequence the caller expected. */
  readonly expectedSequence: number;
  /** The run's latest sequence now. */
  readonly latestSequence: number;
};

export function sequenceConflictDetails(runId: string, expectedSequence: number, latestSequence: number): SequenceConflictDetails {
  return { runId, expectedSequence, latestSequence };
}

/**
 * CONFLICT from setRunStatus or commit with a status (SPEC W3): the run is terminal, or not in the
 * expected status.
 */
export type StatusConflictDetails = {
  readonly runId: string;
  /** The run's status now. */
  readonly status: string;
  /** The status the call asked for. */
  readonly requestedStatus: string;
  /** The status the call expected; null when it expected none. */
  readonly expectedStatus: string | null;
};

export function statusConflictDetails(runId: string, status: string, requestedStatus: string, expectedStatus: string | undefined): StatusConflictDetails {
  return { runId, status, requestedStatus, expectedStatus: expectedStatus ?? null };
}

/** CONFLICT from createRun with `ifExists: "error"` when the run exists. */
export type RunExistsDetails = { readonly runId: string };

export function runExistsDetails(runId: string): RunExistsDetails {
  return { runId };
}

/** CONFLICT from putDefinition when the version exists with a different spec. */
export type DefinitionConflictDetails = { readonly workflowId: string; readonly version: string };

export function definitionConflictDetails(workflowId: string, version: string): DefinitionConflictDetails {
  return { workflowId, version };
}

/** CONFLICT from tenants.create when the tenant exists. */
export type TenantExistsDetails = { readonly tenantId: string };

export function tenantExistsDetails(tenantId: string): TenantExistsDetails {
  return { tenantId };
}
