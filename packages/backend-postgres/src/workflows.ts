/**
 * WorkflowStore on Postgres (SPEC W1-W16): definitions, runs, steps, a gap-free event log whose
 * counter is the run row, caller event ids, the keys runs claim, durable snapshots, and `commit`,
 * one transaction that locks the run (and the lease's task) before checking anything, so every
 * check sees what it will write over. Log readers wait on LISTEN/NOTIFY (W16).
 */
import {
  type AppendOptions,
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
  storedValueColumns,
  type Value,
  type ValueObject,
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

/** The array parameters of events-append: types, payloads, event ids, payload kinds and bytes (SPEC W13). */
function eventValues(events: readonly EventInput[]): [string[], string[], (string | null)[], (string | null)[], (Buffer | null)[]] {
  const payloads = events.map((event) => storedValueColumns(event.payload));
  return [
    events.map((event) => event.type),
    payloads.map(([text]) => text),
    events.map((event) => event.id ?? null),
    payloads.map(([, kind]) => kind),
    payloads.map(([, , bytes]) => bytes),
  ];
}

/** The parameters of a context's columns: its json text and kind marker (a context is never a byte array). */
function contextValues(context: ValueObject): [string, string | null] {
  const [text, kind] = storedValueColumns(context);
  return [text, kind];
}

function eventIdsOf(events: readonly EventInput[]): string[] {
  return events.flatMap((event) => (event.id === undefined ? [] : [event.id]));
}

export class PostgresWorkflowStore implements WorkflowStore {
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
      queryable.query<RunRow>("run-insert", [this.#db.nowParam(), this.#tenantId, id, input.workflowId, input.version, jsonText(input.input), ...contextValues(input.context ?? {})]);
    const ifExists = options?.ifExists ?? "return";
    if (options?.events !== undefined || options?.claimKeys !== undefined) return this.#createRunWith(id, insert, ifExists, options);
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

  /**
   * W12, W15: the run, its first events and its keys in one transaction. The run is inserted (a
   * replaced one deleted first, its keys with it) and, when it was created, its events appended
   * and keys claimed; a key held by another run rolls it all back.
   */
  async #createRunWith(
    id: string,
    insert: (queryable: Queryable) => Promise<RunRow[]>,
    ifExists: "return" | "replace" | "error",
    options: CreateRunOptions,
  ): Promise<CreateRunResult> {
    const withSequences = (result: CreateRunResult, sequences: number[]): CreateRunResult =>
      options.events === undefined ? result : { ...result, sequences };
    for (;;) {
      const result = await this.#db.transaction(async (tx): Promise<CreateRunResult | null> => {
        if (ifExists === "replace") await tx.query("run-delete", [this.#tenantId, id]);
        const [created] = await insert(tx);
        if (!created) {
          if (ifExists === "error") throw new MooringError("CONFLICT", `run ${id} exists`, { backend: "postgres", details: runExistsDetails(id) });
          const [existing] = await tx.query<RunRow>("run-get", [this.#tenantId, id]);
          // Absent again only if it was deleted in between: create it then.
          return existing ? withSequences({ run: runRecord(existing), created: false }, []) : null;
        }
        const events = options.events ?? [];
        if (events.length > 0) await this.#append(tx, created.created_at, id, events, null);
        if (options.claimKeys !== undefined) await this.#claimKeys(tx, id, options.claimKeys);
        return withSequences({ run: runRecord(created), created: true }, events.map((_, index) => index + 1));
      });
      if (result) return result;
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
      const updated = await this.#updateRun(tx, run.now, id, status, null);
      if (TERMINAL_RUN_STATUSES.has(status)) await tx.query("run-keys-release", [this.#tenantId, id, [], true]);
      return updated;
    });
  }

  async setContext(id: string, context: ValueObject): Promise<RunRecord> {
    const [row] = await this.#db.query<RunRow>("run-update", [this.#db.nowParam(), this.#tenantId, id, null, ...contextValues(context)], "safe");
    if (!row) throw notFound("run", id);
    return runRecord(row);
  }

  async appendToContext(id: string, key: string, value: Value): Promise<RunRecord> {
    return this.#db.transaction(async (tx) => {
      const locked = await this.#lockRun(tx, id);
      const run = runRecord(locked);
      // Own properties only: a key like "constructor" must not find Object.prototype's.
      const current = Object.hasOwn(run.context, key) ? run.context[key] : undefined;
      if (current !== undefined && !Array.isArray(current)) {
        throw new MooringError("INVALID_STATE", `context.${key} of run ${id} holds a non-array`, { backend: "postgres", details: contextNotArrayDetails(id, key) });
      }
      const context: ValueObject = { ...run.context, [key]: [...(current ?? []), value] };
      return this.#updateRun(tx, locked.now, id, null, context);
    });
  }

  /** W5, W14: by creation order (seq), oldest or newest first; a cursor names its order's list, so the other order refuses it. */
  async listRuns(request: ListRunsRequest): Promise<Page<RunRecord>> {
    const status = request.status ?? null;
    const limit = request.limit + 1;
    if (request.order === "desc") {
      const before = decodeCursor("runs-desc", request.cursor);
      const rows =
        request.workflowId === undefined
          ? await this.#db.query<RunRow & { seq: number }>("runs-list-desc", [this.#tenantId, before, limit, status], "safe")
          : await this.#db.query<RunRow & { seq: number }>("runs-list-of-workflow-desc", [this.#tenantId, before, limit, status, request.workflowId], "safe");
      return pageOf(rows, request.limit, runRecord, (row) => encodeCursor("runs-desc", row.seq));
    }
    const after = decodeCursor("runs", request.cursor) ?? 0;
    let rows: (RunRow & { seq: number })[];
    if (request.workflowId !== undefined) {
      rows = await this.#db.query<RunRow & { seq: number }>("runs-list-of-workflow", [this.#tenantId, after, limit, status, request.workflowId], "safe");
    } else if (status === null) {
      rows = await this.#db.query<RunRow & { seq: number }>("runs-list", [this.#tenantId, after, limit], "safe");
    } else {
      rows = await this.#db.query<RunRow & { seq: number }>("runs-list-by-status", [this.#tenantId, after, limit, status], "safe");
    }
    return pageOf(rows, request.limit, runRecord, (row) => encodeCursor("runs", row.seq));
  }

  /** W5, W15: the run goes with its steps, events, snapshots and keys (ON DELETE CASCADE). */
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

  /**
   * W7, W8: one statement. With caller event ids (W15), a transaction that locks the run, checks
   * the ids and the expected sequence, then appends: no append of the run comes between.
   */
  async appendEvents(runId: string, events: readonly EventInput[], options?: AppendOptions): Promise<number[]> {
    if (eventIdsOf(events).length > 0) {
      return this.#db.transaction(async (tx) => {
        const run = await this.#lockRun(tx, runId);
        const expected = options?.expectedSequence;
        if (expected !== undefined && expected !== run.latest_sequence) {
          throw new MooringError("SEQUENCE_CONFLICT", `run ${runId} is at sequence ${run.latest_sequence}, not ${expected}`, {
            backend: "postgres",
            details: sequenceConflictDetails(runId, expected, run.latest_sequence),
          });
        }
        await this.#checkEventIds(tx, runId, events);
        await this.#append(tx, run.now, runId, events, run.latest_sequence);
        return events.map((_, index) => run.latest_sequence + 1 + index);
      });
    }
    const [types, payloads, ids, kinds, bytes] = eventValues(events);
    const [row] = await this.#db.query<{ latest: number | null }>("events-append", [
      this.#db.nowParam(),
      this.#tenantId,
      runId,
      types,
      payloads,
      options?.expectedSequence ?? null,
      ids,
      this.#context.channel,
      kinds,
      bytes,
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

  /** W9, W14: between `after` and `before`, ascending or descending, the first `limit` of that order. */
  async readEvents(runId: string, options?: ReadEventsOptions): Promise<EventRecord[]> {
    const statement = options?.order === "desc" ? "events-read-desc" : "events-read";
    const rows = await this.#db.query<EventRow>(statement, [this.#tenantId, runId, options?.after ?? 0, options?.limit ?? null, options?.before ?? null], "safe");
    return rows.map(eventRecord);
  }

  async getEvent(runId: string, eventId: string): Promise<EventRecord | null> {
    const [row] = await this.#db.query<EventRow>("event-get", [this.#tenantId, runId, eventId], "safe");
    return row ? eventRecord(row) : null;
  }

  async lookupKey(key: string): Promise<KeyHolder | null> {
    const [row] = await this.#db.query<{ run_id: string; value: Json }>("run-key-get", [this.#tenantId, key], "safe");
    return row ? { runId: row.run_id, value: row.value } : null;
  }

  /**
   * W16: woken by the NOTIFY every append sends once a listener registered (tenant, "log"), with
   * the floor poll of every pushed wait (`NotificationHub.wait`).
   */
  waitForEvents(runId: string, options: WaitForEventsOptions): Promise<boolean> {
    const { hub, pollIntervalMs } = this.#context;
    return hub.wait(this.#tenantId, "log", {
      matches: (event) => event.taskId === runId,
      look: async () => (await this.latestSequence(runId)) > options.after,
      pollIntervalMs,
      timeoutMs: options.timeoutMs,
      signal: options.signal,
    });
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
   * the run exists, the lease's fence, expectedSequence, the status move, the snapshot's sequence,
   * event ids (W15); then the keys are claimed first of the writes, since a claim is decided by
   * the store as it writes (a key another run holds rolls the whole commit back).
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
      await this.#checkEventIds(tx, runId, events);

      if (input.claimKeys !== undefined) await this.#claimKeys(tx, runId, input.claimKeys);
      if (input.releaseKeys !== undefined) await tx.query("run-keys-release", [this.#tenantId, runId, input.releaseKeys, false]);
      if (events.length > 0) await this.#append(tx, run.now, runId, events, run.latest_sequence);
      if (input.snapshot) await tx.query("snapshot-write", [run.now, this.#tenantId, runId, snapshotAt, jsonText(input.snapshot.state)]);
      const updated =
        input.status !== undefined || input.context !== undefined
          ? await this.#updateRun(tx, run.now, runId, input.status ?? null, (input.context ?? null))
          : runRecord(run);
      if (TERMINAL_RUN_STATUSES.has(updated.status)) await tx.query("run-keys-release", [this.#tenantId, runId, [], true]);
      for (const step of input.steps ?? []) await tx.query("step-upsert", stepValues(run.now, this.#tenantId, runId, step));
      let failure: FailResult | undefined;
      if (input.settle && held && input.lease) {
        const outbox = new Outbox();
        if ("complete" in input.settle) {
          await completeHeld(tx, this.#context, this.#tenantId, held.task, input.lease.epoch, input.settle.complete.result, outbox);
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

  /** Appends `events` after `expected` (null: after whatever is latest) on `tx`, notifying log readers (W16). */
  async #append(tx: Queryable, now: number, runId: string, events: readonly EventInput[], expected: number | null): Promise<void> {
    const [types, payloads, ids, kinds, bytes] = eventValues(events);
    await tx.query("events-append", [now, this.#tenantId, runId, types, payloads, expected, ids, this.#context.channel, kinds, bytes]);
  }

  /** W15: CONFLICT when an event's id is one the run has; `tx` holds the run's lock. */
  async #checkEventIds(tx: Queryable, runId: string, events: readonly EventInput[]): Promise<void> {
    const ids = eventIdsOf(events);
    if (ids.length === 0) return;
    const [found] = await tx.query<{ event_id: string; sequence: number }>("event-ids-find", [this.#tenantId, runId, ids]);
    if (!found) return;
    throw new MooringError("CONFLICT", `run ${runId} already has event id ${JSON.stringify(found.event_id)} (sequence ${found.sequence}); the append wrote nothing`, {
      backend: "postgres",
      details: eventIdConflictDetails(runId, found.event_id, Number(found.sequence)),
    });
  }

  /** W15: claims `claims` for the run on `tx`; CONFLICT (and the caller's rollback) when another run holds one. */
  async #claimKeys(tx: Queryable, runId: string, claims: readonly ClaimKeyInput[]): Promise<void> {
    const rows = await tx.query<{ key: string }>("run-keys-claim", [
      this.#tenantId,
      runId,
      claims.map((claim) => claim.key),
      claims.map((claim) => jsonText(claim.value)),
      claims.map((claim) => claim.untilTerminal === true),
    ]);
    const held = new Set(rows.map((row) => row.key));
    const taken = claims.find((claim) => !held.has(claim.key));
    if (taken === undefined) return;
    const [holder] = await tx.query<{ run_id: string }>("run-key-get", [this.#tenantId, taken.key]);
    const heldBy = holder?.run_id ?? "(released meanwhile)";
    throw new MooringError("CONFLICT", `key ${JSON.stringify(taken.key)} is held by run ${heldBy}; release it there first or claim another key`, {
      backend: "postgres",
      details: keyHeldDetails(runId, taken.key, heldBy),
    });
  }

  async #lockRun(tx: Queryable, runId: string): Promise<LockedRun> {
    const [run] = await tx.query<LockedRun>("run-lock", [this.#db.nowParam(), this.#tenantId, runId]);
    if (!run) throw notFound("run", runId);
    return run;
  }

  async #updateRun(tx: Queryable, now: number, runId: string, status: RunStatus | null, context: ValueObject | null): Promise<RunRecord> {
    const [row] = await tx.query<RunRow>("run-update", [now, this.#tenantId, runId, status, ...(context === null ? [null, null] : contextValues(context))]);
    if (!row) throw notFound("run", runId);
    return runRecord(row);
  }
}
