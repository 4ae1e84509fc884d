/**
 * The world a model-based property runs in (SPEC K2): several tenant views of the backend under
 * test, each paired with its model tenant, the maps from model ids to the ids the backend
 * generated, and the leases granted so far. Commands act on one tenant, compare the backend's
 * answer with the model's (value or error code), then compare whole observations of the tenant
 * (or of every tenant), so that a rejected call that wrote something, or a call that touched
 * another tenant, is caught at the step where it happened.
 */
import {
  type Backend,
  executionKey,
  hasCapability,
  type Lease,
  type ManualClock,
  MooringError,
  type Page,
  type Signal,
  type TaskRecord,
} from "@mooring/core";
import type { CheckContext } from "../../registry.js";
import type { Outcome } from "../outcome.js";
import { ReferenceModel } from "../reference-model.js";
import type { TenantModel } from "../tenant.js";
import { brief, ensure, fail, freshScope, same, sameData, type Scope } from "../../checks/support/index.js";

/** Run ids shared by every tenant (T1: the same id in two tenants names two runs). Odd characters on purpose (C1). */
export const RUN_IDS = ["run-1", "run:{2}", "run %*?\\/3 ☃"] as const;
export const DEFINITION_IDS = ["def-1", "def:2"] as const;
/** One id is a prefix of the other: deleting "exec" must leave "exec:{2}" alone (S4). */
export const EXECUTION_IDS = ["exec", "exec:{2}"] as const;
/** Plain keys and keys owned by the executions above, so that deleteExecutionState has work (S4). */
export const KV_KEYS = ["key-1", "key:{2}*", executionKey("exec", "a"), executionKey("exec", "b"), executionKey("exec:{2}", "a")] as const;
export const QUEUES = ["queue-1", "queue:{2}"] as const;
export const SIGNAL_KEYS = ["signal-a", "signal:{b}", "signal c"] as const;
/** Keys runs claim (W15), with the characters of a Redis hash tag and a glob. */
export const CLAIM_KEYS = ["hook-1", "hook:{2}", "hook *3"] as const;
/** Caller event ids (W15): few, so that repeats are frequent. */
export const EVENT_IDS = ["evt-1", "evt:{2}"] as const;
/** Workflow ids of runs, for listing by workflow (W14). */
export const WORKFLOW_IDS = ["wf", "wf:{2}"] as const;

/**
 * The parts of a tenant's state compared after each command. Each needs the capabilities it reads:
 * "runs" (runs, steps, listRuns) and "definitions" need `runs`, "events" (each run's log and latest
 * sequence) `events`, "snapshots" (each run's latest snapshot) `snapshots`, "cache" `kv`, "tasks"
 * `leases`, "queues" `queueControl`, "deadLetters" `deadLetter`, "keys" (each claimed key's holder,
 * each run's events by caller id, the runs newest first and per workflow) `runEvents`.
 */
export type Observation = "runs" | "events" | "snapshots" | "definitions" | "cache" | "tasks" | "queues" | "deadLetters" | "keys";

/**
 * A bijection between the ids the model gives (tasks, signals) and the ones the backend generated.
 * Binding a model id twice, or two model ids to one real id, is a contract failure (two tasks
 * sharing an id, an idempotent enqueue returning another task's id).
 */
export class IdMap {
  readonly #kind: string;
  readonly #toReal = new Map<string, string>();
  readonly #toModel = new Map<string, string>();

  constructor(kind: string) {
    this.#kind = kind;
  }

  bind(modelId: string, realId: string): void {
    const real = this.#toReal.get(modelId);
    const model = this.#toModel.get(realId);
    if (real === realId && model === modelId) return;
    ensure(real === undefined, `${this.#kind} ${modelId} is ${real} but the backend now calls it ${realId}`);
    ensure(model === undefined, `the backend gave ${this.#kind} id ${realId} to both ${model} and ${modelId}`);
    this.#toReal.set(modelId, realId);
    this.#toModel.set(realId, modelId);
  }

  hasReal(realId: string): boolean {
    return this.#toModel.has(realId);
  }

  /** The real id of a model id the backend has already answered with. */
  real(modelId: string): string {
    const real = this.#toReal.get(modelId);
    if (real === undefined) throw new Error(`harness bug: ${this.#kind} ${modelId} was never bound`);
    return real;
  }

  /** The model id of a real id; an id the backend never reported reads as such, so comparisons fail on it. */
  model(realId: string): string {
    return this.#toModel.get(realId) ?? `<${this.#kind} id the backend never returned: ${realId}>`;
  }
}

/** A lease as the model granted it and as the backend did (or both forged the same way). */
export interface HeldLease {
  readonly model: Lease;
  readonly real: Lease;
}

export interface TenantSlot {
  readonly index: number;
  readonly backend: Backend;
  readonly model: TenantModel;
  readonly tasks: IdMap;
  readonly signals: IdMap;
  /** The model's lease ids and the backend's (SPEC T4): a bijection, so every lease gets its own. */
  readonly leaseIds: IdMap;
  readonly leases: HeldLease[];
}

/**
 * What the check put in the root view's tenant ("default") before its runs: data under the very
 * names the commands use, so that a view that reads, counts or changes another tenant's data
 * (SPEC T1, §10.9) shows it in its own observations.
 */
export interface Bystander {
  /** Ids of tasks that exist in the root view's tenant and in no tenant of a world. */
  readonly taskIds: readonly string[];
}

/** Fills the root view's tenant with runs, events, values, snapshots, tasks and buffered signals under the shared names. */
export async function seedBystander(root: Backend): Promise<Bystander> {
  const declared = (name: Parameters<typeof hasCapability>[1]): boolean => hasCapability(root.capabilities, name);
  for (const id of RUN_IDS) {
    if (!declared("runs")) break;
    // The bystander's runs hold every key and use every event id (W15), which no world may see.
    const claimKeys = declared("runEvents") && id === RUN_IDS[0] ? { claimKeys: CLAIM_KEYS.map((key) => ({ key, value: "bystander" })) } : {};
    await root.workflows.createRun({ id, workflowId: "bystander", version: "1" }, { ifExists: "replace", ...claimKeys });
    if (declared("events")) {
      const ids = declared("runEvents") ? EVENT_IDS.map((eventId) => ({ type: "bystander", id: eventId })) : [{ type: "bystander" }];
      await root.workflows.appendEvents(id, ids);
    }
  }
  for (const key of KV_KEYS) if (declared("kv")) await root.state.set(key, new Uint8Array([42]));
  for (const id of EXECUTION_IDS) if (declared("kv")) await root.state.saveSnapshot({ executionId: id, sequence: 9, state: "bystander" });
  const taskIds: string[] = [];
  for (const queue of QUEUES) {
    if (!declared("leases")) break;
    taskIds.push((await root.engine.enqueue({ queue, payload: "bystander" })).id);
  }
  for (const key of SIGNAL_KEYS) if (declared("signals")) await root.engine.signal({ key, payload: "bystander" });
  return { taskIds };
}

export interface WorldOptions {
  readonly tenants: number;
  readonly observe: readonly Observation[];
  /** Compare every tenant after each command (T1), not only the one the command addressed. */
  readonly observeAllTenants?: boolean;
  readonly bystander: Bystander;
}

export class PropertyWorld {
  readonly clock: ManualClock;
  readonly slots: readonly TenantSlot[];
  readonly bystander: Bystander;
  readonly #options: WorldOptions;

  readonly #scopes: readonly Scope[];

  private constructor(context: CheckContext, options: WorldOptions, scopes: readonly Scope[]) {
    const reference = new ReferenceModel();
    this.clock = context.clock;
    this.bystander = options.bystander;
    this.#options = options;
    this.#scopes = scopes;
    this.slots = scopes.map((scope, index) => ({
      index,
      backend: scope.backend,
      // Keyed by slot: two namespaces' root views share the tenant id "default".
      model: reference.tenant(`slot-${index}`),
      tasks: new IdMap("task"),
      signals: new IdMap("signal"),
      leaseIds: new IdMap("leaseId"),
      leases: [],
    }));
  }

  /**
   * A world of `options.tenants` empty slots: fresh tenants where the backend declares `tenancy`
   * (so one backend serves every run of a property), else fresh namespaces. `release` it after the run.
   */
  static async open(context: CheckContext, options: WorldOptions): Promise<PropertyWorld> {
    const scopes: Scope[] = [];
    for (let index = 0; index < options.tenants; index++) scopes.push(await freshScope(context, `model-t${index}`));
    return new PropertyWorld(context, options, scopes);
  }

  /** Closes the namespaces the world opened. */
  async release(): Promise<void> {
    for (const scope of this.#scopes) await scope.release();
  }

  now(): number {
    return this.clock.now();
  }

  slot(index: number): TenantSlot {
    const slot = this.slots[index % this.slots.length];
    if (!slot) throw new Error("harness bug: a world without tenants");
    return slot;
  }

  /** Compares the observations of the addressed tenant (or all of them) with the model. */
  async verify(slot: TenantSlot, after: string): Promise<void> {
    await this.#verifySlots(this.#options.observeAllTenants ? this.slots : [slot], after);
  }

  /** Compares the observations of every tenant with the model. */
  async verifyAll(after: string): Promise<void> {
    await this.#verifySlots(this.slots, after);
  }

  async #verifySlots(slots: readonly TenantSlot[], after: string): Promise<void> {
    await verifyTenants(slots, this.#options.observe, this.now(), after);
  }
}

// ---------------------------------------------------------------------------------------------
// Comparing one call

export type Observed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly code: string; readonly error: unknown };

/** Runs a backend call and records its value or its error code (C4: only MooringErrors are allowed). */
export async function observe<T>(call: () => Promise<T>): Promise<Observed<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    const code = MooringError.is(error) ? error.code : `a non-Mooring error (${error instanceof Error ? error.message : String(error)})`;
    return { ok: false, code, error };
  }
}

/**
 * Asserts that the backend answered as the model predicts: the same error code, or success with a
 * value equal (after `toModel` maps real ids to model ids) to the model's.
 */
export function sameOutcome<R, M>(observed: Observed<R>, expected: Outcome<M>, what: string, toModel: (value: R) => unknown = (value) => value): void {
  if (expected.ok && observed.ok) {
    sameData(toModel(observed.value), expected.value, `${what} (the backend's observation vs the model's)`);
  } else if (expected.ok) {
    fail(`${what}: the model expects success (${brief(expected.value, 400)}), the backend threw ${observed.ok ? "" : observed.code}: ${errorMessage(observed)}`);
  } else if (observed.ok) {
    fail(`${what}: the model expects ${expected.code}, the backend succeeded with ${brief(observed.value, 400)}`);
  } else {
    same(observed.code, expected.code, `${what}: the model expects ${expected.code}, the backend threw ${observed.code}: ${errorMessage(observed)}`);
  }
}

function errorMessage(observed: Observed<unknown>): string {
  return !observed.ok && observed.error instanceof Error ? observed.error.message : "";
}

// ---------------------------------------------------------------------------------------------
// Mapping real ids to model ids

/** A task record as compared: every field but `updatedAt`. */
export type ComparedTask = Omit<TaskRecord, "updatedAt">;

/**
 * A task's `updatedAt` is not compared: no rule says whether a change of effective state (a
 * scheduled task whose runAt came) moves it, so a backend that materializes such changes lazily
 * on reads and one that does not are both conforming.
 */
export function comparedTask(task: TaskRecord | null): ComparedTask | null {
  if (task === null) return null;
  const { updatedAt: _ignored, ...rest } = task;
  return rest;
}

/** The backend's task record in model ids, as compared. */
export function taskToModel(slot: TenantSlot, task: TaskRecord | null): ComparedTask | null {
  if (task === null) return null;
  return comparedTask({ ...task, id: slot.tasks.model(task.id), pendingDependencies: task.pendingDependencies.map((id) => slot.tasks.model(id)) });
}

export function signalToModel(slot: TenantSlot, signal: Signal): Signal {
  return { ...signal, signalId: slot.signals.model(signal.signalId) };
}

/**
 * A lease in model ids (its task and its leaseId). `signals` and `timedOut` are compared only where
 * the model has them: a lease that resumes nothing may omit both, and an empty `signals` equals an
 * absent one.
 */
export function leaseToModel(slot: TenantSlot, lease: Lease): Lease {
  const { signals, timedOut, ...rest } = lease;
  return {
    ...rest,
    taskId: slot.tasks.model(lease.taskId),
    leaseId: slot.leaseIds.model(lease.leaseId),
    ...(signals !== undefined && signals.length > 0 ? { signals: signals.map((signal) => signalToModel(slot, signal)) } : {}),
    ...(timedOut === true ? { timedOut } : {}),
  };
}

export function modelLease(lease: Lease): Lease {
  const { signals, timedOut, ...rest } = lease;
  return { ...rest, ...(signals !== undefined && signals.length > 0 ? { signals } : {}), ...(timedOut === true ? { timedOut } : {}) };
}

// ---------------------------------------------------------------------------------------------
// Whole-tenant observations

const PAGE = 2;

/** Every item of a paginated list, walked with a small page so that cursors are exercised (C5). */
export async function allPages<T>(list: (cursor: string | null) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 10_000; pages++) {
    const page: Page<T> = await list(cursor);
    items.push(...page.items);
    if (page.cursor === null) return items;
    cursor = page.cursor;
  }
  throw new Error("a list returned a cursor on 10,000 pages in a row");
}

/** One comparison of an observation: the backend's answer, still coming, and what the model expects. */
interface Comparison {
  readonly actual: Promise<unknown>;
  readonly expected: unknown;
  readonly what: string;
}

/**
 * Compares every observation of `slots` with the model. The reads are read-only and nothing writes
 * while they run, so they are all sent at once (a backend pipelines or pools them) and compared in
 * their fixed order afterwards: the first mismatch or failed read reported is the same every run.
 */
async function verifyTenants(slots: readonly TenantSlot[], parts: readonly Observation[], now: number, after: string): Promise<void> {
  const comparisons = slots.flatMap((slot) => observations(slot, parts, now, `after ${after}, tenant #${slot.index}`));
  const answers = await Promise.allSettled(comparisons.map((comparison) => comparison.actual));
  comparisons.forEach((comparison, index) => sameData(settledValue(answers[index]), comparison.expected, comparison.what));
}

/** A settled read's value; its error, thrown, when it failed. */
function settledValue<T>(answer: PromiseSettledResult<T> | undefined): T | undefined {
  if (answer?.status === "rejected") throw answer.reason;
  return answer?.value;
}

/** The comparisons of one tenant's observed `parts`, their reads started. */
function observations(slot: TenantSlot, parts: readonly Observation[], now: number, what: string): Comparison[] {
  const { backend, model } = slot;
  const comparisons: Comparison[] = [];
  const compare = (actual: Promise<unknown>, expected: unknown, about: string): void => {
    comparisons.push({ actual, expected, what: `${what}: ${about}` });
  };
  /** The values of `calls` (all started), as one object with their names; a failure reported is the first in their order. */
  const record = async (calls: Readonly<Record<string, Promise<unknown>>>): Promise<Record<string, unknown>> => {
    const names = Object.keys(calls);
    const settled = await Promise.allSettled(Object.values(calls));
    return Object.fromEntries(settled.map((answer, index) => [names[index], settledValue(answer)]));
  };
  for (const part of parts) {
    switch (part) {
      case "definitions":
        for (const id of DEFINITION_IDS) compare(backend.workflows.listDefinitions(id), model.runs.listDefinitions(id), `listDefinitions(${id})`);
        break;
      case "runs": {
        // One comparison per run, of every part observed (the log and the snapshot where observed too).
        const events = parts.includes("events");
        const snapshots = parts.includes("snapshots");
        for (const id of RUN_IDS) {
          compare(
            record({
              run: backend.workflows.getRun(id),
              ...(events ? { latestSequence: backend.workflows.latestSequence(id), events: backend.workflows.readEvents(id) } : {}),
              ...(snapshots ? { snapshot: backend.workflows.latestSnapshot(id) } : {}),
              steps: backend.workflows.listSteps(id),
            }),
            {
              run: model.runs.getRun(id),
              ...(events ? { latestSequence: model.runs.latestSequence(id), events: model.runs.readEvents(id) } : {}),
              ...(snapshots ? { snapshot: model.runs.latestSnapshot(id) } : {}),
              steps: model.runs.listSteps(id),
            },
            `run ${id}`,
          );
        }
        compare(allPages((cursor) => backend.workflows.listRuns({ limit: PAGE, cursor })), model.runs.listRuns(), "listRuns");
        break;
      }
      case "events":
      case "snapshots":
        // Compared with their run, under "runs".
        break;
      case "keys": {
        compare(
          record(Object.fromEntries(CLAIM_KEYS.map((key) => [key, backend.workflows.lookupKey(key)]))),
          Object.fromEntries(CLAIM_KEYS.map((key) => [key, model.runs.lookupKey(key)])),
          "lookupKey of every key",
        );
        for (const id of RUN_IDS) {
          for (const eventId of EVENT_IDS) compare(backend.workflows.getEvent(id, eventId), model.runs.getEvent(id, eventId), `getEvent(${id}, ${eventId})`);
        }
        compare(allPages((cursor) => backend.workflows.listRuns({ limit: PAGE, cursor, order: "desc" })), model.runs.listRuns(undefined, undefined, "desc"), "listRuns newest first");
        for (const workflowId of WORKFLOW_IDS) {
          compare(
            allPages((cursor) => backend.workflows.listRuns({ limit: PAGE, cursor, workflowId })),
            model.runs.listRuns(undefined, workflowId),
            `listRuns of workflow ${workflowId}`,
          );
        }
        break;
      }
      case "cache": {
        compare(
          record(Object.fromEntries(KV_KEYS.map((key) => [key, backend.state.get(key)]))),
          Object.fromEntries(KV_KEYS.map((key) => [key, model.cache.get(key, now)])),
          "KV values",
        );
        for (const id of EXECUTION_IDS) compare(backend.state.loadSnapshot(id), model.cache.loadSnapshot(id, now), `loadSnapshot(${id})`);
        compare(allPages((cursor) => backend.state.listSnapshots({ limit: PAGE, cursor })), model.cache.listSnapshots(now), "listSnapshots");
        break;
      }
      case "tasks":
        for (const id of model.tasks.taskIds()) {
          compare(
            backend.engine.getTask(slot.tasks.real(id)).then((task) => taskToModel(slot, task)),
            comparedTask(model.tasks.getTask(id, now)),
            `getTask(${id})`,
          );
        }
        break;
      case "queues":
        for (const queue of QUEUES) compare(backend.engine.queueStats(queue), model.tasks.queueStats(queue, now), `queueStats(${queue})`);
        break;
      case "deadLetters":
        compare(
          allPages((cursor) => backend.engine.listDeadLetters({ limit: PAGE, cursor })).then((tasks) => tasks.map((task) => taskToModel(slot, task))),
          model.tasks.listDeadLetters(undefined, now).map(comparedTask),
          "listDeadLetters",
        );
        break;
    }
  }
  return comparisons;
}
