/**
 * Statements of the WorkflowStore (SPEC section 3). Each is prepared once per connection; the
 * header lists its positional parameters and what it returns. Rows of one run are keyed by the
 * run's `pk`, never by its id, so a replaced run starts empty.
 */
import { loadSql } from "../statements.js";

/** Columns of a run, as `RunRow`. */
export interface RunRow {
  readonly pk: number;
  readonly id: string;
  readonly workflow_id: string;
  readonly version: string;
  readonly status: string;
  readonly input: string;
  readonly context: string;
  /** The context's kind marker (SPEC W13, migration 0006): null for plain JSON. */
  readonly context_kind: string | null;
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
  /** The payload's kind marker and bytes (SPEC W13, migration 0006). */
  readonly payload_kind: string | null;
  readonly payload_bytes: Uint8Array | null;
  /** The caller's id (SPEC W15); null when none. */
  readonly event_id: string | null;
  readonly created_at: number;
}

/** Who holds a claimed key (SPEC W15). */
export interface RunKeyRow {
  readonly run_pk: number;
  readonly run_id: string;
  readonly value: string;
  readonly until_terminal: number;
}

export interface SnapshotRow {
  readonly at_sequence: number;
  readonly state: string;
  readonly created_at: number;
}

export const SELECT_DEFINITION = loadSql("select-definition");
export const INSERT_DEFINITION = loadSql("insert-definition");
export const LIST_DEFINITIONS = loadSql("list-definitions");
export const SELECT_RUN = loadSql("select-run");
export const INSERT_RUN = loadSql("insert-run");
export const DELETE_RUN = loadSql("delete-run");
export const DELETE_RUN_STEPS = loadSql("delete-run-steps");
export const DELETE_RUN_EVENTS = loadSql("delete-run-events");
export const DELETE_RUN_SNAPSHOTS = loadSql("delete-run-snapshots");
export const UPDATE_RUN_STATUS = loadSql("update-run-status");
export const UPDATE_RUN_CONTEXT = loadSql("update-run-context");
export const LIST_RUNS = loadSql("list-runs");
export const LIST_RUNS_BY_STATUS = loadSql("list-runs-by-status");
export const LIST_RUNS_DESC = loadSql("list-runs-desc");
export const LIST_RUNS_OF_WORKFLOW = loadSql("list-runs-of-workflow");
export const LIST_RUNS_OF_WORKFLOW_DESC = loadSql("list-runs-of-workflow-desc");
export const SELECT_STEP = loadSql("select-step");
export const LIST_STEPS = loadSql("list-steps");
export const TAKE_STEP_POSITION = loadSql("take-step-position");
export const UPSERT_STEP = loadSql("upsert-step");
export const INSERT_EVENT = loadSql("insert-event");
export const SET_LATEST_SEQUENCE = loadSql("set-latest-sequence");
export const READ_EVENTS = loadSql("read-events");
export const READ_EVENTS_DESC = loadSql("read-events-desc");
export const SELECT_EVENT_BY_ID = loadSql("select-event-by-id");
export const EVENT_ID_SEQUENCE = loadSql("event-id-sequence");
export const SELECT_RUN_KEY = loadSql("select-run-key");
export const UPSERT_RUN_KEY = loadSql("upsert-run-key");
export const RELEASE_RUN_KEY = loadSql("release-run-key");
export const DELETE_RUN_KEYS = loadSql("delete-run-keys");
export const RELEASE_TERMINAL_KEYS = loadSql("release-terminal-keys");
export const LATEST_SEQUENCE = loadSql("latest-sequence");
export const UPSERT_SNAPSHOT = loadSql("upsert-snapshot");
export const LATEST_SNAPSHOT = loadSql("latest-snapshot");
