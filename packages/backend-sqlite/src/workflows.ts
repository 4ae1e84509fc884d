/**
 * The WorkflowStore of one tenant (SPEC section 3, W12–W16): definitions, runs, steps, the event
 * log with caller event ids, snapshots, the keys runs claim, and the atomic, fenced `commit`. Every mutating call is one `BEGIN IMMEDIATE`
 * transaction that checks everything before its first write (C2).
 */
import {
  type AppendOptions,
  canonicalJson,
  type ClaimKeyInput,
  type CommitInput,
  type CommitResult,
  type CreateRunInput,
  type CreateRunOptions,
  type CreateRunResult,
  type DefinitionInput,
  type DefinitionRecord,
  type EventInput,
  type EventRecord,
  type FailResult,
  type Json,
  type KeyHolder,
  type ListRunsRequest,
  newId,
  type Page,
  type PutDefinitionResult,
  type ReadEventsOptions,
  RUN_TRANSITIONS,
  type RunRecord,
  type RunStatus,
  type SnapshotInput,
  type SnapshotRecord,
  type StepInput,
  type StepRecord,
  type StepStatus,
  TERMINAL_RUN_STATUSES,
  storedValueColumns,
  type Value,
  type ValueObject,
  type WaitForEventsOptions,
  type WorkflowStore,
  contextNotArrayDetails,
  definitionConflictDetails,
  eventIdConflictDetails,
  keyHeldDetails,
  runExistsDetails,
  sequenceConflictDetails,
  snapshotBeyondDetails,
  statusConflictDetails,
  statusMoveDetails,
} from "@mooring/core";
import type { SqliteContext } from "./context.js";
import { LOG_GROWN } from "./notifications.js";
import { notFound, sqliteError } from "./errors.js";
import { contextColumns, decodeCursor, encodeCursor, jsonText, parseJson, valueOfColumns } from "./json.js";
import {
  DELETE_RUN,
  DELETE_RUN_EVENTS,
  DELETE_RUN_KEYS,
  EVENT_ID_SEQUENCE,
  DELETE_RUN_SNAPSHOTS,
  DELETE_RUN_STEPS,
  type DefinitionRow,
  type EventRow,
  INSERT_DEFINITION,
  INSERT_EVENT,
  INSERT_RUN,
  LATEST_SEQUENCE,
  LATEST_SNAPSHOT,
  LIST_DEFINITIONS,
  LIST_RUNS,
  LIST_RUNS_BY_STATUS,
  LIST_RUNS_DESC,
  LIST_RUNS_OF_WORKFLOW,
  LIST_RUNS_OF_WORKFLOW_DESC,
  LIST_STEPS,
  READ_EVENTS,
  READ_EVENTS_DESC,
  RELEASE_RUN_KEY,
  RELEASE_TERMINAL_KEYS,
  type RunKeyRow,
  type RunRow,
  SELECT_DEFINITION,
  SELECT_EVENT_BY_ID,
  SELECT_RUN,
  SELECT_RUN_KEY,
  SELECT_STEP,
  SET_LATEST_SEQUENCE,
  type SnapshotRow,
  type StepRow,
  TAKE_STEP_POSITION,
  UPDATE_RUN_CONTEXT,
  UPDATE_RUN_STATUS,
  UPSERT_RUN_KEY,
  UPSERT_SNAPSHOT,
  UPSERT_STEP,
} from "./sql/workflows.js";

export class SqliteWorkflows implements WorkflowStore {
  readonly #context: SqliteContext;
  readonly #tenant: string;

  constructor(context: SqliteContext, tenant: string) {
    this.#context = context;
    this.#tenant = tenant;
  }

  get #statements() {
    return this.#context.statements;
  }

  async putDefinition(definition: DefinitionInput): Promise<PutDefinitionResult> {
    return this.#context.connection.write((now) => {
      const existing = this.#statements.one<DefinitionRow>(SELECT_DEFINITION, this.#tenant, definition.id, definition.version);
      if (existing) {
        if (canonicalJson(parseJson(existing.spec)) !== canonicalJson(definition.spec)) {
          throw sqliteError("CONFLICT", `definition "${definition.id}" version "${definition.version}" exists with a different spec; definitions are immutable`, definitionConflictDetails(definition.id, definition.version));
        }
        return { definition: toDefinition(existing), created: false };
      }
      const spec = jsonText(definition.spec);
      this.#statements.run(INSERT_DEFINITION, this.#tenant, definition.id, definition.version, spec, now);
      return { definition: { id: definition.id, version: definition.version, spec: parseJson(spec), createdAt: now }, created: true };
    });
  }

  async getDefinition(id: string, version: string): Promise<DefinitionRecord | null> {
    const row = this.#statements.one<DefinitionRow>(SELECT_DEFINITION, this.#tenant, id, version);
    return row ? toDefinition(row) : null;
  }

  async listDefinitions(id: string): Promise<DefinitionRecord[]> {
    return this.#statements.all<DefinitionRow>(LIST_DEFINITIONS, this.#tenant, id).map(toDefinition);
  }

  /** W2, W12, W15: the run, its first events and its keys in one transaction; every check before the first write. */
  async createRun(input: CreateRunInput, options?: CreateRunOptions): Promise<CreateRunResult> {
    return this.#context.connection.write((now) => {
      const id = input.id ?? newId(now);
      const existing = this.#findRun(id);
      const withSequences = (result: CreateRunResult, sequences: number[]): CreateRunResult =>
        options?.events === undefined ? result : { ...result, sequences };
      if (existing) {
        const ifExists = options?.ifExists ?? "return";
        if (ifExists === "return") return withSequences({ run: toRun(existing), created: false }, []);
        if (ifExists === "error") throw sqliteError("CONFLICT", `run "${id}" already exists`, runExistsDetails(id));
      }
      // A replaced run's keys are released with it, so the new run may claim them.
      this.#checkKeys(id, existing?.pk, options?.claimKeys);
      if (existing) this.#deleteRunRows(existing.pk);
      const row = this.#statements.one<RunRow>(
        INSERT_RUN,
        this.#tenant,
        id,
        input.workflowId,
        input.version,
        jsonText(input.input),
        ...contextColumns(input.context ?? {}),
        now,
        now,
      );
      if (!row) throw new Error("INSERT … RETURNING returned no row");
      const sequences = options?.events === undefined ? [] : this.#appendEvents(row, options.events, now);
      if (options?.claimKeys !== undefined) this.#applyKeys(row, options.claimKeys, []);
      return withSequences({ run: toRun({ ...row, latest_sequence: sequences.length }), created: true }, sequences);
    });
  }

  async getRun(id: string): Promise<RunRecord | null> {
    const row = this.#findRun(id);
    return row ? toRun(row) : null;
  }

  async setRunStatus(id: string, status: RunStatus, options?: { readonly expected?: RunStatus }): Promise<RunRecord> {
    return this.#context.connection.write((now) => {
      const run = this.#requireRun(id);
      checkStatusMove(run, status, options?.expected);
      return toRun(this.#updateStatus(run, status, now));
    });
  }

  async setContext(id: string, context: ValueObject): Promise<RunRecord> {
    return this.#context.connection.write((now) => toRun(this.#updateContext(this.#requireRun(id), context, now)));
  }

  async appendToContext(id: string, key: string, value: Value): Promise<RunRecord> {
    return this.#context.connection.write((now) => {
      const run = this.#requireRun(id);
      const context = contextOf(run);
      const current = Object.hasOwn(context, key) ? context[key] : undefined;
      if (current !== undefined && !Array.isArray(current)) {
        throw sqliteError("INVALID_STATE", `context key "${key}" of run "${id}" holds a non-array; appendToContext appends to arrays only`, contextNotArrayDetails(id, key));
      }
      // defineProperty, not assignment: a key such as "__proto__" must become a plain member.
      Object.defineProperty(context, key, { value: [...(current ?? []), value], enumerable: true, writable: true, configurable: true });
      return toRun(this.#updateContext(run, context, now));
    });
  }

  /** W5, W14: by creation order (pk), oldest or newest first; a cursor names its order's list, so the other order refuses it. */
  async listRuns(request: ListRunsRequest): Promise<Page<RunRecord>> {
    const descending = request.order === "desc";
    const kind = descending ? "runs-desc" : "runs";
    const status = request.status ?? null;
    const limit = request.limit + 1;
    let rows: RunRow[];
    if (descending) {
      const before = decodeCursor(kind, request.cursor, "number") ?? Number.MAX_SAFE_INTEGER;
      rows =
        request.workflowId === undefined
          ? this.#statements.all<RunRow>(LIST_RUNS_DESC, this.#tenant, status, status, before, limit)
          : this.#statements.all<RunRow>(LIST_RUNS_OF_WORKFLOW_DESC, this.#tenant, request.workflowId, status, status, before, limit);
    } else {
      const after = decodeCursor(kind, request.cursor, "number") ?? 0;
      if (request.workflowId !== undefined) rows = this.#statements.all<RunRow>(LIST_RUNS_OF_WORKFLOW, this.#tenant, request.workflowId, status, status, after, limit);
      else if (status === null) rows = this.#statements.all<RunRow>(LIST_RUNS, this.#tenant, after, limit);
      else rows = this.#statements.all<RunRow>(LIST_RUNS_BY_STATUS, this.#tenant, status, after, limit);
    }
    const page = rows.slice(0, request.limit);
    const last = page.at(-1);
    return { items: page.map(toRun), cursor: rows.length > request.limit && last ? encodeCursor(kind, last.pk) : null };
  }

  /** W5, W15: the run goes with its steps, events, snapshots and keys. */
  async deleteRun(id: string): Promise<boolean> {
    return this.#context.connection.write(() => {
      const run = this.#findRun(id);
      if (!run) return false;
      this.#deleteRunRows(run.pk);
      return true;
    });
  }

  async upsertStep(runId: string, step: StepInput): Promise<StepRecord> {
    return this.#context.connection.write((now) => toStep(runId, this.#upsertStep(this.#requireRun(runId), step, now)));
  }

  async getStep(runId: string, stepId: string): Promise<StepRecord | null> {
    const run = this.#findRun(runId);
    const row = run ? this.#statements.one<StepRow>(SELECT_STEP, run.pk, stepId) : undefined;
    return row ? toStep(runId, row) : null;
  }

  async listSteps(runId: string): Promise<StepRecord[]> {
    const run = this.#findRun(runId);
    return run ? this.#statements.all<StepRow>(LIST_STEPS, run.pk).map((row) => toStep(runId, row)) : [];
  }

  async appendEvents(runId: string, events: readonly EventInput[], options?: AppendOptions): Promise<number[]> {
    return this.#context.connection.write((now) => {
      const run = this.#requireRun(runId);
      checkExpectedSequence(run, options?.expectedSequence);
      this.#checkEventIds(run, events);
      return this.#appendEvents(run, events, now);
    });
  }

  /** W9, W14: between `after` and `before`, ascending or descending, the first `limit` of that order. */
  async readEvents(runId: string, options?: ReadEventsOptions): Promise<EventRecord[]> {
    const statement = options?.order === "desc" ? READ_EVENTS_DESC : READ_EVENTS;
    return this.#statements
      .all<EventRow>(statement, this.#tenant, runId, options?.after ?? 0, options?.before ?? Number.MAX_SAFE_INTEGER, options?.limit ?? -1)
      .map((row) => toEvent(runId, row));
  }

  async getEvent(runId: string, eventId: string): Promise<EventRecord | null> {
    const row = this.#statements.one<EventRow>(SELECT_EVENT_BY_ID, this.#tenant, runId, eventId);
    return row ? toEvent(runId, row) : null;
  }

  async lookupKey(key: string): Promise<KeyHolder | null> {
    const row = this.#statements.one<RunKeyRow>(SELECT_RUN_KEY, this.#tenant, key);
    return row ? { runId: row.run_id, value: parseJson(row.value) } : null;
  }

  /**
   * W16: woken through the change feed, which carries a `log_grown` row of every append (written
   * in its transaction) to every connection and process on the file.
   */
  async waitForEvents(runId: string, options: WaitForEventsOptions): Promise<boolean> {
    return this.#context.feed.waitForGrowth(this.#tenant, LOG_GROWN, runId, options, () => (this.#findRun(runId)?.latest_sequence ?? 0) > options.after);
  }

  async latestSequence(runId: string): Promise<number> {
    return this.#statements.one<{ latest_sequence: number }>(LATEST_SEQUENCE, this.#tenant, runId)?.latest_sequence ?? 0;
  }

  async writeSnapshot(runId: string, snapshot: SnapshotInput): Promise<SnapshotRecord> {
    return this.#context.connection.write((now) => {
      const run = this.#requireRun(runId);
      checkSnapshotSequence(run, snapshot.atSequence, run.latest_sequence);
      return toSnapshot(runId, this.#writeSnapshot(run, snapshot.atSequence, snapshot.state, now));
    });
  }

  async latestSnapshot(runId: string): Promise<SnapshotRecord | null> {
    const row = this.#statements.one<SnapshotRow>(LATEST_SNAPSHOT, this.#tenant, runId);
    return row ? toSnapshot(runId, row) : null;
  }

  /**
   * Checks in the order of docs/decisions.md, all before the first write: the run exists; the
   * lease's fence (E5); `expectedSequence`; the status move; the snapshot's sequence; event ids
   * and claimed keys (W15). Then writes events, snapshot, context, keys, status, steps and the
   * settlement in this one transaction.
   */
  async commit(runId: string, input: CommitInput): Promise<CommitResult> {
    return this.#context.connection.write((now) => {
      const run = this.#requireRun(runId);
      const fenced = input.lease ? this.#context.transitions.fence(this.#tenant, input.lease, now, "other").row : undefined;
      checkExpectedSequence(run, input.expectedSequence);
      if (input.status !== undefined) checkStatusMove(run, input.status, undefined);
      const events = input.events ?? [];
      const latestSequence = run.latest_sequence + events.length;
      const snapshotAt = input.snapshot ? (input.snapshot.atSequence ?? latestSequence) : 0;
      if (input.snapshot) checkSnapshotSequence(run, snapshotAt, latestSequence);
      this.#checkEventIds(run, events);
      this.#checkKeys(run.id, run.pk, input.claimKeys);

      const sequences = events.length > 0 ? this.#appendEvents(run, events, now) : [];
      if (input.snapshot) this.#writeSnapshot(run, snapshotAt, input.snapshot.state, now);
      let updated = run;
      if (input.context !== undefined) updated = this.#updateContext(updated, input.context, now);
      if (input.claimKeys !== undefined || input.releaseKeys !== undefined) this.#applyKeys(updated, input.claimKeys ?? [], input.releaseKeys ?? []);
      if (input.status !== undefined) updated = this.#updateStatus(updated, input.status, now);
      for (const step of input.steps ?? []) this.#upsertStep(run, step, now);
      let failure: FailResult | undefined;
      if (input.settle && fenced) {
        if ("complete" in input.settle) {
          this.#context.transitions.complete(fenced, input.settle.complete.result, now);
        } else {
          failure = this.#context.transitions.fail(fenced, input.settle.fail.error, input.settle.fail.retryable ?? true, now);
        }
      }
      const result: CommitResult = { sequences, latestSequence, run: toRun({ ...updated, latest_sequence: latestSequence }) };
      return failure ? { ...result, failure } : result;
    });
  }

  #findRun(id: string): RunRow | undefined {
    return this.#statements.one<RunRow>(SELECT_RUN, this.#tenant, id);
  }

  #requireRun(id: string): RunRow {
    const run = this.#findRun(id);
    if (!run) throw notFound("run", id);
    return run;
  }

  #deleteRunRows(pk: number): void {
    this.#statements.run(DELETE_RUN_KEYS, pk);
    this.#statements.run(DELETE_RUN_STEPS, pk);
    this.#statements.run(DELETE_RUN_EVENTS, pk);
    this.#statements.run(DELETE_RUN_SNAPSHOTS, pk);
    this.#statements.run(DELETE_RUN, pk);
  }

  /** A terminal status releases the keys claimed `untilTerminal` (W15). */
  #updateStatus(run: RunRow, status: RunStatus, now: number): RunRow {
    const terminal = TERMINAL_RUN_STATUSES.has(status);
    if (terminal) this.#statements.run(RELEASE_TERMINAL_KEYS, run.pk);
    return this.#returning(this.#statements.one<RunRow>(UPDATE_RUN_STATUS, status, now, terminal ? now : null, run.pk));
  }

  /** W15: CONFLICT, before any write, when an event's id is one the run already has. */
  #checkEventIds(run: RunRow, events: readonly EventInput[]): void {
    for (const event of events) {
      if (event.id === undefined) continue;
      const found = this.#statements.one<{ sequence: number }>(EVENT_ID_SEQUENCE, run.pk, event.id);
      if (found === undefined) continue;
      throw sqliteError("CONFLICT", `run "${run.id}" already has event id "${event.id}" (sequence ${found.sequence}); the append wrote nothing`, eventIdConflictDetails(run.id, event.id, found.sequence));
    }
  }

  /**
   * W15: CONFLICT, before any write, when a run other than `runPk`'s holds one of `claims`. Read
   * inside the write transaction, which SQLite runs one at a time, so no claim can come between.
   */
  #checkKeys(runId: string, runPk: number | undefined, claims: readonly ClaimKeyInput[] | undefined): void {
    for (const claim of claims ?? []) {
      const holder = this.#statements.one<RunKeyRow>(SELECT_RUN_KEY, this.#tenant, claim.key);
      if (holder === undefined || holder.run_pk === runPk) continue;
      throw sqliteError("CONFLICT", `key "${claim.key}" is held by run "${holder.run_id}"; release it there first or claim another key`, keyHeldDetails(runId, claim.key, holder.run_id));
    }
  }

  /** Releases `release` (the run's own keys only), then claims `claims`; a terminal run keeps none claimed `untilTerminal`. */
  #applyKeys(run: RunRow, claims: readonly ClaimKeyInput[], release: readonly string[]): void {
    for (const key of release) this.#statements.run(RELEASE_RUN_KEY, this.#tenant, key, run.pk);
    for (const claim of claims) {
      this.#statements.run(UPSERT_RUN_KEY, this.#tenant, claim.key, run.pk, jsonText(claim.value), claim.untilTerminal === true ? 1 : 0);
    }
    if (TERMINAL_RUN_STATUSES.has(run.status as RunStatus)) this.#statements.run(RELEASE_TERMINAL_KEYS, run.pk);
  }

  #updateContext(run: RunRow, context: ValueObject, now: number): RunRow {
    return this.#returning(this.#statements.one<RunRow>(UPDATE_RUN_CONTEXT, ...contextColumns(context), now, run.pk));
  }

  /**
   * Appends at latest + 1 … in the caller's write transaction: gap-free under any concurrency (W7),
   * with a `log_grown` feed row that wakes readers waiting on the run (W16) once it commits.
   */
  #appendEvents(run: RunRow, events: readonly EventInput[], now: number): number[] {
    const sequences = events.map((event, index) => {
      const sequence = run.latest_sequence + index + 1;
      this.#statements.run(INSERT_EVENT, run.pk, sequence, event.type, ...storedValueColumns(event.payload), event.id ?? null, now);
      return sequence;
    });
    this.#statements.run(SET_LATEST_SEQUENCE, run.latest_sequence + events.length, run.pk);
    this.#context.connection.notify(this.#tenant, LOG_GROWN, run.id, "", now);
    return sequences;
  }

  #writeSnapshot(run: RunRow, atSequence: number, state: Json, now: number): SnapshotRow {
    return this.#returning(this.#statements.one<SnapshotRow>(UPSERT_SNAPSHOT, run.pk, atSequence, jsonText(state), now));
  }

  #upsertStep(run: RunRow, step: StepInput, now: number): StepRow {
    const existing = this.#statements.one<StepRow>(SELECT_STEP, run.pk, step.id);
    const position = existing?.position ?? this.#returning(this.#statements.one<{ position: number }>(TAKE_STEP_POSITION, run.pk)).position;
    return this.#returning(
      this.#statements.one<StepRow>(
        UPSERT_STEP,
        run.pk,
        step.id,
        position,
        step.status,
        step.name ?? null,
        jsonText(step.input),
        jsonText(step.output),
        jsonText(step.error),
        now,
        now,
      ),
    );
  }

  #returning<T>(row: T | undefined): T {
    if (row === undefined) throw new Error("a statement with RETURNING returned no row");
    return row;
  }
}

/** W3: a terminal run never changes (CONFLICT); `expected` must match (CONFLICT); the move must be in the graph (INVALID_STATE). */
function checkStatusMove(run: RunRow, status: RunStatus, expected: RunStatus | undefined): void {
  const current = run.status as RunStatus;
  if (TERMINAL_RUN_STATUSES.has(current)) {
    throw sqliteError("CONFLICT", `run "${run.id}" is ${current}; a terminal run never changes status`, statusConflictDetails(run.id, current, status, expected));
  }
  if (expected !== undefined && current !== expected) {
    throw sqliteError("CONFLICT", `run "${run.id}" is ${current}, not the expected ${expected}`, statusConflictDetails(run.id, current, status, expected));
  }
  if (!RUN_TRANSITIONS[current].includes(status)) {
    throw sqliteError("INVALID_STATE", `run "${run.id}" cannot move from ${current} to ${status}`, statusMoveDetails(run.id, current, status));
  }
}

/** W8: with `expectedSequence`, the run's latest sequence must equal it. */
function checkExpectedSequence(run: RunRow, expected: number | undefined): void {
  if (expected !== undefined && run.latest_sequence !== expected) {
    throw sqliteError("SEQUENCE_CONFLICT", `run "${run.id}" is at sequence ${run.latest_sequence}, not the expected ${expected}`, sequenceConflictDetails(run.id, expected, run.latest_sequence));
  }
}

/** W10: a snapshot reflects events that exist. */
function checkSnapshotSequence(run: RunRow, atSequence: number, latest: number): void {
  if (atSequence > latest) {
    throw sqliteError("INVALID_STATE", `snapshot atSequence ${atSequence} is beyond run "${run.id}"'s latest sequence ${latest}`, snapshotBeyondDetails(run.id, atSequence, latest));
  }
}

function toRun(row: RunRow): RunRecord {
  return {
    id: row.id,
    workflowId: row.workflow_id,
    version: row.version,
    status: row.status as RunStatus,
    input: parseJson(row.input),
    context: contextOf(row),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    completedAt: row.completed_at,
  };
}

/** A run's context (SPEC W13: it may hold bytes). */
function contextOf(row: RunRow): ValueObject {
  return valueOfColumns(row.context, row.context_kind) as ValueObject;
}

function toEvent(runId: string, row: EventRow): EventRecord {
  const event: EventRecord = { runId, sequence: row.sequence, type: row.type, payload: valueOfColumns(row.payload, row.payload_kind, row.payload_bytes), createdAt: row.created_at };
  return row.event_id === null ? event : { ...event, id: row.event_id };
}

function toDefinition(row: DefinitionRow): DefinitionRecord {
  return { id: row.id, version: row.version, spec: parseJson(row.spec), createdAt: row.created_at };
}

function toStep(runId: string, row: StepRow): StepRecord {
  return {
    runId,
    id: row.id,
    status: row.status as StepStatus,
    name: row.name,
    input: parseJson(row.input),
    output: parseJson(row.output),
    error: parseJson(row.error),
    position: row.position,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toSnapshot(runId: string, row: SnapshotRow): SnapshotRecord {
  return { runId, atSequence: row.at_sequence, state: parseJson(row.state), createdAt: row.created_at };
}
