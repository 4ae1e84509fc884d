/**
 * WorkflowStore of the memory backend (SPEC W1–W11): definitions, runs, steps, the event log and
 * durable snapshots of one tenant. Every call checks everything before its first write and writes
 * without yielding, so it happens whole or not at all (C2) and concurrent calls serialize: event
 * sequences are per run, from 1, gap-free (W7), and of k writers with the same expectedSequence
 * exactly one wins (W8).
 */
import {
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
  jsonEqual,
  type JsonObject,
  type ListRunsRequest,
  MooringError,
  contextNotArrayDetails,
  definitionConflictDetails,
  runExistsDetails,
  sequenceConflictDetails,
  snapshotBeyondDetails,
  statusConflictDetails,
  statusMoveDetails,
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
} from "@mooring/core";
import type { FacetContext } from "./context.js";
import { copyJson, copyOptionalJson } from "./copy.js";
import { pageOf } from "./cursor.js";
import { notFound } from "./errors.js";
import { Effects } from "./notifications.js";
import { compareNumbers, SortedList } from "./sorted-list.js";
import type { StoredTask } from "./tasks.js";

class StoredRun {
  status: RunStatus = "pending";
  updatedAt: number;
  completedAt: number | null = null;
  /** Steps in first-insertion order (a Map keeps it; replacing a value keeps the position). */
  readonly steps = new Map<string, StepRecord>();
  /** `events[i]` has sequence i + 1. */
  readonly events: EventRecord[] = [];
  /** Only the snapshot with the highest atSequence is ever read (W10), so only it is kept. */
  snapshot: SnapshotRecord | null = null;

  constructor(
    readonly id: string,
    readonly seq: number,
    readonly workflowId: string,
    readonly version: string,
    readonly input: Json,
    public context: JsonObject,
    readonly createdAt: number,
  ) {
    this.updatedAt = createdAt;
  }
}

/** The runs and definitions of one tenant, with the indexes `listRuns` pages through. */
export class RunSpace {
  /** definition id → version → record, versions in insertion order. */
  readonly definitions = new Map<string, Map<string, DefinitionRecord>>();
  readonly runs = new Map<string, StoredRun>();
  readonly bySeq = new Map<number, StoredRun>();
  /** Creation order of every run. */
  readonly order = new SortedList<number>(compareNumbers);
  /** Creation order of the runs of each status. */
  readonly byStatus = new Map<RunStatus, SortedList<number>>();
  #seq = 0;

  nextSeq(): number {
    return ++this.#seq;
  }

  add(run: StoredRun): void {
    this.runs.set(run.id, run);
    this.bySeq.set(run.seq, run);
    this.order.add(run.seq);
    this.#statusIndex(run.status).add(run.seq);
  }

  remove(run: StoredRun): void {
    this.runs.delete(run.id);
    this.bySeq.delete(run.seq);
    this.order.delete(run.seq);
    this.#statusIndex(run.status).delete(run.seq);
  }

  setStatus(run: StoredRun, status: RunStatus, now: number): void {
    this.#statusIndex(run.status).delete(run.seq);
    run.status = status;
    this.#statusIndex(status).add(run.seq);
    run.updatedAt = now;
    if (TERMINAL_RUN_STATUSES.has(status)) run.completedAt = now;
  }

  #statusIndex(status: RunStatus): SortedList<number> {
    let index = this.byStatus.get(status);
    if (!index) this.byStatus.set(status, (index = new SortedList(compareNumbers)));
    return index;
  }
}

export class MemoryWorkflowStore implements WorkflowStore {
  readonly #context: FacetContext;
  readonly #runs: RunSpace;

  constructor(context: FacetContext, runs: RunSpace) {
    this.#context = context;
    this.#runs = runs;
  }

  async putDefinition(definition: DefinitionInput): Promise<PutDefinitionResult> {
    const versions = this.#runs.definitions.get(definition.id);
    const existing = versions?.get(definition.version);
    if (existing) {
      if (!jsonEqual(existing.spec, definition.spec)) {
        throw new MooringError("CONFLICT", `definition ${definition.id}@${definition.version} exists with a different spec`, {
          details: definitionConflictDetails(definition.id, definition.version),
        });
      }
      return { definition: copyDefinition(existing), created: false };
    }
    const record: DefinitionRecord = {
      id: definition.id,
      version: definition.version,
      spec: copyJson(definition.spec),
      createdAt: this.#now(),
    };
    if (versions) versions.set(record.version, record);
    else this.#runs.definitions.set(record.id, new Map([[record.version, record]]));
    return { definition: copyDefinition(record), created: true };
  }

  async getDefinition(id: string, version: string): Promise<DefinitionRecord | null> {
    const record = this.#runs.definitions.get(id)?.get(version);
    return record ? copyDefinition(record) : null;
  }

  async listDefinitions(id: string): Promise<DefinitionRecord[]> {
    return [...(this.#runs.definitions.get(id)?.values() ?? [])].map(copyDefinition);
  }

  async createRun(input: CreateRunInput, options: CreateRunOptions = {}): Promise<CreateRunResult> {
    const now = this.#now();
    const id = input.id ?? newId(now);
    const existing = this.#runs.runs.get(id);
    const ifExists = options.ifExists ?? "return";
    if (existing && ifExists === "return") return { run: toRunRecord(existing), created: false };
    if (existing && ifExists === "error") throw new MooringError("CONFLICT", `run ${id} exists`, { details: runExistsDetails(id) });
    const run = new StoredRun(
      id,
      this.#runs.nextSeq(),
      input.workflowId,
      input.version,
      copyOptionalJson(input.input),
      input.context === undefined ? {} : copyJson(input.context),
      now,
    );
    // "replace" keeps nothing of the old run: it is a new run, last in creation order.
    if (existing) this.#runs.remove(existing);
    this.#runs.add(run);
    return { run: toRunRecord(run), created: true };
  }

  async getRun(id: string): Promise<RunRecord | null> {
    const run = this.#runs.runs.get(id);
    return run ? toRunRecord(run) : null;
  }

  async setRunStatus(id: string, status: RunStatus, options: { readonly expected?: RunStatus } = {}): Promise<RunRecord> {
    const run = this.#requireRun(id);
    checkStatusMove(run, status, options.expected);
    this.#runs.setStatus(run, status, this.#now());
    return toRunRecord(run);
  }

  async setContext(id: string, context: JsonObject): Promise<RunRecord> {
    const run = this.#requireRun(id);
    run.context = copyJson(context);
    run.updatedAt = this.#now();
    return toRunRecord(run);
  }

  async appendToContext(id: string, key: string, value: Json): Promise<RunRecord> {
    const run = this.#requireRun(id);
    const current = Object.hasOwn(run.context, key) ? run.context[key] : undefined;
    if (current !== undefined && !Array.isArray(current)) {
      throw new MooringError("INVALID_STATE", `context.${key} of run ${id} holds a non-array`, { details: contextNotArrayDetails(id, key) });
    }
    const item = copyJson(value);
    if (current === undefined) setMember(run.context, key, [item]);
    else current.push(item);
    run.updatedAt = this.#now();
    return toRunRecord(run);
  }

  async listRuns(request: ListRunsRequest): Promise<Page<RunRecord>> {
    const index = request.status === undefined ? this.#runs.order : this.#runs.byStatus.get(request.status);
    return pageOf("runs", index, request, (seq) => {
      const run = this.#runs.bySeq.get(seq);
      return run ? toRunRecord(run) : undefined;
    });
  }

  async deleteRun(id: string): Promise<boolean> {
    const run = this.#runs.runs.get(id);
    if (!run) return false;
    this.#runs.remove(run);
    return true;
  }

  async upsertStep(runId: string, step: StepInput): Promise<StepRecord> {
    const run = this.#requireRun(runId);
    return copyStep(putStep(run, step, this.#now()));
  }

  async getStep(runId: string, stepId: string): Promise<StepRecord | null> {
    const step = this.#runs.runs.get(runId)?.steps.get(stepId);
    return step ? copyStep(step) : null;
  }

  async listSteps(runId: string): Promise<StepRecord[]> {
    return [...(this.#runs.runs.get(runId)?.steps.values() ?? [])].map(copyStep);
  }

  async appendEvents(runId: string, events: readonly EventInput[], options: AppendOptions = {}): Promise<number[]> {
    const run = this.#requireRun(runId);
    checkExpectedSequence(run, options.expectedSequence);
    return appendTo(run, events, this.#now());
  }

  async readEvents(runId: string, options: ReadEventsOptions = {}): Promise<EventRecord[]> {
    const run = this.#runs.runs.get(runId);
    if (!run) return [];
    const after = options.after ?? 0;
    const end = options.limit === undefined ? undefined : after + options.limit;
    return run.events.slice(after, end).map(copyEvent);
  }

  async latestSequence(runId: string): Promise<number> {
    return this.#runs.runs.get(runId)?.events.length ?? 0;
  }

  async writeSnapshot(runId: string, snapshot: SnapshotInput): Promise<SnapshotRecord> {
    const run = this.#requireRun(runId);
    checkSnapshotSequence(run, snapshot.atSequence, run.events.length);
    return copySnapshot(putSnapshot(run, snapshot.atSequence, snapshot.state, this.#now()));
  }

  async latestSnapshot(runId: string): Promise<SnapshotRecord | null> {
    const snapshot = this.#runs.runs.get(runId)?.snapshot;
    return snapshot ? copySnapshot(snapshot) : null;
  }

  /**
   * W11: every check (decisions.md order: run, lease fence, expectedSequence, status move, snapshot
   * atSequence) runs before the first write; then events, steps, context, status, snapshot and the
   * task's settlement are written in one synchronous step.
   */
  async commit(runId: string, input: CommitInput): Promise<CommitResult> {
    const now = this.#now();
    const tasks = this.#context.tasks;
    const run = this.#requireRun(runId);
    // Not E7's repeat: a repeated commit would write its events again, so it is INVALID_STATE.
    const task: StoredTask | null = input.lease === undefined ? null : tasks.fence(input.lease, now);
    checkExpectedSequence(run, input.expectedSequence);
    if (input.status !== undefined) checkStatusMove(run, input.status, undefined);
    const latestAfter = run.events.length + (input.events?.length ?? 0);
    const snapshotAt = input.snapshot === undefined ? undefined : (input.snapshot.atSequence ?? latestAfter);
    if (snapshotAt !== undefined) checkSnapshotSequence(run, snapshotAt, latestAfter);

    const sequences = input.events === undefined ? [] : appendTo(run, input.events, now);
    for (const step of input.steps ?? []) putStep(run, step, now);
    if (input.context !== undefined) {
      run.context = copyJson(input.context);
      run.updatedAt = now;
    }
    if (input.status !== undefined) this.#runs.setStatus(run, input.status, now);
    if (input.snapshot !== undefined && snapshotAt !== undefined) putSnapshot(run, snapshotAt, input.snapshot.state, now);
    let failure: FailResult | undefined;
    if (input.settle !== undefined && task !== null) {
      const fx = new Effects();
      if ("complete" in input.settle) tasks.completeHeld(task, input.settle.complete.result, now, fx);
      else failure = tasks.failHeld(task, input.settle.fail.error, input.settle.fail.retryable ?? true, now, fx);
      this.#context.hub.announce(this.#context.tenantId, fx, now);
    }
    const result: { -readonly [K in keyof CommitResult]: CommitResult[K] } = {
      sequences,
      latestSequence: run.events.length,
      run: toRunRecord(run),
    };
    if (failure !== undefined) result.failure = failure;
    return result;
  }

  #requireRun(id: string): StoredRun {
    const run = this.#runs.runs.get(id);
    if (!run) throw notFound("run", id);
    return run;
  }

  #now(): number {
    return this.#context.clock.now();
  }
}

/** W3 and decisions.md: terminal → CONFLICT; `expected` mismatch → CONFLICT; off the graph → INVALID_STATE. */
function checkStatusMove(run: StoredRun, status: RunStatus, expected: RunStatus | undefined): void {
  if (TERMINAL_RUN_STATUSES.has(run.status)) {
    throw new MooringError("CONFLICT", `run ${run.id} is ${run.status} and never changes again`, {
      details: statusConflictDetails(run.id, run.status, status, expected),
    });
  }
  if (expected !== undefined && expected !== run.status) {
    throw new MooringError("CONFLICT", `run ${run.id} is ${run.status}, not ${expected}`, { details: statusConflictDetails(run.id, run.status, status, expected) });
  }
  if (!RUN_TRANSITIONS[run.status].includes(status)) {
    throw new MooringError("INVALID_STATE", `run ${run.id} cannot move from ${run.status} to ${status}`, {
      details: statusMoveDetails(run.id, run.status, status),
    });
  }
}

function checkExpectedSequence(run: StoredRun, expected: number | undefined): void {
  if (expected !== undefined && expected !== run.events.length) {
    throw new MooringError("SEQUENCE_CONFLICT", `run ${run.id} is at sequence ${run.events.length}, not ${expected}`, {
      details: sequenceConflictDetails(run.id, expected, run.events.length),
    });
  }
}

function checkSnapshotSequence(run: StoredRun, atSequence: number, latest: number): void {
  if (atSequence > latest) {
    throw new MooringError("INVALID_STATE", `snapshot atSequence ${atSequence} is beyond run ${run.id}'s latest sequence ${latest}`, {
      details: snapshotBeyondDetails(run.id, atSequence, latest),
    });
  }
}

function appendTo(run: StoredRun, events: readonly EventInput[], now: number): number[] {
  const sequences: number[] = [];
  for (const event of events) {
    const sequence = run.events.length + 1;
    run.events.push({ runId: run.id, sequence, type: event.type, payload: copyOptionalJson(event.payload), createdAt: now });
    sequences.push(sequence);
  }
  return sequences;
}

function putStep(run: StoredRun, step: StepInput, now: number): StepRecord {
  const previous = run.steps.get(step.id);
  const record: StepRecord = {
    runId: run.id,
    id: step.id,
    status: step.status,
    name: step.name ?? null,
    input: copyOptionalJson(step.input),
    output: copyOptionalJson(step.output),
    error: copyOptionalJson(step.error),
    position: previous ? previous.position : run.steps.size,
    createdAt: previous ? previous.createdAt : now,
    updatedAt: now,
  };
  run.steps.set(step.id, record);
  return record;
}

function putSnapshot(run: StoredRun, atSequence: number, state: Json, now: number): SnapshotRecord {
  const record: SnapshotRecord = { runId: run.id, atSequence, state: copyJson(state), createdAt: now };
  if (run.snapshot === null || atSequence >= run.snapshot.atSequence) run.snapshot = record;
  return record;
}

/** Sets a member even when its name is "__proto__" (a JSON key like any other). */
function setMember(target: JsonObject, key: string, value: Json): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function toRunRecord(run: StoredRun): RunRecord {
  return {
    id: run.id,
    workflowId: run.workflowId,
    version: run.version,
    status: run.status,
    input: copyJson(run.input),
    context: copyJson(run.context),
    createdAt: run.createdAt,
    updatedAt: run.updatedAt,
    completedAt: run.completedAt,
  };
}

function copyDefinition(record: DefinitionRecord): DefinitionRecord {
  return { ...record, spec: copyJson(record.spec) };
}

function copyStep(record: StepRecord): StepRecord {
  return { ...record, input: copyJson(record.input), output: copyJson(record.output), error: copyJson(record.error) };
}

function copyEvent(record: EventRecord): EventRecord {
  return { ...record, payload: copyJson(record.payload) };
}

function copySnapshot(record: SnapshotRecord): SnapshotRecord {
  return { ...record, state: copyJson(record.state) };
}
