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
  KeyHolder,
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
  Value,
  ValueObject,
  WaitForEventsOptions,
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
   * existing one. With `events` (capability `runEvents`) the run and its events 1..n are created in
   * one transaction, and with `claimKeys` its keys are claimed in it too; a returned existing run
   * gets no events (`created: false`, `sequences: []`). A replaced run's keys are released.
   * @throws CONFLICT with `ifExists: "error"` when the id exists, or when another run holds one of
   * `claimKeys` (nothing written); CONFLICT when an event id repeats. @see SPEC W2, W12, W15
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
  setContext(id: string, context: ValueObject): Promise<RunRecord>;

  /**
   * Appends `value` to the array at top-level `key` of the context, creating it. Concurrent
   * appends never lose one. @throws NOT_FOUND; INVALID_STATE when `key` holds a non-array.
   * @see SPEC W4
   */
  appendToContext(id: string, key: string, value: Value): Promise<RunRecord>;

  /**
   * Runs in creation order, optionally of one status and (capability `runEvents`) one workflow,
   * newest first with `order: "desc"`. @throws VALIDATION for a cursor of the other order.
   * @see SPEC W5, W14, C5
   */
  listRuns(request: ListRunsRequest): Promise<Page<RunRecord>>;

  /**
   * Removes the run with its steps, events, snapshots and claimed keys; false when absent.
   * @see SPEC W5, W15
   */
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
   * `expectedSequence` is not the latest sequence (nothing written); CONFLICT when an event's `id`
   * is one the run already has (nothing written, W15). @see SPEC W7, W8, W15
   */
  appendEvents(runId: string, events: readonly EventInput[], options?: AppendOptions): Promise<number[]>;

  /**
   * Events with `after` < sequence (< `before`), ascending, or descending with `order: "desc"`
   * (capability `runEvents` for `before` and `order`); `limit` counts from the start of the order.
   * Empty for an unknown run. @see SPEC W9, W14
   */
  readEvents(runId: string, options?: ReadEventsOptions): Promise<EventRecord[]>;

  /** The run's event with the caller's id `eventId`, or null (also for an unknown run). @see SPEC W15 */
  getEvent(runId: string, eventId: string): Promise<EventRecord | null>;

  /** The run holding `key` in this tenant and the value it claimed it with, or null. @see SPEC W15 */
  lookupKey(key: string): Promise<KeyHolder | null>;

  /**
   * Resolves true as soon as the run has an event with a sequence greater than `after` (at once
   * when it already has), false at the timeout or when `signal` aborts. A hint pushed by the
   * store (an emitter, NOTIFY, pub/sub, a change feed), never a polling loop of the caller; an
   * unknown run waits like an empty log. @see SPEC W16
   */
  waitForEvents(runId: string, options: WaitForEventsOptions): Promise<boolean>;

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
   * `setRunStatus` for the status; CONFLICT when another run holds one of `claimKeys` or an event
   * id repeats (W15). Keys claimed `untilTerminal` are released when the commit makes the run
   * terminal. @see SPEC W11, W15, E5, T4
   */
  commit(runId: string, input: CommitInput): Promise<CommitResult>;
}
