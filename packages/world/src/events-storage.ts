/**
 * `events.create`: every World event is one Mooring commit (SPEC W11) that appends the event and
 * rewrites the run's materialized entities (run, steps, hooks, waits: `run-state.ts`) together,
 * checked against the log's latest sequence (W8). A writer that loses the race reads again and
 * re-decides, so two processes writing to one run never both pass a check the other invalidates.
 * Hook tokens are run keys (W15) claimed until the run ends; run_created is `createRun` with its
 * first event (W12).
 *
 * The checks and errors follow what the Workflow runtime expects of a World (the errors of
 * `@workflow/errors`: EntityConflictError for a duplicate or a change to a terminal entity,
 * RunExpiredError, TooEarlyError, HookNotFoundError, WorkflowRunNotFoundError).
 */
import { type ClaimKeyInput, type EventInput, MooringError, type RunRecord, type RunStatus } from "@mooring/core";
import {
  EntityConflictError,
  HookNotFoundError,
  RunExpiredError,
  RunNotSupportedError,
  TooEarlyError,
  WorkflowRunNotFoundError,
  WorkflowWorldError,
} from "@workflow/errors";
import {
  applyAttributeChanges,
  type CreateEventParams,
  type CreateEventRequest,
  type Event,
  type EventResult,
  type RunCreatedEventRequest,
  requiresNewerWorld,
  SPEC_VERSION_CURRENT,
  validateAttributeChanges,
  validateUlidTimestamp,
} from "@workflow/world";
import { type RunState, isTerminalRunStatus, isTerminalStepStatus, stateFromContext, stateToContext } from "./run-state.js";
import { hookEntity, runEntity, stepEntity, waitEntity } from "./entities.js";
import { readEvent, runKey, toEventInput, toWorldEvent, type WorldStore } from "./store.js";

type AnyRequest = CreateEventRequest | RunCreatedEventRequest;

/** What one `events.create` writes, decided from the state it read. */
interface Plan {
  /** The World event the caller asked for (or the hook_conflict it became), last of `events`. */
  readonly eventId: string;
  readonly events: EventInput[];
  readonly next: RunState;
  readonly status?: RunStatus;
  readonly claimKeys?: ClaimKeyInput[];
  readonly releaseKeys?: string[];
  readonly entity: "run" | "step" | "hook" | "wait" | "none";
  readonly correlationId?: string;
  readonly stepCreated?: boolean;
}

/** A hard bound on re-reads after losing a race; each loss means another writer made progress. */
const MAX_SEQUENCE_RETRIES = 1_000;

export function createEventsStorage(store: WorldStore) {
  const workflows = store.backend.workflows;

  async function createRun(runId: string | null, data: RunCreatedEventRequest, params: CreateEventParams | undefined): Promise<EventResult> {
    let id = runId;
    if (id) {
      const invalid = validateUlidTimestamp(id, "wrun_");
      if (invalid) throw new WorkflowWorldError(invalid);
    } else {
      id = store.newId("wrun");
    }
    const { state, events } = newRunState(store, data.eventData, data.specVersion ?? SPEC_VERSION_CURRENT, data.correlationId);
    const created = await workflows.createRun(
      { id, workflowId: data.eventData.workflowName, version: data.eventData.deploymentId, context: stateToContext(state, store.bytes) },
      { ifExists: "return", events },
    );
    if (!created.created) throw new EntityConflictError(`Workflow run "${id}" already exists`);
    store.recent.runs.set(id, { latestSequence: created.sequences?.at(-1) ?? events.length, record: created.run });
    return resultOf(id, state.inputEvent, created.run, state, { entity: "run" }, params);
  }

  /** Resilient start: a run_started carrying the run's input creates the run it names when missing. */
  async function createRunForStart(runId: string, data: CreateEventRequest): Promise<boolean> {
    if (data.eventType !== "run_started" || !data.eventData) return false;
    const input = data.eventData;
    if (!input.deploymentId || !input.workflowName || input.input === undefined) return false;
    validateAttributeChanges(
      Object.entries(input.attributes ?? {}).map(([key, value]) => ({ key, value })),
      { allowReservedAttributes: input.allowReservedAttributes === true },
    );
    const { state, events } = newRunState(
      store,
      { deploymentId: input.deploymentId, workflowName: input.workflowName, input: input.input, executionContext: input.executionContext, attributes: input.attributes },
      data.specVersion ?? SPEC_VERSION_CURRENT,
      undefined,
    );
    await workflows.createRun(
      { id: runId, workflowId: input.workflowName, version: input.deploymentId, context: stateToContext(state, store.bytes) },
      { ifExists: "return", events },
    );
    return true;
  }

  async function create(runId: string | null, data: AnyRequest, params?: CreateEventParams): Promise<EventResult> {
    if (data.eventType === "run_created") return createRun(runId, data, params);
    if (!runId) throw new WorkflowWorldError("runId is required for events other than run_created");
    // The first attempt may start from the run as this process last saw it (`recent.ts`): only a
    // commit is accepted from that guess, since the commit checks its sequence; anything else the
    // guess leads to (an error, a no-op) is decided again on a fresh read.
    let guess = store.recent.runs.get(runId);
    for (let attempt = 0; attempt < MAX_SEQUENCE_RETRIES; attempt++) {
      const guessed = guess !== undefined;
      // The sequence is read before the run, and every write of the state appends an event: a
      // commit expecting this sequence therefore lands only on the state it was planned from.
      const latest = guess?.latestSequence ?? (await workflows.latestSequence(runId));
      const record = guess?.record ?? (await workflows.getRun(runId));
      guess = undefined;
      if (!record) {
        store.recent.runs.delete(runId);
        if (await createRunForStart(runId, data)) continue;
        throw new WorkflowRunNotFoundError(runId);
      }
      if (!guessed) store.recent.runs.set(runId, { latestSequence: latest, record });
      let plan: Plan;
      try {
        const state = stateFromContext(record.context, store.bytes);
        if (!state) throw new WorkflowRunNotFoundError(runId);
        if (requiresNewerWorld(state.specVersion)) throw new RunNotSupportedError(state.specVersion, SPEC_VERSION_CURRENT);

        // A run_started on a running run is idempotent: concurrent deliveries both proceed.
        if (data.eventType === "run_started" && state.status === "running") {
          if (guessed) continue;
          return { run: await runEntity(store, runId, record, state, params?.resolveData ?? "all") };
        }
        const tokenHolder = data.eventType === "hook_created" ? await workflows.lookupKey(runKey("hook-token", data.eventData.token)) : null;
        plan = planEvent(store, runId, state, data, Date.now(), tokenHolder?.runId ?? null);
      } catch (error) {
        if (guessed) continue;
        throw error;
      }
      try {
        const committed = await workflows.commit(runId, {
          expectedSequence: latest,
          events: plan.events,
          context: stateToContext(plan.next, store.bytes),
          ...(plan.status !== undefined && plan.status !== record.status ? { status: plan.status } : {}),
          ...(plan.claimKeys?.length ? { claimKeys: plan.claimKeys } : {}),
          ...(plan.releaseKeys?.length ? { releaseKeys: plan.releaseKeys } : {}),
        });
        store.recent.runs.set(runId, { latestSequence: committed.latestSequence, record: committed.run });
        return resultOf(runId, plan.eventId, committed.run, plan.next, plan, params);
      } catch (error) {
        store.recent.runs.delete(runId);
        if (guessed || MooringError.is(error, "SEQUENCE_CONFLICT")) continue;
        if (MooringError.is(error, "CONFLICT")) {
          // A hook token another run took between our lookup and our commit: decide again, seeing it.
          const key = (error as MooringError).details.key;
          if (data.eventType === "hook_created" && key === runKey("hook-token", data.eventData.token)) continue;
          throw new EntityConflictError(`${data.eventType} on run "${runId}" conflicts with what the store holds: ${(error as MooringError).message}`);
        }
        throw error;
      }
    }
    throw new WorkflowWorldError(`events.create on run "${runId}" lost the race ${MAX_SEQUENCE_RETRIES} times`);
  }

  async function resultOf(
    runId: string,
    eventId: string,
    record: RunRecord,
    state: RunState,
    plan: Pick<Plan, "entity" | "correlationId" | "stepCreated">,
    params: CreateEventParams | undefined,
  ): Promise<EventResult> {
    const resolveData = params?.resolveData ?? "all";
    const stored = await readEvent(store, runId, eventId);
    const event: Event | undefined = stored ? toWorldEvent(store, stored, resolveData) : undefined;
    const result: EventResult = { ...(event ? { event } : {}) };
    const id = plan.correlationId;
    if (plan.entity === "run") result.run = await runEntity(store, runId, record, state, resolveData);
    if (plan.entity === "step" && id !== undefined && state.steps[id]) result.step = await stepEntity(store, runId, id, state.steps[id], resolveData);
    if (plan.entity === "hook" && id !== undefined && state.hooks[id]) result.hook = await hookEntity(store, runId, id, state.hooks[id], resolveData);
    if (plan.entity === "wait" && id !== undefined && state.waits[id]) result.wait = waitEntity(runId, id, state.waits[id]);
    if (plan.stepCreated) result.stepCreated = true;
    return result;
  }

  return { create };
}

/** A new run's state and its first event, run_created (W12). */
function newRunState(
  store: WorldStore,
  eventData: { deploymentId: string; workflowName: string; input: unknown; executionContext?: Record<string, unknown> | undefined; attributes?: Record<string, string> | undefined; allowReservedAttributes?: true | undefined },
  specVersion: number,
  correlationId: string | undefined,
): { state: RunState; events: EventInput[] } {
  validateAttributeChanges(
    Object.entries(eventData.attributes ?? {}).map(([key, value]) => ({ key, value })),
    { allowReservedAttributes: eventData.allowReservedAttributes === true },
  );
  const eventId = store.newId("wevt");
  const state: RunState = {
    deploymentId: eventData.deploymentId,
    workflowName: eventData.workflowName,
    specVersion,
    ...(eventData.executionContext ? { executionContext: eventData.executionContext } : {}),
    attributes: eventData.attributes ?? {},
    status: "pending",
    inputEvent: eventId,
    steps: {},
    hooks: {},
    waits: {},
  };
  const events = [toEventInput(store, eventId, "run_created", { correlationId, eventData, specVersion })];
  return { state, events };
}

/**
 * Decides what `data` does to a run in `state`: the events to append, the next state and the keys
 * to claim or release, or throws the interface's error. Pure: the caller commits the plan.
 * `tokenHeldBy` is the run holding a hook_created's token, if any.
 */
export function planEvent(store: WorldStore, runId: string, state: RunState, data: CreateEventRequest, now: number, tokenHeldBy: string | null): Plan {
  const specVersion = data.specVersion ?? SPEC_VERSION_CURRENT;
  const eventId = store.newId("wevt");
  const correlationId = data.correlationId;
  // Step, hook and wait events always carry one (the interface's schema requires it).
  const cid = correlationId ?? "";
  const next: RunState = structuredClone(state);
  const event = (eventData: unknown, type: string = data.eventType, id: string = eventId): EventInput =>
    toEventInput(store, id, type, { correlationId, eventData, specVersion });
  const terminal = isTerminalRunStatus(state.status);
  const createsChild = data.eventType === "step_created" || data.eventType === "hook_created" || data.eventType === "wait_created";
  const lazyStart = data.eventType === "step_started" && data.eventData?.stepName !== undefined && data.eventData.input !== undefined;

  if (terminal) {
    if (data.eventType === "run_cancelled" && state.status === "cancelled") {
      return { eventId, events: [event(data.eventData)], next, entity: "run" };
    }
    if (data.eventType === "run_started") throw new RunExpiredError(`Workflow run "${runId}" is already in terminal state "${state.status}"`);
    if (data.eventType === "run_completed" || data.eventType === "run_failed" || data.eventType === "run_cancelled") {
      throw new EntityConflictError(`Cannot transition run from terminal state "${state.status}"`);
    }
    if (createsChild || lazyStart) throw new EntityConflictError(`Cannot create new entities on run in terminal state "${state.status}"`);
    if (data.eventType === "attr_set") throw new EntityConflictError(`Cannot set attributes on run in terminal state "${state.status}"`);
  }

  const requireStep = (id: string) => {
    const step = next.steps[id];
    if (!step) throw new WorkflowWorldError(`Step "${id}" not found`);
    if (isTerminalStepStatus(step.status)) throw new EntityConflictError(`Cannot modify step in terminal state "${step.status}"`);
    return step;
  };
  const endRun = (status: "completed" | "failed" | "cancelled"): Plan => {
    next.status = status;
    next.completedAt = now;
    // Hooks and waits end with the run; the tokens' keys were claimed untilTerminal (W15), so the
    // same commit releases them and another run may take the token at once.
    next.hooks = {};
    next.waits = {};
    return { eventId, events: [event(data.eventData)], next, status, entity: "run" };
  };

  switch (data.eventType) {
    case "run_started": {
      next.status = "running";
      next.startedAt = now;
      return { eventId, events: [event(undefined)], next, status: "running", entity: "run" };
    }
    case "run_completed":
      next.outputEvent = eventId;
      return endRun("completed");
    case "run_failed":
      next.errorEvent = eventId;
      if (data.eventData.errorCode !== undefined) next.errorCode = data.eventData.errorCode;
      return endRun("failed");
    case "run_cancelled":
      return endRun("cancelled");
    case "attr_set": {
      validateAttributeChanges(data.eventData.changes, {
        existingKeys: Object.keys(next.attributes),
        allowReservedAttributes: data.eventData.allowReservedAttributes === true,
      });
      // The workflow's attr_set comes again with the same correlation id each time the workflow
      // replays: it is recorded once (its id kept in the state this commit writes), and a replay
      // is a conflict, as world-local answers it.
      if (data.correlationId !== undefined && data.eventData.writer.type === "workflow") {
        if (next.attributeEvents?.includes(cid)) throw new EntityConflictError(`Attribute event "${cid}" already exists`);
        next.attributeEvents = [...(next.attributeEvents ?? []), cid];
      }
      next.attributes = applyAttributeChanges(next.attributes, data.eventData.changes);
      return { eventId, events: [event(data.eventData)], next, entity: "run" };
    }
    case "step_created": {
      if (next.steps[cid]) throw new EntityConflictError(`step_created for correlationId "${correlationId}" already exists in run "${runId}"`);
      next.steps[cid] = { stepName: data.eventData.stepName, status: "pending", attempt: 0, specVersion, createdAt: now, updatedAt: now, inputEvent: eventId };
      return { eventId, events: [event(data.eventData)], next, entity: "step", correlationId: cid, claimKeys: [{ key: runKey("correlation", cid), value: runId }] };
    }
    case "step_started": {
      const events: EventInput[] = [];
      const claimKeys: ClaimKeyInput[] = [];
      let stepCreated = false;
      if (lazyStart) {
        // A step_started with the step's name and input creates the step it starts; only the caller
        // that creates it may run it, so a step that exists is a lost race.
        if (next.steps[cid]) throw new EntityConflictError(`Step "${correlationId}" already created`);
        const createdId = store.newId("wevt");
        const { stepName, input } = data.eventData as { stepName: string; input: unknown };
        events.push(event({ stepName, input }, "step_created", createdId));
        next.steps[cid] = { stepName, status: "pending", attempt: 0, specVersion, createdAt: now, updatedAt: now, inputEvent: createdId };
        claimKeys.push({ key: runKey("correlation", cid), value: runId });
        stepCreated = true;
      }
      const step = requireStep(cid);
      if (terminal && step.status !== "running") throw new RunExpiredError(`Cannot modify non-running step on run in terminal state "${state.status}"`);
      if (step.retryAfter !== undefined && step.retryAfter > now) {
        throw new TooEarlyError(`Cannot start step "${correlationId}": retryAfter timestamp has not been reached yet`, {
          retryAfter: Math.ceil((step.retryAfter - now) / 1000),
        });
      }
      step.status = "running";
      step.attempt += 1;
      step.startedAt ??= now;
      step.updatedAt = now;
      delete step.retryAfter;
      const { input: _input, ...started } = data.eventData ?? {};
      events.push(event(data.eventData ? started : undefined));
      return { eventId, events, next, entity: "step", correlationId: cid, stepCreated, claimKeys };
    }
    case "step_completed": {
      const step = requireStep(cid);
      Object.assign(step, { status: "completed", completedAt: now, updatedAt: now, outputEvent: eventId });
      return { eventId, events: [event(data.eventData)], next, entity: "step", correlationId: cid };
    }
    case "step_failed": {
      const step = requireStep(cid);
      Object.assign(step, { status: "failed", completedAt: now, updatedAt: now, errorEvent: eventId });
      return { eventId, events: [event(data.eventData)], next, entity: "step", correlationId: cid };
    }
    case "step_retrying": {
      const step = requireStep(cid);
      Object.assign(step, { status: "pending", updatedAt: now, errorEvent: eventId });
      if (data.eventData.retryAfter !== undefined) step.retryAfter = new Date(data.eventData.retryAfter).getTime();
      else delete step.retryAfter;
      return { eventId, events: [event(data.eventData)], next, entity: "step", correlationId: cid };
    }
    case "hook_created": {
      const token = data.eventData.token;
      const existing = next.hooks[cid];
      if (existing) throw new EntityConflictError(`Hook "${correlationId}" already created`);
      const sameRunHolder = Object.entries(next.hooks).find(([, hook]) => hook.token === token);
      const holder = sameRunHolder ? runId : tokenHeldBy !== null && tokenHeldBy !== runId ? tokenHeldBy : null;
      if (holder !== null) {
        // Another live hook has the token: the runtime expects a hook_conflict event in the log
        // (it rejects the awaiting hook with HookConflictError), not an error from the World.
        return {
          eventId,
          events: [event({ token, conflictingRunId: holder }, "hook_conflict")],
          next: state,
          entity: "none",
        };
      }
      next.hooks[cid] = {
        token,
        specVersion,
        createdAt: now,
        ...(data.eventData.isWebhook !== undefined ? { isWebhook: data.eventData.isWebhook } : {}),
        isSystem: data.eventData.isSystem ?? false,
        event: eventId,
      };
      return {
        eventId,
        events: [event(data.eventData)],
        next,
        entity: "hook",
        correlationId: cid,
        claimKeys: [
          { key: runKey("hook-token", token), value: cid, untilTerminal: true },
          { key: runKey("correlation", cid), value: runId },
        ],
      };
    }
    case "hook_received": {
      if (!next.hooks[cid]) throw new HookNotFoundError(cid);
      return { eventId, events: [event(data.eventData)], next, entity: "none" };
    }
    case "hook_disposed": {
      const hook = next.hooks[cid];
      if (!hook) throw new HookNotFoundError(cid);
      delete next.hooks[cid];
      return { eventId, events: [event(data.eventData)], next, entity: "none", releaseKeys: [runKey("hook-token", hook.token)] };
    }
    case "wait_created": {
      if (next.waits[cid]) throw new EntityConflictError(`Wait "${correlationId}" already exists`);
      next.waits[cid] = { status: "waiting", specVersion, createdAt: now, updatedAt: now, resumeAt: new Date(data.eventData.resumeAt).getTime() };
      return { eventId, events: [event(data.eventData)], next, entity: "wait", correlationId: cid, claimKeys: [{ key: runKey("correlation", cid), value: runId }] };
    }
    case "wait_completed": {
      const wait = next.waits[cid];
      if (!wait) throw new WorkflowWorldError(`Wait "${correlationId}" not found`);
      if (wait.status === "completed") throw new EntityConflictError(`Wait "${correlationId}" already completed`);
      Object.assign(wait, { status: "completed", completedAt: now, updatedAt: now });
      return { eventId, events: [event(data.eventData)], next, entity: "wait", correlationId: cid };
    }
  }
}
