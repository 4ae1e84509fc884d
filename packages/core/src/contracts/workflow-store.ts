import type {
  AppendOptions,
  CommitInput,
  CommitResult,
  CreateRunInput,
  CreateRunOptions,
  CreateRunResult,
  DefinitionInput,
  DefinitionRecord,
  EventInput,
  EventRecord,
  Json,
  JsonObject,
  ListRunsRequest,
  Page,
  PutDefinitionResult,
  ReadEventsOptions,
  RunRecord,
  RunStatus,
  SnapshotInput,
  SnapshotRecord,
  StepInput,
  StepRecord,
} from "../types.js";

/**
 * The durable source of truth of a tenant: definitions, runs, steps, the event log and snapshots.
 * Every mutating call is atomic (SPEC C2) and validates its input first (C1, VALIDATION).
 */
export interface WorkflowStore {
  /**
   * Stores an immutable definition. The same `(id, version)` with an equal spec succeeds with
   * `created: false`. @throws CONFLICT when `(id, version)` exists with a different spec.
   * @see SPEC W1
   */
  putDefinition(definition: DefinitionInput): Promise<PutDefinitionResult>;

  /** The definition, or null. @see SPEC W1 */
  getDefinition(id: string, version: string): Promise<DefinitionRecord | null>;

  /** Every version of `id`, in insertion order; empty when none. @see SPEC W1 */
  listDefinitions(id: string): Promise<DefinitionRecord[]>;

  /**
   * Creates a run in status `pending`, or per `ifExists` returns (default), replaces, or rejects an
   * existing one. @throws CONFLICT with `ifExists: "error"` when the id exists. @see SPEC W2
   */
  createRun(input: CreateRunInput, options?: CreateRunOptions): Promise<CreateRunResult>;

  /** The run, or null. */
  getRun(id: string): Promise<RunRecord | null>;

  /**
   * Moves the run along the status graph (`RUN_TRANSITIONS`). @throws NOT_FOUND for an unknown
   * run; CONFLICT when the run is terminal or its status is not `expected`; INVALID_STATE for a
   * move the graph does not have. @see SPEC W3
   */
  setRunStatus(id: string, status: RunStatus, options?: { readonly expected?: RunStatus }): Promise<RunRecord>;

  /** Replaces the context. @throws NOT_FOUND. @see SPEC W4 */
  setContext(id: string, context: JsonObject): Promise<RunRecord>;

  /**
   * Appends `value` to the array at top-level `key` of the context, creating it. Concurrent
   * appends never lose one. @throws NOT_FOUND; INVALID_STATE when `key` holds a non-array.
   * @see SPEC W4
   */
  appendToContext(id: string, key: string, value: Json): Promise<RunRecord>;

  /** Runs in creation order, optionally of one status. @see SPEC W5, C5 */
  listRuns(request: ListRunsRequest): Promise<Page<RunRecord>>;

  /** Removes the run with its steps, events and snapshots; false when absent. @see SPEC W5 */
  deleteRun(id: string): Promise<boolean>;

  /**
   * Inserts or replaces one step; a replaced step keeps its position. @throws NOT_FOUND for an
   * unknown run. @see SPEC W6
   */
  upsertStep(runId: string, step: StepInput): Promise<StepRecord>;

  /** The step, or null. @see SPEC W6 */
  getStep(runId: string, stepId: string): Promise<StepRecord | null>;

  /** The run's steps in first-insertion order; empty for an unknown run. @see SPEC W6 */
  listSteps(runId: string): Promise<StepRecord[]>;

  /**
   * Appends a non-empty batch atomically and returns its sequences: per run, from 1, gap-free,
   * contiguous per batch. @throws NOT_FOUND for an unknown run; SEQUENCE_CONFLICT when
   * `expectedSequence` is not the latest sequence (nothing written). @see SPEC W7, W8
   */
  appendEvents(runId: string, events: readonly EventInput[], options?: AppendOptions): Promise<number[]>;

  /** Events with sequence > `after`, ascending; empty for an unknown run. @see SPEC W9 */
  readEvents(runId: string, options?: ReadEventsOptions): Promise<EventRecord[]>;

  /** The largest sequence of the run's log; 0 for an empty log or an unknown run. @see SPEC W9 */
  latestSequence(runId: string): Promise<number>;

  /**
   * Stores a durable snapshot; one at the same `atSequence` is replaced. @throws NOT_FOUND;
   * INVALID_STATE when `atSequence` is beyond the latest sequence. @see SPEC W10
   */
  writeSnapshot(runId: string, snapshot: SnapshotInput): Promise<SnapshotRecord>;

  /** The snapshot with the highest `atSequence`, or null. @see SPEC W10 */
  latestSnapshot(runId: string): Promise<SnapshotRecord | null>;

  /**
   * Applies events, snapshot, context, status, steps and the lease's settlement in one
   * transaction, or nothing. With a lease it is fenced like a holder call (STALE_LEASE, also for
   * the latest epoch with another lease's `leaseId`, LEASE_REVOKED, LEASE_EXPIRED, INVALID_STATE);
   * with `expectedSequence`, SEQUENCE_CONFLICT; NOT_FOUND for an unknown run; the errors of
   * `setRunStatus` for the status. @see SPEC W11, E5, T4
   */
  commit(runId: string, input: CommitInput): Promise<CommitResult>;
}
