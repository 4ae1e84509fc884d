/**
 * The model of one tenant's WorkflowStore data: definitions, runs, steps, the event log, durable
 * snapshots and the keys runs claim (SPEC W1–W10, W12–W15). Plain arrays scanned linearly: clarity over speed.
 *
 * Inputs are assumed valid (SPEC C1 is core's job and has its own property); every operation takes
 * `now` and returns the outcome a conforming backend must produce.
 */
import {
  type ClaimKeyInput,
  type CreateRunInput,
  type CreateRunOptions,
  type CreateRunResult,
  type DefinitionInput,
  type DefinitionRecord,
  type EventInput,
  type EventRecord,
  type Json,
  type KeyHolder,
  type ListOrder,
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
} from "@mooring/core";
import { copy, jsonEqual } from "./json.js";
import { ok, type Outcome, rejected, valueOf as valueOfModel } from "./outcome.js";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface RunEntry {
  run: Mutable<RunRecord>;
  steps: StepRecord[];
  events: EventRecord[];
  /** One per `atSequence`, in write order. */
  snapshots: SnapshotRecord[];
}

/** A claimed key (SPEC W15). */
interface KeyEntry {
  key: string;
  runId: string;
  value: Json;
  untilTerminal: boolean;
}

export interface RunsState {
  definitions: DefinitionRecord[];
  /** In creation order (SPEC W5). */
  runs: RunEntry[];
  /** The tenant's claimed keys (SPEC W15), each held by one run. */
  keys: KeyEntry[];
}

/** A run creation input whose id is known: the caller's, or the one the backend generated. */
export interface ModelCreateRunInput extends CreateRunInput {
  readonly id: string;
}

export class RunsModel {
  #state: RunsState = { definitions: [], runs: [], keys: [] };

  checkpoint(): RunsState {
    return copy(this.#state);
  }

  rollback(state: RunsState): void {
    this.#state = state;
  }

  // -------------------------------------------------------------------------------------------
  // Definitions (SPEC W1)

  putDefinition(input: DefinitionInput, now: number): Outcome<PutDefinitionResult> {
    const existing = this.#state.definitions.find((d) => d.id === input.id && d.version === input.version);
    if (existing) {
      return jsonEqual(existing.spec, input.spec) ? ok({ definition: copy(existing), created: false }) : rejected("CONFLICT");
    }
    const definition: DefinitionRecord = { id: input.id, version: input.version, spec: copy(input.spec), createdAt: now };
    this.#state.definitions.push(definition);
    return ok({ definition: copy(definition), created: true });
  }

  getDefinition(id: string, version: string): DefinitionRecord | null {
    const found = this.#state.definitions.find((d) => d.id === id && d.version === version);
    return found ? copy(found) : null;
  }

  listDefinitions(id: string): DefinitionRecord[] {
    return copy(this.#state.definitions.filter((d) => d.id === id));
  }

  // -------------------------------------------------------------------------------------------
  // Runs (SPEC W2–W5)

  /**
   * `ifExists: "replace"` keeps nothing of the old run (its keys are released): the new run is
   * created now, so it also lists at the end of the creation order. With `events` (W12) the run
   * and its events are one write; with `claimKeys` (W15) a key another run holds rejects it all.
   */
  createRun(
    input: ModelCreateRunInput,
    options: CreateRunOptions | undefined,
    now: number,
  ): Outcome<CreateRunResult> {
    const ifExists = options?.ifExists ?? "return";
    const existing = this.#entry(input.id);
    const withSequences = (result: CreateRunResult, sequences: number[]): CreateRunResult =>
      options?.events === undefined ? result : { ...result, sequences };
    if (existing) {
      if (ifExists === "return") return ok(withSequences({ run: copy(existing.run), created: false }, []));
      if (ifExists === "error") return rejected("CONFLICT");
    }
    if (this.keyHeldByAnother(input.id, options?.claimKeys ?? []) !== null) return rejected("CONFLICT");
    if (existing) this.#remove(existing);
    const run: RunRecord = {
      id: input.id,
      workflowId: input.workflowId,
      version: input.version,
      status: "pending",
      input: copy(input.input ?? null),
      context: copy(input.context ?? {}),
      createdAt: now,
      updatedAt: now,
      completedAt: null,
    };
    this.#state.runs.push({ run, steps: [], events: [], snapshots: [] });
    const sequences = options?.events === undefined ? [] : valueOfModel(this.appendEvents(input.id, options.events, undefined, now));
    if (options?.claimKeys !== undefined) this.applyKeys(input.id, options.claimKeys, []);
    return ok(withSequences({ run: copy(run), created: true }, sequences));
  }

  getRun(id: string): RunRecord | null {
    const entry = this.#entry(id);
    return entry ? copy(entry.run) : null;
  }

  /** The outcome of moving `id` to `status` without applying it (shared with `commit`). */
  checkStatusMove(id: string, status: RunStatus, expected?: RunStatus): Outcome<RunRecord> {
    const entry = this.#entry(id);
    if (!entry) return rejected("NOT_FOUND");
    const current = entry.run.status;
    if (TERMINAL_RUN_STATUSES.has(current)) return rejected("CONFLICT");
    if (expected !== undefined && expected !== current) return rejected("CONFLICT");
    if (!RUN_TRANSITIONS[current].includes(status)) return rejected("INVALID_STATE");
    return ok(copy(entry.run));
  }

  setRunStatus(id: string, status: RunStatus, options: { readonly expected?: RunStatus } | undefined, now: number): Outcome<RunRecord> {
    const check = this.checkStatusMove(id, status, options?.expected);
    if (!check.ok) return check;
    const entry = this.#mustEntry(id);
    entry.run.status = status;
    entry.run.updatedAt = now;
    if (TERMINAL_RUN_STATUSES.has(status)) {
      entry.run.completedAt = now;
      this.#releaseTerminalKeys(id);
    }
    return ok(copy(entry.run));
  }

  setContext(id: string, context: ValueObject, now: number): Outcome<RunRecord> {
    const entry = this.#entry(id);
    if (!entry) return rejected("NOT_FOUND");
    entry.run.context = copy(context);
    entry.run.updatedAt = now;
    return ok(copy(entry.run));
  }

  appendToContext(id: string, key: string, value: Value, now: number): Outcome<RunRecord> {
    const entry = this.#entry(id);
    if (!entry) return rejected("NOT_FOUND");
    const current = Object.hasOwn(entry.run.context, key) ? entry.run.context[key] : undefined;
    if (current !== undefined && !Array.isArray(current)) return rejected("INVALID_STATE");
    entry.run.context = { ...entry.run.context, [key]: [...(current ?? []), copy(value)] };
    entry.run.updatedAt = now;
    return ok(copy(entry.run));
  }

  /** Every run of the status and workflow (or all), in creation order or newest first (W14); the caller pages through it. */
  listRuns(status?: RunStatus, workflowId?: string, order: ListOrder = "asc"): RunRecord[] {
    const runs = this.#state.runs
      .filter((entry) => (status === undefined || entry.run.status === status) && (workflowId === undefined || entry.run.workflowId === workflowId))
      .map((entry) => entry.run);
    return copy(order === "desc" ? runs.reverse() : runs);
  }

  /** The run goes with everything under it, its keys included (W5, W15). */
  deleteRun(id: string): boolean {
    const entry = this.#entry(id);
    if (!entry) return false;
    this.#remove(entry);
    return true;
  }

  // -------------------------------------------------------------------------------------------
  // Claimed keys (SPEC W15)

  /** The first of `claims` a run other than `runId` holds, or null. */
  keyHeldByAnother(runId: string, claims: readonly ClaimKeyInput[]): string | null {
    const taken = claims.find((claim) => this.#state.keys.some((held) => held.key === claim.key && held.runId !== runId));
    return taken === undefined ? null : taken.key;
  }

  /** Releases the keys of `release` the run holds, then claims `claims` (checked by `keyHeldByAnother`). */
  applyKeys(runId: string, claims: readonly ClaimKeyInput[], release: readonly string[]): void {
    const replaced = new Set([...release, ...claims.map((claim) => claim.key)]);
    this.#state.keys = this.#state.keys.filter((held) => !(held.runId === runId && replaced.has(held.key)));
    for (const claim of claims) {
      this.#state.keys.push({ key: claim.key, runId, value: copy(claim.value ?? null), untilTerminal: claim.untilTerminal === true });
    }
    const entry = this.#entry(runId);
    if (entry && TERMINAL_RUN_STATUSES.has(entry.run.status)) this.#releaseTerminalKeys(runId);
  }

  lookupKey(key: string): KeyHolder | null {
    const held = this.#state.keys.find((entry) => entry.key === key);
    return held ? { runId: held.runId, value: copy(held.value) } : null;
  }

  #releaseTerminalKeys(runId: string): void {
    this.#state.keys = this.#state.keys.filter((held) => !(held.runId === runId && held.untilTerminal));
  }

  #remove(entry: RunEntry): void {
    this.#state.runs = this.#state.runs.filter((other) => other !== entry);
    this.#state.keys = this.#state.keys.filter((held) => held.runId !== entry.run.id);
  }

  // -------------------------------------------------------------------------------------------
  // Steps (SPEC W6)

  upsertStep(runId: string, step: StepInput, now: number): Outcome<StepRecord> {
    const entry = this.#entry(runId);
    if (!entry) return rejected("NOT_FOUND");
    const index = entry.steps.findIndex((s) => s.id === step.id);
    const previous = entry.steps[index];
    const record: StepRecord = {
      runId,
      id: step.id,
      status: step.status,
      name: step.name ?? null,
      input: copy(step.input ?? null),
      output: copy(step.output ?? null),
      error: copy(step.error ?? null),
      position: previous ? previous.position : entry.steps.length,
      createdAt: previous ? previous.createdAt : now,
      updatedAt: now,
    };
    if (previous) entry.steps[index] = record;
    else entry.steps.push(record);
    return ok(copy(record));
  }

  getStep(runId: string, stepId: string): StepRecord | null {
    const found = this.#entry(runId)?.steps.find((s) => s.id === stepId);
    return found ? copy(found) : null;
  }

  listSteps(runId: string): StepRecord[] {
    return copy(this.#entry(runId)?.steps ?? []);
  }

  // -------------------------------------------------------------------------------------------
  // Event log (SPEC W7–W9)

  /** `expectedSequence` is checked after the run's existence, event ids (W15) after it. */
  appendEvents(runId: string, events: readonly EventInput[], options: { readonly expectedSequence?: number } | undefined, now: number): Outcome<number[]> {
    const entry = this.#entry(runId);
    if (!entry) return rejected("NOT_FOUND");
    if (options?.expectedSequence !== undefined && options.expectedSequence !== entry.events.length) {
      return rejected("SEQUENCE_CONFLICT");
    }
    if (this.hasEventId(runId, events)) return rejected("CONFLICT");
    const sequences: number[] = [];
    for (const event of events) {
      const sequence = entry.events.length + 1;
      const record: EventRecord = { runId, sequence, type: event.type, payload: copy(event.payload ?? null), createdAt: now };
      entry.events.push(event.id === undefined ? record : { ...record, id: event.id });
      sequences.push(sequence);
    }
    return ok(sequences);
  }

  /** Whether one of `events` carries an id the run's log already has (W15). */
  hasEventId(runId: string, events: readonly EventInput[]): boolean {
    const log = this.#entry(runId)?.events ?? [];
    return events.some((event) => event.id !== undefined && log.some((logged) => logged.id === event.id));
  }

  /** W9, W14: (after, before), ascending or descending; `limit` from the start of that order. */
  readEvents(runId: string, options: ReadEventsOptions = {}): EventRecord[] {
    const after = options.after ?? 0;
    const before = options.before ?? Number.POSITIVE_INFINITY;
    const events = (this.#entry(runId)?.events ?? []).filter((event) => event.sequence > after && event.sequence < before);
    if (options.order === "desc") events.reverse();
    return copy(options.limit === undefined ? events : events.slice(0, options.limit));
  }

  getEvent(runId: string, eventId: string): EventRecord | null {
    const found = this.#entry(runId)?.events.find((event) => event.id === eventId);
    return found ? copy(found) : null;
  }

  /** Sequences are 1..n, so the latest is the log's length. */
  latestSequence(runId: string): number {
    return this.#entry(runId)?.events.length ?? 0;
  }

  // -------------------------------------------------------------------------------------------
  // Durable snapshots (SPEC W10)

  writeSnapshot(runId: string, snapshot: SnapshotInput, now: number): Outcome<SnapshotRecord> {
    const entry = this.#entry(runId);
    if (!entry) return rejected("NOT_FOUND");
    if (snapshot.atSequence > entry.events.length) return rejected("INVALID_STATE");
    const record: SnapshotRecord = { runId, atSequence: snapshot.atSequence, state: copy(snapshot.state), createdAt: now };
    entry.snapshots = [...entry.snapshots.filter((s) => s.atSequence !== snapshot.atSequence), record];
    return ok(copy(record));
  }

  latestSnapshot(runId: string): SnapshotRecord | null {
    let latest: SnapshotRecord | null = null;
    for (const snapshot of this.#entry(runId)?.snapshots ?? []) {
      if (latest === null || snapshot.atSequence > latest.atSequence) latest = snapshot;
    }
    return latest ? copy(latest) : null;
  }

  #entry(id: string): RunEntry | undefined {
    return this.#state.runs.find((entry) => entry.run.id === id);
  }

  #mustEntry(id: string): RunEntry {
    const entry = this.#entry(id);
    if (!entry) throw new Error(`model bug: run ${id} vanished`);
    return entry;
  }
}
