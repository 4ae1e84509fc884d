/**
 * For every contract method: the capability it needs (SPEC section 7) and the validation of its
 * arguments (SPEC C1). `defineBackend` applies these before any driver code runs, so every backend
 * rejects the same inputs with the same VALIDATION errors and writes nothing.
 */
import type { CapabilityName } from "./capabilities.js";
import type { Limits } from "./defaults.js";
import { MAX_WAITPOINT_MS } from "./rules/waitpoints.js";
import { RUN_STATUSES, STEP_STATUSES, TASK_EVENT_KINDS, TASK_STATES } from "./types.js";
import {
  assertArray,
  assertBoolean,
  assertBytes,
  assertFinite,
  assertId,
  assertInt,
  assertJson,
  assertNonNegativeInt,
  assertOneOf,
  assertOptionalRecord,
  assertPositiveInt,
  assertRecord,
  assertText,
  assertTime,
  assertValue,
  containsBytes,
  invalid,
  valueByteSize,
  MAX_LIMIT,
} from "./validation.js";

/** The serialized size of `null`, which an absent payload is stored as. */
const NULL_JSON_BYTES = 4;

export type FacetName = "workflows" | "state" | "engine" | "tenants" | "tokens";

export interface CallRule {
  /** The capability the method belongs to. */
  readonly capability: CapabilityName;
  /** Further capabilities the given arguments use (e.g. `priority` needs "priorities"). */
  readonly uses?: (args: readonly unknown[]) => CapabilityName[];
  /** Throws VALIDATION for bad arguments. */
  readonly validate: (args: readonly unknown[], limits: Limits) => void;
  /** Whether the call, with these arguments, may wait for a long time; `close()` does not await it. */
  readonly longPoll?: (args: readonly unknown[]) => boolean;
}

const MAX_CURSOR_LENGTH = 1024;
/** Longer than any waitpoint token this store mints (an id-sized key and ids, base64url). */
const MAX_TOKEN_LENGTH = 4096;
/** The longest wait a timer can hold (setTimeout's limit). */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

const always = (): boolean => true;

const optional =
  <T>(check: (value: unknown, field: string, ...rest: T[]) => void, ...rest: T[]) =>
  (value: unknown, field: string): void => {
    if (value !== undefined) check(value, field, ...rest);
  };

const optionalOneOf =
  <T extends string>(allowed: readonly T[]) =>
  (value: unknown, field: string): void => {
    if (value !== undefined) assertOneOf(value, allowed, field);
  };

function page(request: unknown, field = "request"): asserts request is Record<string, unknown> {
  assertRecord(request, field);
  assertPositiveInt(request.limit, `${field}.limit`, MAX_LIMIT);
  if (request.cursor !== undefined && request.cursor !== null) {
    assertText(request.cursor, `${field}.cursor`, MAX_CURSOR_LENGTH);
  }
}

function assertAbortSignal(value: unknown, field: string): asserts value is AbortSignal {
  if (!(value instanceof AbortSignal)) invalid(field, "must be an AbortSignal");
}

/** The members of a task filter (SPEC E26), on an object already known to be a record. */
function taskFilter(filter: Record<string, unknown>, field: string): void {
  optional(assertId)(filter.queue, `${field}.queue`);
  optionalOneOf(TASK_STATES)(filter.state, `${field}.state`);
  optional(assertId)(filter.runId, `${field}.runId`);
  optional(assertId)(filter.concurrencyKey, `${field}.concurrencyKey`);
}

/** Whether `readFrames` options ask to wait for the next frame (SPEC E28). */
function tailing(options: unknown): boolean {
  const { waitMs } = (options ?? {}) as Record<string, unknown>;
  return typeof waitMs === "number" && waitMs > 0;
}

function lease(value: unknown, field = "lease"): void {
  assertRecord(value, field);
  assertId(value.taskId, `${field}.taskId`);
  assertNonNegativeInt(value.epoch, `${field}.epoch`);
  // The lease's secret (SPEC T4): required, so a lease built without it is refused as input
  // rather than fenced.
  assertId(value.leaseId, `${field}.leaseId`);
  if (value.workerId !== undefined) assertId(value.workerId, `${field}.workerId`);
}

function progressInput(value: unknown, field: string): void {
  assertRecord(value, field);
  if (value.percent !== undefined) {
    assertFinite(value.percent, `${field}.percent`, 0);
    if (value.percent > 100) invalid(`${field}.percent`, `must be at most 100, got ${value.percent}`);
  }
  optional(assertText)(value.message, `${field}.message`);
}

function ttl(options: unknown, field = "options"): void {
  assertOptionalRecord(options, field);
  if (options !== undefined) optional(assertPositiveInt)(options.ttlMs, `${field}.ttlMs`);
}

function stepInput(value: unknown, field: string, limits: Limits): void {
  assertRecord(value, field);
  assertId(value.id, `${field}.id`);
  assertOneOf(value.status, STEP_STATUSES, `${field}.status`);
  optional(assertText)(value.name, `${field}.name`);
  for (const member of ["input", "output", "error"] as const) {
    optional(assertJson, limits.maxPayloadBytes)(value[member], `${field}.${member}`);
  }
}

/** One event; returns its payload's size (an absent payload is stored as null; bytes count their length, W13). */
function eventInput(value: unknown, field: string, limits: Limits): number {
  assertRecord(value, field);
  assertId(value.type, `${field}.type`);
  optional(assertId)(value.id, `${field}.id`);
  return value.payload === undefined ? NULL_JSON_BYTES : valueByteSize(value.payload, `${field}.payload`, limits.maxPayloadBytes).size;
}

/**
 * A non-empty batch of events. Each payload is a JSON value like any other (C1), or holds bytes
 * (W13), and the payloads of one batch, which is one write, together weigh at most
 * `maxPayloadBytes`. Each payload is measured once, for its own bound and the batch's. Two events
 * of one batch with the same `id` (W15) contradict each other: VALIDATION, before any store sees them.
 */
function events(value: unknown, field: string, limits: Limits): void {
  let total = 0;
  const ids = new Map<string, string>();
  assertArray(value, field, (item, at) => {
    total += eventInput(item, at, limits);
    const id = (item as Record<string, unknown>).id;
    if (typeof id !== "string") return;
    const first = ids.get(id);
    if (first !== undefined) invalid(`${at}.id`, `repeats the id of ${first} (event ids are unique within a run)`);
    ids.set(id, at);
  });
  if (total > limits.maxPayloadBytes) {
    invalid(field, `payloads must together weigh at most ${limits.maxPayloadBytes} bytes (maxPayloadBytes), got ${total}`);
  }
}

/** What a batch of events uses beyond `events`: caller ids (`runEvents`, W15) and bytes (`binary`, W13). */
function eventsUses(batch: unknown): CapabilityName[] {
  if (!Array.isArray(batch)) return [];
  const uses = new Set<CapabilityName>();
  for (const event of batch as Record<string, unknown>[]) {
    if (event.id !== undefined) uses.add("runEvents");
    if (containsBytes(event.payload)) uses.add("binary");
  }
  return [...uses];
}

/** `binary` when the value holds bytes (W13). */
function bytesUses(value: unknown): CapabilityName[] {
  return containsBytes(value) ? ["binary"] : [];
}

/** A run context: a plain object whose members are values (bytes allowed, W13). */
function contextInput(value: unknown, field: string, limits: Limits): void {
  assertRecord(value, field);
  assertValue(value, field, limits.maxPayloadBytes);
}

/** W15's `claimKeys`: distinct keys, each with an optional JSON value and `untilTerminal`. */
function claimKeys(value: unknown, field: string, limits: Limits): void {
  const seen = new Set<string>();
  assertArray(value, field, (item, at) => {
    assertRecord(item, at);
    assertId(item.key, `${at}.key`);
    optional(assertJson, limits.maxPayloadBytes)(item.value, `${at}.value`);
    optional(assertBoolean)(item.untilTerminal, `${at}.untilTerminal`);
    if (seen.has(item.key)) invalid(`${at}.key`, "repeats a key claimed earlier in the same call");
    seen.add(item.key);
  }, { max: 1000 });
}

/** W15's `releaseKeys`: distinct keys, none of them also claimed by the same call. */
function releaseKeys(value: unknown, field: string, claimed: unknown): void {
  const claimedKeys = new Set(Array.isArray(claimed) ? (claimed as Record<string, unknown>[]).map((item) => item.key) : []);
  const seen = new Set<string>();
  assertArray(value, field, (key, at) => {
    assertId(key, at);
    if (seen.has(key)) invalid(at, "repeats a key released earlier in the same call");
    if (claimedKeys.has(key)) invalid(at, "is also in claimKeys (claim or release a key, not both)");
    seen.add(key);
  }, { max: 1000 });
}

/** `order` of W14. */
const order = optionalOneOf(["asc", "desc"] as const);

function enqueueInput(value: unknown, field: string, limits: Limits): void {
  assertRecord(value, field);
  assertId(value.queue, `${field}.queue`);
  optional(assertValue, limits.maxPayloadBytes)(value.payload, `${field}.payload`);
  optional(assertInt)(value.priority, `${field}.priority`);
  optional(assertTime)(value.runAt, `${field}.runAt`);
  optional(assertPositiveInt)(value.maxAttempts, `${field}.maxAttempts`);
  if (value.backoff !== undefined) {
    assertRecord(value.backoff, `${field}.backoff`);
    optional(assertPositiveInt)(value.backoff.baseMs, `${field}.backoff.baseMs`);
    optional(assertFinite, 1)(value.backoff.factor, `${field}.backoff.factor`);
    optional(assertPositiveInt)(value.backoff.maxMs, `${field}.backoff.maxMs`);
  }
  optional(assertId)(value.idempotencyKey, `${field}.idempotencyKey`);
  if (value.dependsOn !== undefined) assertArray(value.dependsOn, `${field}.dependsOn`, assertId, { min: 0, max: 1000 });
  optional(assertId)(value.runId, `${field}.runId`);
  optional(assertId)(value.concurrencyKey, `${field}.concurrencyKey`);
}

function enqueueUses(task: unknown): CapabilityName[] {
  const uses: CapabilityName[] = [];
  const input = task as Record<string, unknown>;
  if (input.priority !== undefined && input.priority !== 0) uses.push("priorities");
  if (input.runAt !== undefined) uses.push("delays");
  if (input.idempotencyKey !== undefined) uses.push("idempotency");
  if (Array.isArray(input.dependsOn) && input.dependsOn.length > 0) uses.push("dependencies");
  if (containsBytes(input.payload)) uses.push("binary");
  if (input.concurrencyKey !== undefined) uses.push("concurrencyKeys");
  return uses;
}

function snapshotState(value: unknown, field: string, limits: Limits): void {
  assertRecord(value, field);
  assertJson(value.state, `${field}.state`, limits.maxPayloadBytes);
}

function settle(value: unknown, field: string, limits: Limits): void {
  assertRecord(value, field);
  const keys = Object.keys(value);
  if (keys.length !== 1 || (keys[0] !== "complete" && keys[0] !== "fail")) {
    invalid(field, "must hold exactly one of complete, fail");
  }
  if (value.complete !== undefined) {
    assertRecord(value.complete, `${field}.complete`);
    optional(assertValue, limits.maxPayloadBytes)(value.complete.result, `${field}.complete.result`);
  } else {
    assertRecord(value.fail, `${field}.fail`);
    assertJson(value.fail.error, `${field}.fail.error`, limits.maxPayloadBytes);
    optional(assertBoolean)(value.fail.retryable, `${field}.fail.retryable`);
  }
}

const none = (): void => undefined;

export const CALL_RULES: Readonly<Record<FacetName, Readonly<Record<string, CallRule>>>> = {
  workflows: {
    putDefinition: {
      capability: "runs",
      validate: ([definition], limits) => {
        assertRecord(definition, "definition");
        assertId(definition.id, "definition.id");
        assertId(definition.version, "definition.version");
        assertJson(definition.spec, "definition.spec", limits.maxPayloadBytes);
      },
    },
    getDefinition: {
      capability: "runs",
      validate: ([id, version]) => {
        assertId(id, "id");
        assertId(version, "version");
      },
    },
    listDefinitions: { capability: "runs", validate: ([id]) => assertId(id, "id") },
    createRun: {
      capability: "runs",
      uses: ([input, options]) => {
        const uses = new Set<CapabilityName>(bytesUses((input as Record<string, unknown>).context));
        const given = (options ?? {}) as Record<string, unknown>;
        if (given.events !== undefined) for (const use of ["events", "runEvents", ...eventsUses(given.events)] as const) uses.add(use);
        if (given.claimKeys !== undefined) uses.add("runEvents");
        return [...uses];
      },
      validate: ([input, options], limits) => {
        assertRecord(input, "input");
        optional(assertId)(input.id, "input.id");
        assertId(input.workflowId, "input.workflowId");
        assertId(input.version, "input.version");
        optional(assertJson, limits.maxPayloadBytes)(input.input, "input.input");
        if (input.context !== undefined) contextInput(input.context, "input.context", limits);
        assertOptionalRecord(options, "options");
        if (options !== undefined) {
          optionalOneOf(["return", "replace", "error"] as const)(options.ifExists, "options.ifExists");
          if (options.events !== undefined) events(options.events, "options.events", limits);
          if (options.claimKeys !== undefined) claimKeys(options.claimKeys, "options.claimKeys", limits);
        }
      },
    },
    getRun: { capability: "runs", validate: ([id]) => assertId(id, "id") },
    setRunStatus: {
      capability: "runs",
      validate: ([id, status, options]) => {
        assertId(id, "id");
        assertOneOf(status, RUN_STATUSES, "status");
        assertOptionalRecord(options, "options");
        if (options !== undefined) optionalOneOf(RUN_STATUSES)(options.expected, "options.expected");
      },
    },
    setContext: {
      capability: "runs",
      uses: ([, context]) => bytesUses(context),
      validate: ([id, context], limits) => {
        assertId(id, "id");
        contextInput(context, "context", limits);
      },
    },
    appendToContext: {
      capability: "runs",
      uses: ([, , value]) => bytesUses(value),
      validate: ([id, key, value], limits) => {
        assertId(id, "id");
        assertId(key, "key");
        assertValue(value, "value", limits.maxPayloadBytes);
      },
    },
    listRuns: {
      capability: "runs",
      uses: ([request]) => {
        const given = request as Record<string, unknown>;
        return given.workflowId !== undefined || given.order !== undefined ? ["runEvents"] : [];
      },
      validate: ([request]) => {
        page(request);
        optionalOneOf(RUN_STATUSES)(request.status, "request.status");
        optional(assertId)(request.workflowId, "request.workflowId");
        order(request.order, "request.order");
      },
    },
    deleteRun: { capability: "runs", validate: ([id]) => assertId(id, "id") },
    upsertStep: {
      capability: "runs",
      validate: ([runId, step], limits) => {
        assertId(runId, "runId");
        stepInput(step, "step", limits);
      },
    },
    getStep: {
      capability: "runs",
      validate: ([runId, stepId]) => {
        assertId(runId, "runId");
        assertId(stepId, "stepId");
      },
    },
    listSteps: { capability: "runs", validate: ([runId]) => assertId(runId, "runId") },
    appendEvents: {
      capability: "events",
      uses: ([, batch]) => eventsUses(batch),
      validate: ([runId, batch, options], limits) => {
        assertId(runId, "runId");
        events(batch, "events", limits);
        assertOptionalRecord(options, "options");
        if (options !== undefined) optional(assertNonNegativeInt)(options.expectedSequence, "options.expectedSequence");
      },
    },
    readEvents: {
      capability: "events",
      uses: ([, options]) => {
        const given = (options ?? {}) as Record<string, unknown>;
        return given.before !== undefined || given.order !== undefined ? ["runEvents"] : [];
      },
      validate: ([runId, options]) => {
        assertId(runId, "runId");
        assertOptionalRecord(options, "options");
        if (options !== undefined) {
          optional(assertNonNegativeInt)(options.after, "options.after");
          optional(assertPositiveInt)(options.before, "options.before");
          order(options.order, "options.order");
          optional(assertPositiveInt, MAX_LIMIT)(options.limit, "options.limit");
        }
      },
    },
    latestSequence: { capability: "events", validate: ([runId]) => assertId(runId, "runId") },
    getEvent: {
      capability: "runEvents",
      validate: ([runId, eventId]) => {
        assertId(runId, "runId");
        assertId(eventId, "eventId");
      },
    },
    lookupKey: { capability: "runEvents", validate: ([key]) => assertId(key, "key") },
    waitForEvents: {
      capability: "runEvents",
      longPoll: always,
      validate: ([runId, options]) => {
        assertId(runId, "runId");
        assertRecord(options, "options");
        assertNonNegativeInt(options.after, "options.after");
        assertPositiveInt(options.timeoutMs, "options.timeoutMs", MAX_TIMEOUT_MS);
        optional(assertAbortSignal)(options.signal, "options.signal");
      },
    },
    writeSnapshot: {
      capability: "snapshots",
      validate: ([runId, snapshot], limits) => {
        assertId(runId, "runId");
        snapshotState(snapshot, "snapshot", limits);
        assertNonNegativeInt((snapshot as Record<string, unknown>).atSequence, "snapshot.atSequence");
      },
    },
    latestSnapshot: { capability: "snapshots", validate: ([runId]) => assertId(runId, "runId") },
    commit: {
      capability: "commit",
      uses: ([, input]) => {
        const commit = input as Record<string, unknown>;
        const uses: CapabilityName[] = [];
        if (commit.events !== undefined) uses.push("events");
        if (commit.snapshot !== undefined) uses.push("snapshots");
        if (commit.lease !== undefined) uses.push("leases");
        if (commit.claimKeys !== undefined || commit.releaseKeys !== undefined) uses.push("runEvents");
        uses.push(...eventsUses(commit.events));
        const settled = commit.settle as Record<string, Record<string, unknown> | undefined> | undefined;
        if (containsBytes(commit.context) || containsBytes(settled?.complete?.result)) uses.push("binary");
        return [...new Set(uses)];
      },
      validate: ([runId, input], limits) => {
        assertId(runId, "runId");
        assertRecord(input, "input");
        if (input.lease !== undefined) lease(input.lease, "input.lease");
        optional(assertNonNegativeInt)(input.expectedSequence, "input.expectedSequence");
        if (input.events !== undefined) events(input.events, "input.events", limits);
        if (input.snapshot !== undefined) {
          snapshotState(input.snapshot, "input.snapshot", limits);
          optional(assertNonNegativeInt)((input.snapshot as Record<string, unknown>).atSequence, "input.snapshot.atSequence");
        }
        if (input.context !== undefined) contextInput(input.context, "input.context", limits);
        optionalOneOf(RUN_STATUSES)(input.status, "input.status");
        if (input.steps !== undefined) assertArray(input.steps, "input.steps", (step, at) => stepInput(step, at, limits));
        if (input.settle !== undefined) {
          if (input.lease === undefined) invalid("input.lease", "is required with settle (the lease it settles)");
          settle(input.settle, "input.settle", limits);
        }
        if (input.claimKeys !== undefined) claimKeys(input.claimKeys, "input.claimKeys", limits);
        if (input.releaseKeys !== undefined) releaseKeys(input.releaseKeys, "input.releaseKeys", input.claimKeys);
      },
    },
  },
  state: {
    saveSnapshot: {
      capability: "kv",
      validate: ([snapshot], limits) => {
        assertRecord(snapshot, "snapshot");
        assertId(snapshot.executionId, "snapshot.executionId");
        assertNonNegativeInt(snapshot.sequence, "snapshot.sequence");
        assertJson(snapshot.state, "snapshot.state", limits.maxPayloadBytes);
        optional(assertPositiveInt)(snapshot.ttlMs, "snapshot.ttlMs");
      },
    },
    loadSnapshot: { capability: "kv", validate: ([id]) => assertId(id, "executionId") },
    deleteSnapshot: { capability: "kv", validate: ([id]) => assertId(id, "executionId") },
    listSnapshots: { capability: "kv", validate: ([request]) => page(request) },
    set: {
      capability: "kv",
      validate: ([key, value, options], limits) => {
        assertId(key, "key");
        assertBytes(value, "value", limits.maxPayloadBytes);
        ttl(options);
      },
    },
    get: { capability: "kv", validate: ([key]) => assertId(key, "key") },
    exists: { capability: "kv", validate: ([key]) => assertId(key, "key") },
    delete: { capability: "kv", validate: ([key]) => assertId(key, "key") },
    setIfAbsent: {
      capability: "kvCas",
      validate: ([key, value, options], limits) => {
        assertId(key, "key");
        assertBytes(value, "value", limits.maxPayloadBytes);
        ttl(options);
      },
    },
    compareAndSet: {
      capability: "kvCas",
      validate: ([key, expected, next, options], limits) => {
        assertId(key, "key");
        if (expected !== null) assertBytes(expected, "expected", limits.maxPayloadBytes);
        assertBytes(next, "next", limits.maxPayloadBytes);
        ttl(options);
      },
    },
    deleteExecutionState: { capability: "kv", validate: ([id]) => assertId(id, "executionId") },
  },
  engine: {
    enqueue: {
      capability: "leases",
      uses: ([task]) => enqueueUses(task),
      validate: ([task], limits) => enqueueInput(task, "task", limits),
    },
    enqueueMany: {
      capability: "leases",
      uses: ([tasks]) => (Array.isArray(tasks) ? [...new Set(tasks.flatMap(enqueueUses))] : []),
      validate: ([tasks], limits) => assertArray(tasks, "tasks", (task, at) => enqueueInput(task, at, limits), { min: 0 }),
    },
    claim: {
      capability: "leases",
      validate: ([request]) => {
        assertRecord(request, "request");
        assertId(request.workerId, "request.workerId");
        assertArray(request.queues, "request.queues", assertId, { max: 100 });
        assertPositiveInt(request.leaseMs, "request.leaseMs");
        optional(assertPositiveInt, 1000)(request.limit, "request.limit");
      },
    },
    renew: {
      capability: "leases",
      validate: ([held, options]) => {
        lease(held);
        assertOptionalRecord(options, "options");
        if (options !== undefined) {
          optional(assertPositiveInt)(options.leaseMs, "options.leaseMs");
          if (options.progress !== undefined) progressInput(options.progress, "options.progress");
        }
      },
      uses: ([, options]) => ((options as Record<string, unknown> | undefined)?.progress !== undefined ? ["progress"] : []),
    },
    complete: {
      capability: "leases",
      uses: ([, options]) => bytesUses((options as Record<string, unknown> | undefined)?.result),
      validate: ([held, options], limits) => {
        lease(held);
        assertOptionalRecord(options, "options");
        if (options !== undefined) optional(assertValue, limits.maxPayloadBytes)(options.result, "options.result");
      },
    },
    fail: {
      capability: "leases",
      validate: ([held, options], limits) => {
        lease(held);
        assertRecord(options, "options");
        assertJson(options.error, "options.error", limits.maxPayloadBytes);
        optional(assertBoolean)(options.retryable, "options.retryable");
      },
    },
    release: {
      capability: "leases",
      validate: ([held, options]) => {
        lease(held);
        assertOptionalRecord(options, "options");
        if (options !== undefined) optional(assertTime)(options.runAt, "options.runAt");
      },
    },
    reclaimExpired: {
      capability: "reclaim",
      validate: ([options]) => {
        assertOptionalRecord(options, "options");
        if (options !== undefined) optional(assertPositiveInt, MAX_LIMIT)(options.limit, "options.limit");
      },
    },
    listDeadLetters: {
      capability: "deadLetter",
      validate: ([request]) => {
        page(request);
        optional(assertId)(request.queue, "request.queue");
      },
    },
    retryDeadLetter: {
      capability: "deadLetter",
      validate: ([taskId, options]) => {
        assertId(taskId, "taskId");
        assertOptionalRecord(options, "options");
        if (options !== undefined) optional(assertBoolean)(options.resetAttempts, "options.resetAttempts");
      },
    },
    moveToDeadLetter: {
      capability: "deadLetter",
      validate: ([held, error], limits) => {
        lease(held);
        assertJson(error, "error", limits.maxPayloadBytes);
      },
    },
    cancel: {
      capability: "leases",
      validate: ([taskId, reason]) => {
        assertId(taskId, "taskId");
        optional(assertText)(reason, "reason");
      },
    },
    revokeLease: { capability: "leases", validate: ([taskId]) => assertId(taskId, "taskId") },
    getTask: { capability: "leases", validate: ([taskId]) => assertId(taskId, "taskId") },
    suspend: {
      capability: "signals",
      validate: ([held, input]) => {
        lease(held);
        assertRecord(input, "input");
        assertArray(input.keys, "input.keys", assertId, { max: 100 });
        optionalOneOf(["any", "all"] as const)(input.mode, "input.mode");
        optional(assertTime)(input.timeoutAt, "input.timeoutAt");
      },
    },
    signal: {
      capability: "signals",
      uses: ([input]) => ((input as Record<string, unknown> | undefined)?.token !== undefined ? ["waitpoints"] : []),
      validate: ([input], limits) => {
        assertRecord(input, "input");
        if (input.token === undefined) assertId(input.key, "input.key");
        else if (input.key !== undefined) invalid("input.key", "must be absent when input.token is given: a token names its key");
        else {
          assertText(input.token, "input.token", MAX_TOKEN_LENGTH);
          if (input.token === "") invalid("input.token", "must not be empty");
        }
        optional(assertJson, limits.maxPayloadBytes)(input.payload, "input.payload");
        optional(assertId)(input.idempotencyKey, "input.idempotencyKey");
      },
    },
    createWaitpoint: {
      capability: "waitpoints",
      validate: ([held, input]) => {
        lease(held);
        assertRecord(input, "input");
        assertId(input.key, "input.key");
        assertPositiveInt(input.expiresInMs, "input.expiresInMs", MAX_WAITPOINT_MS);
      },
    },
    listWaitpoints: { capability: "waitpoints", validate: ([taskId]) => assertId(taskId, "taskId") },
    rotateWaitpointSecret: {
      capability: "waitpoints",
      validate: ([options]) => {
        assertRecord(options, "options");
        assertNonNegativeInt(options.graceMs, "options.graceMs", MAX_WAITPOINT_MS);
      },
    },
    setQueue: {
      capability: "queueControl",
      validate: ([queue, settings]) => {
        assertId(queue, "queue");
        assertRecord(settings, "settings");
        if (settings.concurrency !== null) optional(assertPositiveInt)(settings.concurrency, "settings.concurrency");
        optional(assertBoolean)(settings.paused, "settings.paused");
        if (settings.keyConcurrency !== null) optional(assertPositiveInt)(settings.keyConcurrency, "settings.keyConcurrency");
        if (settings.rateLimit !== undefined && settings.rateLimit !== null) {
          assertRecord(settings.rateLimit, "settings.rateLimit");
          assertPositiveInt(settings.rateLimit.max, "settings.rateLimit.max");
          assertPositiveInt(settings.rateLimit.perMs, "settings.rateLimit.perMs");
        }
      },
      uses: ([, settings]) => {
        const input = (settings ?? {}) as Record<string, unknown>;
        const uses: CapabilityName[] = [];
        if (input.keyConcurrency !== undefined) uses.push("concurrencyKeys");
        if (input.rateLimit !== undefined) uses.push("rateLimits");
        return uses;
      },
    },
    queueStats: { capability: "queueControl", validate: ([queue]) => assertId(queue, "queue") },
    progress: {
      capability: "progress",
      validate: ([held, input]) => {
        lease(held);
        progressInput(input, "progress");
      },
    },
    appendFrame: {
      capability: "streams",
      uses: ([, data]) => bytesUses(data),
      validate: ([held, data], limits) => {
        lease(held);
        assertValue(data, "data", limits.maxPayloadBytes);
      },
    },
    readFrames: {
      capability: "streams",
      validate: ([taskId, options]) => {
        assertId(taskId, "taskId");
        assertOptionalRecord(options, "options");
        if (options !== undefined) {
          optional(assertPositiveInt)(options.attempt, "options.attempt");
          optional(assertNonNegativeInt)(options.after, "options.after");
          optional(assertPositiveInt, MAX_LIMIT)(options.limit, "options.limit");
          optional(assertNonNegativeInt, MAX_TIMEOUT_MS)(options.waitMs, "options.waitMs");
          optional(assertAbortSignal)(options.signal, "options.signal");
        }
      },
      uses: ([, options]) => (tailing(options) || (options as Record<string, unknown> | undefined)?.signal !== undefined ? ["frameTail"] : []),
      longPoll: ([, options]) => tailing(options),
    },
    setSummary: {
      capability: "frameTail",
      validate: ([held, summary], limits) => {
        lease(held);
        assertJson(summary, "summary", limits.maxPayloadBytes);
      },
    },
    getSummary: {
      capability: "frameTail",
      validate: ([taskId, options]) => {
        assertId(taskId, "taskId");
        assertOptionalRecord(options, "options");
        if (options !== undefined) optional(assertPositiveInt)(options.attempt, "options.attempt");
      },
    },
    changePriority: {
      capability: "operator",
      uses: () => ["priorities"],
      validate: ([taskId, priority]) => {
        assertId(taskId, "taskId");
        assertInt(priority, "priority");
      },
    },
    replay: {
      capability: "operator",
      uses: ([, options]) => ((options as Record<string, unknown> | undefined)?.runAt !== undefined ? ["delays"] : []),
      validate: ([taskId, options]) => {
        assertId(taskId, "taskId");
        assertOptionalRecord(options, "options");
        if (options !== undefined) {
          optional(assertBoolean)(options.resetAttempts, "options.resetAttempts");
          optional(assertTime)(options.runAt, "options.runAt");
        }
      },
    },
    listTasks: {
      capability: "operator",
      uses: ([request]) => ((request as Record<string, unknown> | undefined)?.concurrencyKey !== undefined ? ["concurrencyKeys"] : []),
      validate: ([request]) => {
        page(request);
        taskFilter(request, "request");
        optionalOneOf(["asc", "desc"] as const)(request.order, "request.order");
      },
    },
    listQueues: { capability: "operator", validate: ([request]) => page(request) },
    cancelTasks: {
      capability: "operator",
      uses: ([filter]) => ((filter as Record<string, unknown> | undefined)?.concurrencyKey !== undefined ? ["concurrencyKeys"] : []),
      validate: ([filter, options]) => {
        assertRecord(filter, "filter");
        taskFilter(filter, "filter");
        assertRecord(options, "options");
        assertPositiveInt(options.limit, "options.limit", MAX_LIMIT);
        optional(assertText)(options.reason, "options.reason");
      },
    },
    retryDeadLetters: {
      capability: "operator",
      // Built on the dead letters: it lists them and retries each (rules/bulk.ts).
      uses: () => ["deadLetter"],
      validate: ([request]) => {
        assertRecord(request, "request");
        optional(assertId)(request.queue, "request.queue");
        assertPositiveInt(request.limit, "request.limit", MAX_LIMIT);
        optional(assertBoolean)(request.resetAttempts, "request.resetAttempts");
      },
    },
    waitForWork: {
      capability: "notifications",
      longPoll: always,
      validate: ([queues, options]) => {
        assertArray(queues, "queues", assertId, { max: 100 });
        assertRecord(options, "options");
        assertPositiveInt(options.timeoutMs, "options.timeoutMs", MAX_TIMEOUT_MS);
        optional(assertAbortSignal)(options.signal, "options.signal");
      },
    },
    subscribe: {
      capability: "subscriptions",
      validate: ([filter, onEvent]) => {
        assertRecord(filter, "filter");
        assertArray(filter.kinds, "filter.kinds", (kind, at) => assertOneOf(kind, TASK_EVENT_KINDS, at));
        if (filter.queues !== undefined) assertArray(filter.queues, "filter.queues", assertId, { max: 100 });
        if (typeof onEvent !== "function") invalid("onEvent", "must be a function");
      },
    },
  },
  tenants: {
    create: {
      capability: "tenancy",
      validate: ([input]) => {
        assertRecord(input, "input");
        assertId(input.id, "input.id");
        assertText(input.name, "input.name");
        optionalOneOf(["active", "suspended"] as const)(input.status, "input.status");
      },
    },
    get: { capability: "tenancy", validate: ([id]) => assertId(id, "id") },
    list: { capability: "tenancy", validate: ([request]) => page(request) },
    update: {
      capability: "tenancy",
      validate: ([id, update]) => {
        assertId(id, "id");
        assertRecord(update, "update");
        optional(assertText)(update.name, "update.name");
        optionalOneOf(["active", "suspended"] as const)(update.status, "update.status");
      },
    },
  },
  tokens: {
    create: {
      capability: "tokens",
      validate: ([input]) => {
        assertRecord(input, "input");
        assertText(input.name, "input.name", 255);
        assertId(input.role, "input.role");
        optional(assertTime)(input.expiresAt, "input.expiresAt");
      },
    },
    validate: {
      capability: "tokens",
      // Any string is a question worth answering (null when unknown); only non-strings are rejected.
      validate: ([token]) => assertText(token, "token", 1024),
    },
    revoke: { capability: "tokens", validate: ([id]) => assertId(id, "id") },
    list: { capability: "tokens", validate: none },
  },
};
