/**
 * WorkflowStore on Postgres (SPEC W1-W11): definitions, runs, steps, a gap-free event log whose
 * counter is the run row, durable snapshots, and `commit`, one transaction that locks the run
 * (and the lease's task) before checking anything, so every check sees what it will write over.
 */
import {
  asJson,
  type AppendOptions,
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
  MooringError,
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
import { type BackendContext, Outbox } from "./context.js";
import { decodeCursor, encodeCursor, pageOf } from "./cursor.js";
import type { Queryable } from "./database.js";
import { notFound } from "./errors.js";
import {
  type EventRow,
  eventRecord,
  jsonText,
  type RunRow,
  runRecord,
  type SnapshotRow,
  snapshotRecord,
  type StepRow,
  stepRecord,
} from "./rows.js";
import { completeHeld, failHeld, holdTask } from "./settlement.js";

interface DefinitionRow {
  id: string;
  version: string;
  spec: Json;
  created_at: number;
}

type LockedRun = RunRow & { now: number };

function definitionRecord(row: DefinitionRow): DefinitionRecord {
  return { id: row.id, version: row.version, spec: row.spec, createdAt: row.created_at };
}

/**
 * The error of moving a run from `current` to `next` (SPEC W3, docs/decisions.md), or null when
 * the move is allowed: CONFLICT for a terminal run or an `expected` mismatch, INVALID_STATE for a
 * move the graph does not have.
 */
function statusMoveError(runId: string, current: RunStatus, next: RunStatus, expected: RunStatus | undefined): MooringError | null {
  const conflict = statusConflictDetails(runId, current, next, expected);
  if (TERMINAL_RUN_STATUSES.has(current)) {
    return new MooringError("CONFLICT", `run ${runId} is ${current}, and a terminal run never changes`, { backend: "postgres", details: conflict });
  }
  if (expected !== undefined && expected !== current) {
    return new MooringError("CONFLICT", `run ${runId} is ${current}, not ${expected} as expected`, { backend: "postgres", details: conflict });
  }
  if (!RUN_TRANSITIONS[current].includes(next)) {
    return new MooringError("INVALID_STATE", `run ${runId} cannot move from ${current} to ${next}`, {
      backend: "postgres",
      details: statusMoveDetails(runId, current, next),
    });
  }
  return null;
}

function stepValues(now: number | null, tenantId: string, runId: string, step: StepInput): unknown[] {
  return [now, tenantId, runId, step.id, step.status, step.name ?? null, jsonText(step.input), jsonText(step.output), jsonText(step.error)];
}

function eventValues(events: readonly EventInput[]): [string[], string[]] {
  return [events.map((event) => event.type), events.map((event) => jsonText(asJson(event.payload)))];
}

export class PostgresWorkflowStore implements Omit<WorkflowStore, "getEvent" | "lookupKey" | "waitForEvents"> {
  readonly #context: BackendContext;
  readonly #tenantId: string;

  constructor(context: BackendContext, tenantId: string) {
    this.#context = context;
    this.#tenantId = tenantId;
  }

  get #db(): BackendContext["db"] {
    return this.#context.db;
  }

  // -------------------------------------------------------------------------------------------
  // Definitions (SPEC W1)

  async putDefinition(definition: DefinitionInput): Promise<PutDefinitionResult> {
    const spec = jsonText(definition.spec);
    for (;;) {
      const [inserted] = await this.#db.query<DefinitionRow>("definition-insert", [this.#db.nowParam(), this.#tenantId, definition.id, definition.version, spec]);
      if (inserted) return { definition: definitionRecord(inserted), created: true };
      const [existing] = await this.#db.query<DefinitionRow & { same: boolean }>("definition-get", [this.#tenantId, definition.id, definition.version, spec], "safe");
      // Definitions are never removed, so one that refused the insert is there; the loop only
      // guards against a reader that ran before the winner committed.
      if (!existing) continue;
      if (!existing.same) {
        throw new MooringError("CONFLICT", `definition ${definition.id}@${definition.version} exists with a different spec`, {
          backend: "postgres",
          details: definitionConflictDetails(definition.id, definition.version),
        });
      }
      return { definition: definitionRecord(existing), created: false };
    }
  }

  async getDefinition(id: string, version: string): Promise<DefinitionRecord | null> {
    const [row] = await this.#db.query<DefinitionRow>("definition-get", [this.#tenantId, id, version, null], "safe");
    return row ? definitionRecord(row) : null;
  }

  async listDefinitions(id: string): Promise<DefinitionRecord[]> {
    const rows = await this.#db.query<DefinitionRow>("definitions-list", [this.#tenantId, id], "safe");
    return rows.map(definitionRecord);
  }

  // -------------------------------------------------------------------------------------------
  // Runs (SPEC W2-W5)

  async createRun(input: CreateRunInput, options?: CreateRunOptions): Promise<CreateRunResult> {
    const id = input.id ?? newId(this.#db.nowParam() ?? Date.now());
    const insert = (queryable: Queryable): Promise<RunRow[]> =>
      queryable.query<RunRow>("run-insert", [this.#db.nowParam(), this.#tenantId, id, input.workflowId, input.version, jsonText(input.input), jsonText(asJson(input.context ?? {}))]);
    const ifExists = options?.ifExists ?? "return";
    if (ifExists === "replace") {
      return this.#db.transaction(async (tx) => {
        await tx.query("run-delete", [this.#tenantId, id]);
        const [row] = await insert(tx);
        if (!row) throw new Error("a run deleted in this transaction could not be created again");
        return { run: runRecord(row), created: true };
      });
    }
    for (;;) {
      const [created] = await insert(this.#db);
      if (created) return { run: runRecord(created), created: true };
      if (ifExists === "error") {
        throw new MooringError("CONFLICT", `run ${id} exists`, { backend: "postgres", details: runExistsDetails(id) });
      }
      const [existing] = await this.#db.query<RunRow>("run-get", [this.#tenantId, id], "safe");
      // Absent again only if it was deleted in between: create it then.
      if (existing) return { run: runRecord(existing), created: false };
    }
  }

  async getRun(id: string): Promise<RunRecord | null> {
    const [row] = await this.#db.query<RunRow>("run-get", [this.#tenantId, id], "safe");
    return row ? runRecord(row) : null;
  }

  async setRunStatus(id: string, status: RunStatus, options?: { readonly expected?: RunStatus }): Promise<RunRecord> {
    return this.#db.transaction(async (tx) => {
      const run = await this.#lockRun(tx, id);
      const refused = statusMoveError(id, run.status, status, options?.expected);
      if (refused) throw refused;
      return this.#updateRun(tx, run.now, id, status, null);
    });
  }

  async setContext(id: string, context: JsonObject): Promise<RunRecord> {
    const [row] = await this.#db.query<RunRow>("run-update", [this.#db.nowParam(), this.#tenantId, id, null, jsonText(context)], "safe");
    if (!row) throw notFound("run", id);
    return runRecord(row);
  }

  async appendToContext(id: string, key: string, value: Json): Promise<RunRecord> {
    return this.#db.transaction(async (tx) => {
      const run = await this.#lockRun(tx, id);
      // Own properties only: a key like "constructor" must not find Object.prototype's.
      const current = Object.hasOwn(run.context, key) ? run.context[key] : undefined;
      if (current !== undefined && !Array.isArray(current)) {
        throw new MooringError("INVALID_STATE", `context.${key} of run ${id} holds a non-array`, { backend: "postgres", details: contextNotArrayDetails(id, key) });
      }
      const context: JsonObject = { ...run.context, [key]: [...(current ?? []), value] };
      return this.#updateRun(tx, run.now, id, null, context);
    });
  }

  async listRuns(request: ListRunsRequest): Promise<Page<RunRecord>> {
    const after = decodeCursor("runs", request.cursor) ?? 0;
    const rows =
      request.status === undefined
        ? await this.#db.query<RunRow & { seq: number }>("runs-list", [this.#tenantId, after, request.limit + 1], "safe")
        : await this.#db.query<RunRow & { seq: number }>("runs-list-by-status", [this.#tenantId, after, request.limit + 1, request.status], "safe");
    return pageOf(rows, request.limit, runRecord, (row) => encodeCursor("runs", row.seq));
  }

  async deleteRun(id: string): Promise<boolean> {
    const rows = await this.#db.query("run-delete", [this.#tenantId, id]);
    return rows.length > 0;
  }

  // -------------------------------------------------------------------------------------------
  // Steps (SPEC W6)

  async upsertStep(runId: string, step: StepInput): Promise<StepRecord> {
    return this.#db.transaction(async (tx) => {
      const run = await this.#lockRun(tx, runId);
      const [row] = await tx.query<StepRow>("step-upsert", stepValues(run.now, this.#tenantId, runId, step));
      if (!row) throw new Error("step-upsert returned no row");
      return stepRecord(row);
    });
  }

  async getStep(runId: string, stepId: string): Promise<StepRecord | null> {
    const [row] = await this.#db.query<StepRow>("step-get", [this.#tenantId, runId, stepId], "safe");
    return row ? stepRecord(row) : null;
  }

  async listSteps(runId: string): Promise<StepRecord[]> {
    const rows = await this.#db.query<StepRow>("steps-list", [this.#tenantId, runId], "safe");
    return rows.map(stepRecord);
  }

  // -------------------------------------------------------------------------------------------
  // Event log (SPEC W7-W9)

  async appendEvents(runId: string, events: readonly EventInput[], options?: AppendOptions): Promise<number[]> {
    const [types, payloads] = eventValues(events);
    const [row] = await this.#db.query<{ latest: number | null }>("events-append", [
      this.#db.nowParam(),
      this.#tenantId,
      runId,
      types,
      payloads,
      options?.expectedSequence ?? null,
    ]);
    const latest = row?.latest ?? null;
    if (latest === null) {
      const [run] = await this.#db.query<{ latest_sequence: number }>("run-latest-sequence", [this.#tenantId, runId], "safe");
      if (!run) throw notFound("run", runId);
      throw new MooringError("SEQUENCE_CONFLICT", `run ${runId} is at sequence ${run.latest_sequence}, not ${String(options?.expectedSequence)}`, {
        backend: "postgres",
        details: sequenceConflictDetails(runId, options?.expectedSequence ?? 0, run.latest_sequence),
      });
    }
    return events.map((_, index) => latest - events.length + 1 + index);
  }

  async readEvents(runId: string, options?: ReadEventsOptions): Promise<EventRecord[]> {
    const rows = await this.#db.query<EventRow>("events-read", [this.#tenantId, runId, options?.after ?? 0, options?.limit ?? null], "safe");
    return rows.map(eventRecord);
  }

  async latestSequence(runId: string): Promise<number> {
    const [row] = await this.#db.query<{ latest_sequence: number }>("run-latest-sequence", [this.#tenantId, runId], "safe");
    return row?.latest_sequence ?? 0;
  }

  // -------------------------------------------------------------------------------------------
  // Durable snapshots (SPEC W10)

  async writeSnapshot(runId: string, snapshot: SnapshotInput): Promise<SnapshotRecord> {
    // Writing the same snapshot twice leaves one snapshot: safe to repeat.
    const [row] = await this.#db.query<SnapshotRow>("snapshot-write", [this.#db.nowParam(), this.#tenantId, runId, snapshot.atSequence, jsonText(snapshot.state)], "safe");
    if (row) return snapshotRecord(row);
    const [run] = await this.#db.query<{ latest_sequence: number }>("run-latest-sequence", [this.#tenantId, runId], "safe");
    if (!run) throw notFound("run", runId);
    throw new MooringError("INVALID_STATE", `snapshot at sequence ${snapshot.atSequence} is beyond run ${runId}'s latest sequence ${run.latest_sequence}`, {
      backend: "postgres",
      details: snapshotBeyondDetails(runId, snapshot.atSequence, run.latest_sequence),
    });
  }

  async latestSnapshot(runId: string): Promise<SnapshotRecord | null> {
    const [row] = await this.#db.query<SnapshotRow>("snapshot-latest", [this.#tenantId, runId], "safe");
    return row ? snapshotRecord(row) : null;
  }

  // -------------------------------------------------------------------------------------------
  // Atomic transition (SPEC W11)

  /**
   * One transaction. Every check runs before the first write, in the order of docs/decisions.md:
   * the run exists, the lease's fence, expectedSequence, the status move, the snapshot's sequence.
   */
  async commit(runId: string, input: CommitInput): Promise<CommitResult> {
    return this.#db.transaction(async (tx) => {
      const run = await this.#lockRun(tx, runId);
      const held = input.lease ? await holdTask(tx, this.#context, this.#tenantId, input.lease, "other") : null;
      if (input.expectedSequence !== undefined && input.expectedSequence !== run.latest_sequence) {
        throw new MooringError("SEQUENCE_CONFLICT", `run ${runId} is at sequence ${run.latest_sequence}, not ${input.expectedSequence}`, {
          backend: "postgres",
          details: sequenceConflictDetails(runId, input.expectedSequence, run.latest_sequence),
        });
      }
      if (input.status !== undefined) {
        const refused = statusMoveError(runId, run.status, input.status, undefined);
        if (refused) throw refused;
      }
      const events = input.events ?? [];
      const latest = run.latest_sequence + events.length;
      const snapshotAt = input.snapshot?.atSequence ?? latest;
      if (input.snapshot && snapshotAt > latest) {
        throw new MooringError("INVALID_STATE", `snapshot at sequence ${snapshotAt} is beyond run ${runId}'s latest sequence ${latest}`, {
          backend: "postgres",
          details: snapshotBeyondDetails(runId, snapshotAt, latest),
        });
      }

      if (events.length > 0) {
        const [types, payloads] = eventValues(events);
        await tx.query("events-append", [run.now, this.#tenantId, runId, types, payloads, run.latest_sequence]);
      }
      if (input.snapshot) await tx.query("snapshot-write", [run.now, this.#tenantId, runId, snapshotAt, jsonText(input.snapshot.state)]);
      const updated =
        input.status !== undefined || input.context !== undefined
          ? await this.#updateRun(tx, run.now, runId, input.status ?? null, (input.context === undefined ? null : asJson(input.context)))
          : runRecord(run);
      for (const step of input.steps ?? []) await tx.query("step-upsert", stepValues(run.now, this.#tenantId, runId, step));
      let failure: FailResult | undefined;
      if (input.settle && held && input.lease) {
        const outbox = new Outbox();
        if ("complete" in input.settle) {
          await completeHeld(tx, this.#context, this.#tenantId, held.task, input.lease.epoch, asJson(input.settle.complete.result), outbox);
        } else {
          failure = await failHeld(tx, this.#context, this.#tenantId, held.task, input.lease.epoch, input.settle.fail.error, input.settle.fail.retryable ?? true, outbox);
        }
        await outbox.send(tx, this.#context, this.#tenantId, held.task.now);
      }
      const sequences = events.map((_, index) => run.latest_sequence + 1 + index);
      return { sequences, latestSequence: latest, run: updated, ...(failure ? { failure } : {}) };
    });
  }

  // -------------------------------------------------------------------------------------------

  async #lockRun(tx: Queryable, runId: string): Promise<LockedRun> {
    const [run] = await tx.query<LockedRun>("run-lock", [this.#db.nowParam(), this.#tenantId, runId]);
    if (!run) throw notFound("run", runId);
    return run;
  }

  async #updateRun(tx: Queryable, now: number, runId: string, status: RunStatus | null, context: JsonObject | null): Promise<RunRecord> {
    const [row] = await tx.query<RunRow>("run-update", [now, this.#tenantId, runId, status, context === null ? null : jsonText(context)]);
    if (!row) throw notFound("run", runId);
    return runRecord(row);
  }
}
