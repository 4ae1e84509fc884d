/**
 * The one `details` shape of each non-fence error situation (SPEC C4), the same on every backend:
 * the TypeScript backends build them here and the Redis scripts return the same fields (mapped in
 * backend-redis/src/errors.ts). The fence's shape lives in rules/fence.ts.
 *
 * Errors about the datastore rather than the contract are not situations here and carry
 * backend-specific `details` (or none): a file that is not a SQLite database, read-only or damaged,
 * a schema not migrated, a migration ledger with a gap or an edited migration, a Redis prefix that
 * holds another key layout. Match their code, never their fields.
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

/** What a NOT_FOUND outside the fence names as missing, and the one field its id travels under. */
const MISSING_ID_FIELD = { run: "runId", task: "taskId", tenant: "tenantId" } as const;

/** The kinds of thing a write outside the fence can find missing (SPEC C6). */
export type MissingThing = keyof typeof MISSING_ID_FIELD;

/**
 * NOT_FOUND outside the fence (SPEC C6): exactly one id field, naming what is missing. An unknown
 * run is `{ runId }`; an unknown task (cancel, revokeLease, retryDeadLetter) or an unknown
 * dependency of enqueue (E16) is `{ taskId }`; an unknown tenant (tenants.update) is `{ tenantId }`.
 * A holder call's NOT_FOUND is the fence's (FenceErrorDetails).
 */
export type NotFoundDetails = { readonly runId: string } | { readonly taskId: string } | { readonly tenantId: string };

export function notFoundDetails(what: MissingThing, id: string): NotFoundDetails {
  return { [MISSING_ID_FIELD[what]]: id } as NotFoundDetails;
}

/**
 * INVALID_STATE from setRunStatus or commit with a status (SPEC W3): the move is not in the status
 * graph (`RUN_TRANSITIONS`), though the run is not terminal.
 */
export type StatusMoveDetails = {
  readonly runId: string;
  /** The run's status now. */
  readonly status: string;
  /** The status the call asked for. */
  readonly requestedStatus: string;
};

export function statusMoveDetails(runId: string, status: string, requestedStatus: string): StatusMoveDetails {
  return { runId, status, requestedStatus };
}

/** INVALID_STATE from appendToContext when the context member `key` holds a non-array (SPEC W4). */
export type ContextNotArrayDetails = { readonly runId: string; readonly key: string };

export function contextNotArrayDetails(runId: string, key: string): ContextNotArrayDetails {
  return { runId, key };
}

/** INVALID_STATE from writeSnapshot or commit with a snapshot beyond the latest sequence (SPEC W10, W11). */
export type SnapshotBeyondDetails = {
  readonly runId: string;
  /** The snapshot's `atSequence`. */
  readonly atSequence: number;
  /** The run's latest sequence; for commit, counting the events the same commit appends. */
  readonly latestSequence: number;
};

export function snapshotBeyondDetails(runId: string, atSequence: number, latestSequence: number): SnapshotBeyondDetails {
  return { runId, atSequence, latestSequence };
}

/** INVALID_STATE from retryDeadLetter when the task is not dead (SPEC E12). */
export type NotDeadDetails = {
  readonly taskId: string;
  /** The task's state now. */
  readonly state: string;
};

export function notDeadDetails(taskId: string, state: string): NotDeadDetails {
  return { taskId, state };
}

/** INVALID_STATE from enqueue or claim in a suspended tenant (SPEC T2). */
export type TenantSuspendedDetails = { readonly tenantId: string };

export function tenantSuspendedDetails(tenantId: string): TenantSuspendedDetails {
  return { tenantId };
}


/** CONFLICT from appendEvents, createRun or commit when an event's id is one its run already has (SPEC W15). */
export type EventIdConflictDetails = {
  readonly runId: string;
  /** The caller's event id that repeats. */
  readonly eventId: string;
  /** The sequence of the event that already has it. */
  readonly sequence: number;
};

export function eventIdConflictDetails(runId: string, eventId: string, sequence: number): EventIdConflictDetails {
  return { runId, eventId, sequence };
}

/** CONFLICT from createRun or commit when another run of the tenant holds a claimed key (SPEC W15). */
export type KeyHeldDetails = {
  /** The run whose call was rejected. */
  readonly runId: string;
  readonly key: string;
  /** The run that holds the key. */
  readonly heldBy: string;
};

export function keyHeldDetails(runId: string, key: string, heldBy: string): KeyHeldDetails {
  return { runId, key, heldBy };
}
