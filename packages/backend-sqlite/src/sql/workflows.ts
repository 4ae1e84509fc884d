/**
 * Statements of the WorkflowStore (SPEC section 3). Each is prepared once per connection; the
 * header lists its positional parameters and what it returns. Rows of one run are keyed by the
 * run's `pk`, never by its id, so a replaced run starts empty.
 */
import { sql } from "./text.js";

/** Columns of a run, as `RunRow`. */
export interface RunRow {
  readonly pk: number;
  readonly id: string;
  readonly workflow_id: string;
  readonly version: string;
  readonly status: string;
  readonly input: string;
  readonly context: string;
  readonly latest_sequence: number;
  readonly created_at: number;
  readonly updated_at: number;
  readonly completed_at: number | null;
}

export interface DefinitionRow {
  readonly id: string;
  readonly version: string;
  readonly spec: string;
  readonly created_at: number;
}

export interface StepRow {
  readonly id: string;
  readonly position: number;
  readonly status: string;
  readonly name: string | null;
  readonly input: string;
  readonly output: string;
  readonly error: string;
  readonly created_at: number;
  readonly updated_at: number;
}

export interface EventRow {
  readonly sequence: number;
  readonly type: string;
  readonly payload: string;
  readonly created_at: number;
}

export interface SnapshotRow {
  readonly at_sequence: number;
  readonly state: string;
  readonly created_at: number;
}

/**
 * One definition.
 * Parameters: tenant, id, version. Returns: DefinitionRow or none.
 */
export const SELECT_DEFINITION = sql`
  SELECT id, version, spec, created_at FROM {{definitions}} WHERE tenant = ? AND id = ? AND version = ?`;

/**
 * Store a definition; (tenant, id, version) is unique.
 * Parameters: tenant, id, version, spec (JSON), created_at. Returns: nothing.
 */
export const INSERT_DEFINITION = sql`
  INSERT INTO {{definitions}} (tenant, id, version, spec, created_at) VALUES (?, ?, ?, ?, ?)`;

/**
 * Every version of a definition, in insertion order.
 * Parameters: tenant, id. Returns: DefinitionRow[].
 */
export const LIST_DEFINITIONS = sql`
  SELECT id, version, spec, created_at FROM {{definitions}} WHERE tenant = ? AND id = ? ORDER BY seq`;

/**
 * One run.
 * Parameters: tenant, id. Returns: RunRow or none.
 */
export const SELECT_RUN = sql`
  SELECT pk, id, workflow_id, version, status, input, context, latest_sequence, created_at, updated_at, completed_at
  FROM {{runs}} WHERE tenant = ? AND id = ?`;

/**
 * Create a run in status pending.
 * Parameters: tenant, id, workflow_id, version, input (JSON), context (JSON), created_at,
 * updated_at. Returns: RunRow.
 */
export const INSERT_RUN = sql`
  INSERT INTO {{runs}} (tenant, id, workflow_id, version, status, input, context, created_at, updated_at)
  VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?)
  RETURNING pk, id, workflow_id, version, status, input, context, latest_sequence, created_at, updated_at, completed_at`;

/**
 * Remove a run row (its steps, events and snapshots are removed by the statements below).
 * Parameters: pk. Returns: nothing.
 */
export const DELETE_RUN = sql`
  DELETE FROM {{runs}} WHERE pk = ?`;

/** Parameters: run pk. Returns: nothing. */
export const DELETE_RUN_STEPS = sql`
  DELETE FROM {{steps}} WHERE run_pk = ?`;

/** Parameters: run pk. Returns: nothing. */
export const DELETE_RUN_EVENTS = sql`
  DELETE FROM {{events}} WHERE run_pk = ?`;

/** Parameters: run pk. Returns: nothing. */
export const DELETE_RUN_SNAPSHOTS = sql`
  DELETE FROM {{snapshots}} WHERE run_pk = ?`;

/**
 * Move a run's status.
 * Parameters: status, updated_at, completed_at (kept when null), pk. Returns: RunRow.
 */
export const UPDATE_RUN_STATUS = sql`
  UPDATE {{runs}} SET status = ?, updated_at = ?, completed_at = coalesce(completed_at, ?) WHERE pk = ?
  RETURNING pk, id, workflow_id, version, status, input, context, latest_sequence, created_at, updated_at, completed_at`;

/**
 * Replace a run's context.
 * Parameters: context (JSON), updated_at, pk. Returns: RunRow.
 */
export const UPDATE_RUN_CONTEXT = sql`
  UPDATE {{runs}} SET context = ?, updated_at = ? WHERE pk = ?
  RETURNING pk, id, workflow_id, version, status, input, context, latest_sequence, created_at, updated_at, completed_at`;

/**
 * A page of runs in creation order.
 * Parameters: tenant, after pk (0 for the first page), limit. Returns: RunRow[].
 */
export const LIST_RUNS = sql`
  SELECT pk, id, workflow_id, version, status, input, context, latest_sequence, created_at, updated_at, completed_at
  FROM {{runs}} WHERE tenant = ? AND pk > ? ORDER BY pk LIMIT ? + 0`;

/**
 * A page of runs of one status in creation order.
 * Parameters: tenant, status, after pk, limit. Returns: RunRow[].
 */
export const LIST_RUNS_BY_STATUS = sql`
  SELECT pk, id, workflow_id, version, status, input, context, latest_sequence, created_at, updated_at, completed_at
  FROM {{runs}} WHERE tenant = ? AND status = ? AND pk > ? ORDER BY pk LIMIT ? + 0`;

/**
 * One step.
 * Parameters: run pk, step id. Returns: StepRow or none.
 */
export const SELECT_STEP = sql`
  SELECT id, position, status, name, input, output, error, created_at, updated_at FROM {{steps}} WHERE run_pk = ? AND id = ?`;

/**
 * A run's steps in first-insertion order.
 * Parameters: run pk. Returns: StepRow[].
 */
export const LIST_STEPS = sql`
  SELECT id, position, status, name, input, output, error, created_at, updated_at FROM {{steps}} WHERE run_pk = ? ORDER BY position`;

/**
 * Take the next step position of a run.
 * Parameters: run pk. Returns: { position }.
 */
export const TAKE_STEP_POSITION = sql`
  UPDATE {{runs}} SET next_position = next_position + 1 WHERE pk = ? RETURNING next_position - 1 AS position`;

/**
 * Insert a step, or replace every field of an existing one but its position and created_at.
 * Parameters: run pk, id, position, status, name, input, output, error (JSON), created_at,
 * updated_at. Returns: StepRow.
 */
export const UPSERT_STEP = sql`
  INSERT INTO {{steps}} (run_pk, id, position, status, name, input, output, error, created_at, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (run_pk, id) DO UPDATE SET
    status = excluded.status, name = excluded.name, input = excluded.input, output = excluded.output,
    error = excluded.error, updated_at = excluded.updated_at
  RETURNING id, position, status, name, input, output, error, created_at, updated_at`;

/**
 * Append one event.
 * Parameters: run pk, sequence, type, payload (JSON), created_at. Returns: nothing.
 */
export const INSERT_EVENT = sql`
  INSERT INTO {{events}} (run_pk, sequence, type, payload, created_at) VALUES (?, ?, ?, ?, ?)`;

/**
 * Advance a run's sequence counter.
 * Parameters: latest sequence, pk. Returns: nothing.
 */
export const SET_LATEST_SEQUENCE = sql`
  UPDATE {{runs}} SET latest_sequence = ? WHERE pk = ?`;

/**
 * Events of a run after a sequence, ascending.
 * Parameters: tenant, run id, after, limit (-1: all). Returns: EventRow[].
 */
export const READ_EVENTS = sql`
  SELECT e.sequence, e.type, e.payload, e.created_at
  FROM {{runs}} AS r JOIN {{events}} AS e ON e.run_pk = r.pk
  WHERE r.tenant = ? AND r.id = ? AND e.sequence > ?
  ORDER BY e.sequence LIMIT ? + 0`;

/**
 * A run's latest sequence.
 * Parameters: tenant, run id. Returns: { latest_sequence } or none.
 */
export const LATEST_SEQUENCE = sql`
  SELECT latest_sequence FROM {{runs}} WHERE tenant = ? AND id = ?`;

/**
 * Store a snapshot, replacing one at the same sequence.
 * Parameters: run pk, at_sequence, state (JSON), created_at. Returns: SnapshotRow.
 */
export const UPSERT_SNAPSHOT = sql`
  INSERT INTO {{snapshots}} (run_pk, at_sequence, state, created_at) VALUES (?, ?, ?, ?)
  ON CONFLICT (run_pk, at_sequence) DO UPDATE SET state = excluded.state, created_at = excluded.created_at
  RETURNING at_sequence, state, created_at`;

/**
 * The snapshot with the highest sequence.
 * Parameters: tenant, run id. Returns: SnapshotRow or none.
 */
export const LATEST_SNAPSHOT = sql`
  SELECT s.at_sequence, s.state, s.created_at
  FROM {{runs}} AS r JOIN {{snapshots}} AS s ON s.run_pk = r.pk
  WHERE r.tenant = ? AND r.id = ?
  ORDER BY s.at_sequence DESC LIMIT 1`;
