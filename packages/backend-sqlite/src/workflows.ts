/**
 * The WorkflowStore of one tenant (SPEC section 3): definitions, runs, steps, the event log,
 * snapshots and the atomic, fenced `commit`. Every mutating call is one `BEGIN IMMEDIATE`
 * transaction that checks everything before its first write (C2).
 */
import {
  asJson,
  type AppendOptions,
  canonicalJson,
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
  type JsonObject,
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
  type WorkflowStore,
  contextNotArrayDetails,
  definitionConflictDetails,
  runExistsDetails,
  sequenceConflictDetails,
  snapshotBeyondDetails,
  statusConflictDetails,
  statusMoveDetails,
} from "@mooring/core";
import type { SqliteContext } from "./context.js";
import { notFound, sqliteError } from "./errors.js";
import { decodeCursor, encodeCursor, jsonText, parseJson } from "./json.js";
import {
  DELETE_RUN,
  DELETE_RUN_EVENTS,
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
  LIST_STEPS,
  READ_EVENTS,
  type RunRow,
  SELECT_DEFINITION,
  SELECT_RUN,
  SELECT_STEP,
  SET_LATEST_SEQUENCE,
  type SnapshotRow,
  type StepRow,
  TAKE_STEP_POSITION,
  UPDATE_RUN_CONTEXT,
  UPDATE_RUN_STATUS,
  UPSERT_SNAPSHOT,
  UPSERT_STEP,
} from "./sql/workflows.js";

export class SqliteWorkflows implements Omit<WorkflowStore, "getEvent" | "lookupKey" | "waitForEvents"> {
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

  async createRun(input: CreateRunInput, options?: CreateRunOptions): Promise<CreateRunResult> {
    return this.#context.connection.write((now) => {
      const id = input.id ?? newId(now);
      const existing = this.#findRun(id);
      if (existing) {
        const ifExists = options?.ifExists ?? "return";
        if (ifExists === "return") return { run: toRun(existing), created: false };
        if (ifExists === "error") throw sqliteError("CONFLICT", `run "${id}" already exists`, runExistsDetails(id));
        this.#deleteRunRows(existing.pk);
      }
      const row = this.#statements.one<RunRow>(
        INSERT_RUN,
        this.#tenant,
        id,
        input.workflowId,
        input.version,
        jsonText(input.input),
        JSON.stringify(input.context ?? {}),
        now,
        now,
      );
      if (!row) throw new Error("INSERT … RETURNING returned no row");
      return { run: toRun(row), created: true };
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

  async setContext(id: string, context: JsonObject): Promise<RunRecord> {
    return this.#context.connection.write((now) => toRun(this.#updateContext(this.#requireRun(id), context, now)));
  }

  async appendToContext(id: string, key: string, value: Json): Promise<RunRecord> {
    return this.#context.connection.write((now) => {
      const run = this.#requireRun(id);
      const context = parseJson<JsonObject>(run.context);
      const current = Object.hasOwn(context, key) ? context[key] : undefined;
      if (current !== undefined && !Array.isArray(current)) {
        throw sqliteError("INVALID_STATE", `context key "${key}" of run "${id}" holds a non-array; appendToContext appends to arrays only`, contextNotArrayDetails(id, key));
      }
      // defineProperty, not assignment: a key such as "__proto__" must become a plain member.
      Object.defineProperty(context, key, { value: [...(current ?? []), value], enumerable: true, writable: true, configurable: true });
      return toRun(this.#updateContext(run, context, now));
    });
  }

  async listRuns(request: ListRunsRequest): Promise<Page<RunRecord>> {
    const after = decodeCursor("runs", request.cursor, "number") ?? 0;
    const rows =
      request.status === undefined
        ? this.#statements.all<RunRow>(LIST_RUNS, this.#tenant, after, request.limit + 1)
        : this.#statements.all<RunRow>(LIST_RUNS_BY_STATUS, this.#tenant, request.status, after, request.limit + 1);
    const page = rows.slice(0, request.limit);
    const last = page.at(-1);
    return { items: page.map(toRun), cursor: rows.length > request.limit && last ? encodeCursor("runs", last.pk) : null };
  }

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
      return this.#appendEvents(run, events, now);
    });
  }

  async readEvents(runId: string, options?: ReadEventsOptions): Promise<EventRecord[]> {
    return this.#statements
      .all<EventRow>(READ_EVENTS, this.#tenant, runId, options?.after ?? 0, options?.limit ?? -1)
      .map((row) => ({ runId, sequence: row.sequence, type: row.type, payload: parseJson(row.payload), createdAt: row.created_at }));
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
   * lease's fence (E5); `expectedSequence`; the status move; the snapshot's sequence. Then writes
   * events, snapshot, context, status, steps and the settlement in this one transaction.
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

      const sequences = events.length > 0 ? this.#appendEvents(run, events, now) : [];
      if (input.snapshot) this.#writeSnapshot(run, snapshotAt, input.snapshot.state, now);
      let updated = run;
      if (input.context !== undefined) updated = this.#updateContext(updated, asJson(input.context), now);
      if (input.status !== undefined) updated = this.#updateStatus(updated, input.status, now);
      for (const step of input.steps ?? []) this.#upsertStep(run, step, now);
      let failure: FailResult | undefined;
      if (input.settle && fenced) {
        if ("complete" in input.settle) {
          this.#context.transitions.complete(fenced, asJson(input.settle.complete.result), now);
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
    this.#statements.run(DELETE_RUN_STEPS, pk);
    this.#statements.run(DELETE_RUN_EVENTS, pk);
    this.#statements.run(DELETE_RUN_SNAPSHOTS, pk);
    this.#statements.run(DELETE_RUN, pk);
  }

  #updateStatus(run: RunRow, status: RunStatus, now: number): RunRow {
    const completedAt = TERMINAL_RUN_STATUSES.has(status) ? now : null;
    return this.#returning(this.#statements.one<RunRow>(UPDATE_RUN_STATUS, status, now, completedAt, run.pk));
  }

  #updateContext(run: RunRow, context: JsonObject, now: number): RunRow {
    return this.#returning(this.#statements.one<RunRow>(UPDATE_RUN_CONTEXT, JSON.stringify(context), now, run.pk));
  }

  /** Appends at latest + 1 … in the caller's write transaction: gap-free under any concurrency (W7). */
  #appendEvents(run: RunRow, events: readonly EventInput[], now: number): number[] {
    const sequences = events.map((event, index) => {
      const sequence = run.latest_sequence + index + 1;
      this.#statements.run(INSERT_EVENT, run.pk, sequence, event.type, jsonText(asJson(event.payload)), now);
      return sequence;
    });
    this.#statements.run(SET_LATEST_SEQUENCE, run.latest_sequence + events.length, run.pk);
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
    context: parseJson<JsonObject>(row.context),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    completedAt: row.completed_at,
  };
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
