/**
 * WorkflowStore of the memory backend (SPEC W1–W16): definitions, runs, steps, the event log,
 * durable snapshots and the keys runs claim, of one tenant. Every call checks everything before its first write and writes
 * without yielding, so it happens whole or not at all (C2) and concurrent calls serialize: event
 * sequences are per run, from 1, gap-free (W7), and of k writers with the same expectedSequence
 * exactly one wins (W8).
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
  jsonEqual,
  type KeyHolder,
  type ListRunsRequest,
  MooringError,
  contextNotArrayDetails,
  definitionConflictDetails,
  eventIdConflictDetails,
  keyHeldDetails,
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
  type Value,
  type ValueObject,
  type WaitForEventsOptions,
  type WorkflowStore,
} from "@mooring/core";
import type { FacetContext } from "./context.js";
import { copyJson, copyOptionalJson } from "./copy.js";
import { pageOf } from "./cursor.js";
import { notFound } from "./errors.js";
import { Effects, logTopic } from "./notifications.js";
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
  /** Caller event id → sequence (W15). */
  readonly eventIds = new Map<string, number>();
  /** The keys this run holds (W15). */
  readonly keys = new Set<string>();

  constructor(
    readonly id: string,
    readonly seq: number,
    readonly workflowId: string,
    readonly version: string,
    readonly input: Json,
    public context: ValueObject,
    readonly createdAt: number,
  ) {
    this.updatedAt = createdAt;
  }
}

/** A claimed key (W15). */
interface HeldKey {
  readonly runId: string;
  readonly value: Json;
  readonly untilTerminal: boolean;
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
  /** Creation order of the runs of each workflow (W14). */
  readonly byWorkflow = new Map<string, SortedList<number>>();
  /** Claimed keys of the tenant (W15): key → its holder. */
  readonly keys = new Map<string, HeldKey>();
  #seq = 0;

  nextSeq(): number {
    return ++this.#seq;
  }

  add(run: StoredRun): void {
    this.runs.set(run.id, run);
    this.bySeq.set(run.seq, run);
    this.order.add(run.seq);
    this.#statusIndex(run.status).add(run.seq);
    let byWorkflow = this.byWorkflow.get(run.workflowId);
    if (!byWorkflow) this.byWorkflow.set(run.workflowId, (byWorkflow = new SortedList(compareNumbers)));
    byWorkflow.add(run.seq);
  }

  /** Removes the run and releases its keys (W5, W15). */
  remove(run: StoredRun): void {
    this.runs.delete(run.id);
    this.bySeq.delete(run.seq);
    this.order.delete(run.seq);
    this.#statusIndex(run.status).delete(run.seq);
    const byWorkflow = this.byWorkflow.get(run.workflowId);
    byWorkflow?.delete(run.seq);
    if (byWorkflow?.size === 0) this.byWorkflow.delete(run.workflowId);
    for (const key of run.keys) this.keys.delete(key);
    run.keys.clear();
  }

  /** Moves the run to `status`; a terminal status releases the keys claimed `untilTerminal` (W15). */
  setStatus(run: StoredRun, status: RunStatus, now: number): void {
    this.#statusIndex(run.status).delete(run.seq);
    run.status = status;
    this.#statusIndex(status).add(run.seq);
    run.updatedAt = now;
    if (TERMINAL_RUN_STATUSES.has(status)) {
      run.completedAt = now;
      this.releaseTerminalKeys(run);
    }
  }

  /** The first of `claims` another run holds, or null (W15: the holder may claim its keys again). */
  heldByAnother(run: { readonly id: string }, claims: readonly ClaimKeyInput[]): { key: string; heldBy: string } | null {
    for (const claim of claims) {
      const holder = this.keys.get(claim.key);
      if (holder !== undefined && holder.runId !== run.id) return { key: claim.key, heldBy: holder.runId };
    }
    return null;
  }

  /** Releases the keys of `release` that the run holds, then claims `claims` (checked by `heldByAnother`). */
  applyKeys(run: StoredRun, claims: readonly ClaimKeyInput[], release: readonly string[]): void {
    for (const key of release) {
      if (!run.keys.delete(key)) continue;
      this.keys.delete(key);
    }
    for (const claim of claims) {
      this.keys.set(claim.key, { runId: run.id, value: copyOptionalJson(claim.value), untilTerminal: claim.untilTerminal === true });
      run.keys.add(claim.key);
    }
    if (TERMINAL_RUN_STATUSES.has(run.status)) this.releaseTerminalKeys(run);
  }

  releaseTerminalKeys(run: StoredRun): void {
    for (const key of [...run.keys]) {
      if (this.keys.get(key)?.untilTerminal !== true) continue;
      this.keys.delete(key);
      run.keys.delete(key);
    }
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

  /** W2, W12, W15: every check (the run, then the keys) before the first write. */
  async createRun(input: CreateRunInput, options: CreateRunOptions = {}): Promise<CreateRunResult> {
    const now = this.#now();
    const id = input.id ?? newId(now);
    const existing = this.#runs.runs.get(id);
    const ifExists = options.ifExists ?? "return";
    const withSequences = (result: CreateRunResult, sequences: number[]): CreateRunResult =>
      options.events === undefined ? result : { ...result, sequences };
    if (existing && ifExists === "return") return withSequences({ run: toRunRecord(existing), created: false }, []);
    if (existing && ifExists === "error") throw new MooringError("CONFLICT", `run ${id} exists`, { details: runExistsDetails(id) });
    // A replaced run's keys are released with it, so the new run may claim them.
    this.#checkKeys(id, options.claimKeys);
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
    const sequences = options.events === undefined ? [] : appendTo(run, options.events, now);
    if (options.claimKeys !== undefined) this.#runs.applyKeys(run, options.claimKeys, []);
    if (sequences.length > 0) this.#announceLogGrowth(run.id);
    return withSequences({ run: toRunRecord(run), created: true }, sequences);
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

  async setContext(id: string, context: ValueObject): Promise<RunRecord> {
    const run = this.#requireRun(id);
    run.context = copyJson(context);
    run.updatedAt = this.#now();
    return toRunRecord(run);
  }

  async appendToContext(id: string, key: string, value: Value): Promise<RunRecord> {
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

  /** W5, W14: the narrowest index (the workflow's, else the status's), the other filter applied per run. */
  async listRuns(request: ListRunsRequest): Promise<Page<RunRecord>> {
    const { status, workflowId } = request;
    const index =
      workflowId !== undefined ? this.#runs.byWorkflow.get(workflowId) : status === undefined ? this.#runs.order : this.#runs.byStatus.get(status);
    const load = (seq: number): RunRecord | undefined => {
      const run = this.#runs.bySeq.get(seq);
      return run && (status === undefined || run.status === status) ? toRunRecord(run) : undefined;
    };
    return request.order === "desc" ? pageOf("runs-desc", index, request, load, true) : pageOf("runs", index, request, load);
  }

  /** W5, W15: the run goes with its steps, events, snapshot and keys. */
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
    checkEventIds(run, events);
    const sequences = appendTo(run, events, this.#now());
    this.#announceLogGrowth(run.id);
    return sequences;
  }

  /** W9, W14: the events in (after, before), ascending or descending, the first `limit` of that order. */
  async readEvents(runId: string, options: ReadEventsOptions = {}): Promise<EventRecord[]> {
    const run = this.#runs.runs.get(runId);
    if (!run) return [];
    const after = options.after ?? 0;
    const before = Math.min(options.before ?? Number.MAX_SAFE_INTEGER, run.events.length + 1);
    if (before <= after + 1) return [];
    const limit = options.limit ?? before - after - 1;
    if (options.order === "desc") {
      const start = Math.max(after, before - 1 - limit);
      return run.events.slice(start, before - 1).reverse().map(copyEvent);
    }
    return run.events.slice(after, Math.min(before - 1, after + limit)).map(copyEvent);
  }

  async getEvent(runId: string, eventId: string): Promise<EventRecord | null> {
    const run = this.#runs.runs.get(runId);
    const sequence = run?.eventIds.get(eventId);
    return run === undefined || sequence === undefined ? null : copyEvent(run.events[sequence - 1] as EventRecord);
  }

  async lookupKey(key: string): Promise<KeyHolder | null> {
    const holder = this.#runs.keys.get(key);
    return holder ? { runId: holder.runId, value: copyJson(holder.value) } : null;
  }

  /** W16: woken by the partition's hub when an append of any client of the store grows the log. */
  async waitForEvents(runId: string, options: WaitForEventsOptions): Promise<boolean> {
    const { hub, client, tenantId } = this.#context;
    return hub.waitForGrowth(client, tenantId, logTopic(runId), options.timeoutMs, options.signal, () => {
      return (this.#runs.runs.get(runId)?.events.length ?? 0) > options.after;
    });
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
   * atSequence, event ids and claimed keys of W15) runs before the first write; then events, steps,
   * context, keys, status, snapshot and the task's settlement are written in one synchronous step.
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
    if (input.events !== undefined) checkEventIds(run, input.events);
    this.#checkKeys(run.id, input.claimKeys);

    const sequences = input.events === undefined ? [] : appendTo(run, input.events, now);
    for (const step of input.steps ?? []) putStep(run, step, now);
    if (input.context !== undefined) {
      run.context = copyJson(input.context);
      run.updatedAt = now;
    }
    if (input.claimKeys !== undefined || input.releaseKeys !== undefined) {
      this.#runs.applyKeys(run, input.claimKeys ?? [], input.releaseKeys ?? []);
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
    if (sequences.length > 0) this.#announceLogGrowth(run.id);
    const result: { -readonly [K in keyof CommitResult]: CommitResult[K] } = {
      sequences,
      latestSequence: run.events.length,
      run: toRunRecord(run),
    };
    if (failure !== undefined) result.failure = failure;
    return result;
  }

  /** W15: CONFLICT, before any write, when another run holds one of `claims`. */
  #checkKeys(runId: string, claims: readonly ClaimKeyInput[] | undefined): void {
    if (claims === undefined) return;
    const held = this.#runs.heldByAnother({ id: runId }, claims);
    if (held === null) return;
    throw new MooringError("CONFLICT", `key ${JSON.stringify(held.key)} is held by run ${held.heldBy}; release it there first or claim another key`, {
      details: keyHeldDetails(runId, held.key, held.heldBy),
    });
  }

  #announceLogGrowth(runId: string): void {
    this.#context.hub.announceGrowth(this.#context.tenantId, logTopic(runId));
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

/** W15: CONFLICT when an event's id is one the run already has (core refuses repeats inside a batch). */
function checkEventIds(run: StoredRun, events: readonly EventInput[]): void {
  for (const event of events) {
    if (event.id === undefined) continue;
    const sequence = run.eventIds.get(event.id);
    if (sequence === undefined) continue;
    throw new MooringError("CONFLICT", `run ${run.id} already has event id ${JSON.stringify(event.id)} (sequence ${sequence}); the append wrote nothing`, {
      details: eventIdConflictDetails(run.id, event.id, sequence),
    });
  }
}

function appendTo(run: StoredRun, events: readonly EventInput[], now: number): number[] {
  const sequences: number[] = [];
  for (const event of events) {
    const sequence = run.events.length + 1;
    const record: EventRecord = { runId: run.id, sequence, type: event.type, payload: copyOptionalJson(event.payload), createdAt: now };
    if (event.id === undefined) run.events.push(record);
    else {
      run.events.push({ ...record, id: event.id });
      run.eventIds.set(event.id, sequence);
    }
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
function setMember(target: ValueObject, key: string, value: Value): void {
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
