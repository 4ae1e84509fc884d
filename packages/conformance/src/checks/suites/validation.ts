/**
 * SPEC C1, validation first. Two properties:
 *
 * - every public method of every facet (and `forTenant`), fed one invalid part at a time (empty and
 *   oversized ids, multi-byte characters at the 255-byte boundary, U+0000, lone surrogates,
 *   non-JSON values, bad durations, limits and times, oversized payloads, wrong types), throws a
 *   MooringError VALIDATION and leaves the tenant's observable state exactly as it was;
 * - the valid boundary: ids of exactly 255 UTF-8 bytes and strings of odd characters round-trip
 *   exactly through every place an id, key, queue name or tenant id goes.
 */
import {
  type Backend,
  CALL_RULES,
  type CapabilityName,
  DEFAULTS,
  executionKey,
  type FacetName,
  hasCapability,
  type Lease,
  MAX_JSON_DEPTH,
  MAX_LIMIT,
  MAX_WAITPOINT_MS,
  MooringError,
  utf8Length,
} from "@mooring/core";
import fc from "fast-check";
import { assertProperty } from "../../fast-check.js";
import { allPages } from "../../model/property/world.js";
import { type Check, type CheckContext, defineCheck } from "../../registry.js";
import { brief, ensure, fail, freshScope, isSameData, same, sameData } from "../support/index.js";

// ---------------------------------------------------------------------------------------------
// Invalid values. Each list is what is wrong for one kind of argument; `undefined` is added only
// where the argument is required.

const OVERSIZED = DEFAULTS.maxPayloadBytes + 1;

/** Strings of 256 UTF-8 bytes, some with a multi-byte character straddling the 255-byte limit. */
const IDS_OF_256_BYTES = ["a".repeat(256), "é".repeat(128), "😀".repeat(64), `${"a".repeat(253)}€`, `${"a".repeat(252)}😀`, `${"a".repeat(254)}é`];

/** Strings of exactly 255 UTF-8 bytes: valid, and must round-trip. */
export const IDS_OF_255_BYTES = ["a".repeat(255), `${"é".repeat(127)}a`, `${"😀".repeat(63)}abc`, `${"a".repeat(252)}€`, `${"a".repeat(251)}😀`];

const UNCLEAN_STRINGS = ["\u0000", "a\u0000b", "\uD800", "x\uDFFF", "\uDC00\uD800", "😀".slice(0, 1)];

class NotPlainData {
  readonly x = 1;
}

function cycle(): Record<string, unknown> {
  const node: Record<string, unknown> = { a: 1 };
  node.self = node;
  return node;
}

/** `[<hole>, 1]`: a sparse array's hole is not a JSON value. */
function holey(): unknown[] {
  const array = new Array<unknown>(2);
  array[1] = 1;
  return array;
}

function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

const WRONG_TYPES: readonly unknown[] = [null, 1, true, {}, [], 1n, () => "x", Symbol.for("mooring")];

/** The invalid values, built when a check runs (some are a MiB): never at import. */
function invalidValues() {
  const json: unknown[] = [
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    { a: undefined },
    [1, undefined],
    holey(),
    cycle(),
    [cycle()],
    1n,
    { n: 1n },
    () => 1,
    Symbol.for("mooring"),
    new Date(0),
    new Map([["a", 1]]),
    new Uint8Array(2),
    new NotPlainData(),
    { date: new Date(0) },
    "a\u0000b",
    "\uD800",
    { "\uDC00": 1 },
    nested(MAX_JSON_DEPTH + 2),
    "x".repeat(OVERSIZED),
    { big: "x".repeat(OVERSIZED) },
  ];
  return {
    optionalId: [...WRONG_TYPES, "", ...IDS_OF_256_BYTES, ...UNCLEAN_STRINGS],
    json,
    // A value that may hold bytes (W13): JSON's invalid values but the small byte array, which it
    // allows, plus byte arrays too large alone or beside others, and bytes inside non-JSON.
    value: [
      ...json.filter((value) => !(value instanceof Uint8Array)),
      new Uint8Array(OVERSIZED),
      { big: new Uint8Array(OVERSIZED) },
      [new Uint8Array(Math.ceil(OVERSIZED / 2)), new Uint8Array(Math.ceil(OVERSIZED / 2))],
      [new Uint8Array(1), Number.NaN],
      { bytes: new Uint8Array(1), when: new Date(0) },
    ],
    positiveInt: [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 2 ** 53, 1e300, "10", null, true, 1n, {}],
    nonNegativeInt: [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, "1", null, 1n, {}],
    time: [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, "2030-01-01", new Date(0), null],
    int: [1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 2 ** 53, -(2 ** 53), "1", null, 1n],
    boolean: ["true", 1, 0, null, {}],
    enumValue: ["unknown", "", 1, null, "PENDING", {}],
    optionalRecord: [null, 1, "x", [], [1], new Date(0), new Map(), new NotPlainData(), () => 1],
    bytes: [null, "abc", [1, 2], 1, {}, new ArrayBuffer(2), new Uint8Array(OVERSIZED)],
    text: [1, null, {}, "\u0000", "\uD800", "x".repeat(4097)],
    cursor: [1, {}, "\u0000", "\uD800", "x".repeat(1025)],
    idArray: ["x", null, {}, 1, [""], [1], ["\u0000"], [undefined], [IDS_OF_256_BYTES[0]]],
    progress: [null, 1, "x", { percent: 101 }, { percent: -1 }, { percent: Number.NaN }, { percent: "5" }, { message: 1 }, { message: "\u0000" }],
  } as const;
}

type InvalidValues = ReturnType<typeof invalidValues>;

const required = (values: readonly unknown[]): unknown[] => [undefined, ...values];

// ---------------------------------------------------------------------------------------------
// The cases: every method with a valid argument list and the parts that can be made invalid.

/** What a property run has set up: the valid targets the base arguments name. */
interface Seed {
  readonly runId: string;
  readonly taskId: string;
  readonly queue: string;
  readonly key: string;
  readonly executionId: string;
  readonly lease: Lease;
  readonly now: number;
}

type Path = readonly (string | number)[];

interface Part {
  /** Argument index, then member names. */
  readonly path: Path;
  readonly values: readonly unknown[];
  /** A capability the invalid argument itself asks for (`uses` in core's call rules). */
  readonly needs?: CapabilityName;
}

interface MethodCase {
  readonly facet: FacetName | "backend";
  readonly method: string;
  readonly base: (seed: Seed) => readonly unknown[];
  readonly parts: readonly Part[];
  /** Capabilities the valid base arguments use beyond the method's own. */
  readonly needs?: readonly CapabilityName[];
}

const part = (path: Path, values: readonly unknown[], needs?: CapabilityName): Part => (needs === undefined ? { path, values } : { path, values, needs });

/** The parts of a page request at argument `index` (SPEC C5). */
const pageParts = (index: number, bad: InvalidValues): Part[] => [
  part([index], required(bad.optionalRecord)),
  part([index, "limit"], required([...bad.positiveInt, MAX_LIMIT + 1])),
  part([index, "cursor"], bad.cursor),
];

/** The parts of a lease at argument `index`: the fence's identity (with its leaseId, T4) must be well-formed. */
const leaseParts = (index: number, bad: InvalidValues): Part[] => [
  part([index], required(bad.optionalRecord)),
  part([index, "taskId"], required(bad.optionalId)),
  part([index, "epoch"], required(bad.nonNegativeInt)),
  part([index, "leaseId"], required(bad.optionalId)),
  part([index, "workerId"], bad.optionalId),
];

const id = (path: Path, bad: InvalidValues): Part => part(path, required(bad.optionalId));

/** Invalid event batches: not arrays, empty, too heavy together (W13 counts bytes), an id twice (W15). */
const eventBatches = (bad: InvalidValues): unknown[] => [
  ...bad.idArray,
  [],
  // Two events of just over half the limit: each is fine, the batch is not.
  [{ type: "a", payload: "x".repeat(OVERSIZED / 2) }, { type: "b", payload: "x".repeat(OVERSIZED / 2) }],
  [{ type: "a", payload: new Uint8Array(Math.ceil(OVERSIZED / 2)) }, { type: "b", payload: new Uint8Array(Math.ceil(OVERSIZED / 2)) }],
  [{ type: "a", id: "twice" }, { type: "b", id: "twice" }],
  [{ type: "a", id: "" }],
];

/** Invalid `claimKeys` lists (W15). */
const claimKeyLists = (bad: InvalidValues): unknown[] => [
  ...bad.idArray,
  [],
  [null],
  [{}],
  [{ key: "" }],
  [{ key: "k", value: Number.NaN }],
  [{ key: "k", value: new Uint8Array(1) }],
  [{ key: "k", untilTerminal: "yes" }],
  [{ key: "k" }, { key: "k" }],
];

/** Every method, built over one set of invalid values. */
function methodCases(bad: InvalidValues): readonly MethodCase[] {
  return [
    // WorkflowStore
    {
      facet: "workflows",
      method: "putDefinition",
      base: () => [{ id: "def-new", version: "1", spec: { a: 1 } }],
      parts: [part([0], required(bad.optionalRecord)), id([0, "id"], bad), id([0, "version"], bad), part([0, "spec"], required(bad.json))],
    },
    { facet: "workflows", method: "getDefinition", base: () => ["def", "1"], parts: [id([0], bad), id([1], bad)] },
    { facet: "workflows", method: "listDefinitions", base: () => ["def"], parts: [id([0], bad)] },
    {
      facet: "workflows",
      method: "createRun",
      base: () => [{ id: "run-new", workflowId: "wf", version: "1", input: { a: 1 }, context: { b: [] } }, { ifExists: "error" }],
      parts: [
        part([0], required(bad.optionalRecord)),
        part([0, "id"], bad.optionalId),
        id([0, "workflowId"], bad),
        id([0, "version"], bad),
        part([0, "input"], bad.json),
        part([0, "context"], [...bad.value, [1], "x", 1]),
        part([1], bad.optionalRecord),
        part([1, "ifExists"], bad.enumValue),
        part([1, "events"], [...eventBatches(bad), [{ type: "a", payload: new Uint8Array(OVERSIZED) }]], "runEvents"),
        part([1, "claimKeys"], claimKeyLists(bad), "runEvents"),
      ],
    },
    { facet: "workflows", method: "getRun", base: (s) => [s.runId], parts: [id([0], bad)] },
    {
      facet: "workflows",
      method: "setRunStatus",
      base: (s) => [s.runId, "running", { expected: "pending" }],
      parts: [id([0], bad), part([1], required(bad.enumValue)), part([2], bad.optionalRecord), part([2, "expected"], bad.enumValue)],
    },
    { facet: "workflows", method: "setContext", base: (s) => [s.runId, { a: 1 }], parts: [id([0], bad), part([1], required([...bad.value, [1], "x"]))] },
    {
      facet: "workflows",
      method: "appendToContext",
      base: (s) => [s.runId, "log", 1],
      parts: [id([0], bad), id([1], bad), part([2], required(bad.value))],
    },
    {
      facet: "workflows",
      method: "listRuns",
      base: () => [{ limit: 10, status: "pending" }],
      parts: [...pageParts(0, bad), part([0, "status"], bad.enumValue), part([0, "workflowId"], bad.optionalId, "runEvents"), part([0, "order"], bad.enumValue, "runEvents")],
    },
    { facet: "workflows", method: "deleteRun", base: (s) => [s.runId], parts: [id([0], bad)] },
    {
      facet: "workflows",
      method: "upsertStep",
      base: (s) => [s.runId, { id: "step-new", status: "running", name: "n", input: 1, output: 2, error: null }],
      parts: [
        id([0], bad),
        part([1], required(bad.optionalRecord)),
        id([1, "id"], bad),
        part([1, "status"], required(bad.enumValue)),
        part([1, "name"], bad.text),
        part([1, "input"], bad.json),
        part([1, "output"], bad.json),
        part([1, "error"], bad.json),
      ],
    },
    { facet: "workflows", method: "getStep", base: (s) => [s.runId, "step"], parts: [id([0], bad), id([1], bad)] },
    { facet: "workflows", method: "listSteps", base: (s) => [s.runId], parts: [id([0], bad)] },
    {
      facet: "workflows",
      method: "appendEvents",
      base: (s) => [s.runId, [{ type: "e", payload: 1 }], { expectedSequence: 2 }],
      parts: [
        id([0], bad),
        // Two events of just over half the limit: each is fine, the batch is not.
        part([1], required(eventBatches(bad))),
        part([1, 0], bad.optionalRecord),
        part([1, 0, "type"], required(bad.optionalId)),
        part([1, 0, "payload"], bad.value),
        part([1, 0, "id"], bad.optionalId, "runEvents"),
        part([2], bad.optionalRecord),
        part([2, "expectedSequence"], bad.nonNegativeInt),
      ],
    },
    {
      facet: "workflows",
      method: "readEvents",
      base: (s) => [s.runId, { after: 0, limit: 10 }],
      parts: [
        id([0], bad),
        part([1], bad.optionalRecord),
        part([1, "after"], bad.nonNegativeInt),
        part([1, "limit"], [...bad.positiveInt, MAX_LIMIT + 1]),
        part([1, "before"], bad.positiveInt, "runEvents"),
        part([1, "order"], bad.enumValue, "runEvents"),
      ],
    },
    { facet: "workflows", method: "latestSequence", base: (s) => [s.runId], parts: [id([0], bad)] },
    { facet: "workflows", method: "getEvent", base: (s) => [s.runId, "event-id"], parts: [id([0], bad), id([1], bad)] },
    { facet: "workflows", method: "lookupKey", base: () => ["key"], parts: [id([0], bad)] },
    {
      facet: "workflows",
      method: "waitForEvents",
      base: (s) => [s.runId, { after: 5, timeoutMs: 1 }],
      parts: [
        id([0], bad),
        part([1], required(bad.optionalRecord)),
        part([1, "after"], required(bad.nonNegativeInt)),
        part([1, "timeoutMs"], required([...bad.positiveInt, 2 ** 31])),
        part([1, "signal"], [{}, "abort", 1]),
      ],
    },
    {
      facet: "workflows",
      method: "writeSnapshot",
      base: (s) => [s.runId, { atSequence: 1, state: { a: 1 } }],
      parts: [id([0], bad), part([1], required(bad.optionalRecord)), part([1, "atSequence"], required(bad.nonNegativeInt)), part([1, "state"], required(bad.json))],
    },
    { facet: "workflows", method: "latestSnapshot", base: (s) => [s.runId], parts: [id([0], bad)] },
    {
      facet: "workflows",
      method: "commit",
      needs: ["events", "snapshots", "leases"],
      base: (s) => [
        s.runId,
        {
          lease: s.lease,
          expectedSequence: 2,
          events: [{ type: "c" }],
          snapshot: { atSequence: 3, state: {} },
          context: { c: 1 },
          status: "running",
          steps: [{ id: "step-c", status: "completed" }],
          settle: { complete: { result: 1 } },
        },
      ],
      parts: [
        id([0], bad),
        part([1], required(bad.optionalRecord)),
        // Without its lease, `settle` has nothing to settle.
        part([1, "lease"], [undefined, ...bad.optionalRecord]),
        part([1, "lease", "taskId"], required(bad.optionalId)),
        part([1, "lease", "epoch"], required(bad.nonNegativeInt)),
        part([1, "lease", "leaseId"], required(bad.optionalId)),
        part([1, "expectedSequence"], bad.nonNegativeInt),
        part([1, "events"], [...bad.idArray, []]),
        part([1, "events", 0, "payload"], bad.value),
        part([1, "snapshot"], bad.optionalRecord),
        part([1, "snapshot", "state"], required(bad.json)),
        part([1, "snapshot", "atSequence"], bad.nonNegativeInt),
        part([1, "context"], [...bad.value, [1], "x"]),
        part([1, "status"], bad.enumValue),
        part([1, "claimKeys"], claimKeyLists(bad), "runEvents"),
        part([1, "releaseKeys"], [...bad.idArray, [], ["k", "k"], Array.from({ length: 1001 }, (_, i) => `k${i}`)], "runEvents"),
        part([1, "steps"], [...bad.idArray, []]),
        part([1, "settle"], [...bad.optionalRecord, {}, { complete: {}, fail: { error: 1 } }, { complete: 1 }, { fail: {} }, { fail: { error: 1, retryable: "yes" } }, { complete: { result: Number.NaN } }, { complete: { result: new Uint8Array(OVERSIZED) } }]),
      ],
    },

    // StateStore
    {
      facet: "state",
      method: "saveSnapshot",
      base: (s) => [{ executionId: s.executionId, sequence: 1, state: { a: 1 }, ttlMs: 1000 }],
      parts: [
        part([0], required(bad.optionalRecord)),
        id([0, "executionId"], bad),
        part([0, "sequence"], required(bad.nonNegativeInt)),
        part([0, "state"], required(bad.json)),
        part([0, "ttlMs"], bad.positiveInt),
      ],
    },
    { facet: "state", method: "loadSnapshot", base: (s) => [s.executionId], parts: [id([0], bad)] },
    { facet: "state", method: "deleteSnapshot", base: (s) => [s.executionId], parts: [id([0], bad)] },
    { facet: "state", method: "listSnapshots", base: () => [{ limit: 10 }], parts: pageParts(0, bad) },
    ...(["set", "setIfAbsent"] as const).map(
      (method): MethodCase => ({
        facet: "state",
        method,
        base: (s) => [s.key, new Uint8Array([9]), { ttlMs: 1000 }],
        parts: [id([0], bad), part([1], required(bad.bytes)), part([2], bad.optionalRecord), part([2, "ttlMs"], bad.positiveInt)],
      }),
    ),
    ...(["get", "exists", "delete", "deleteExecutionState"] as const).map(
      (method): MethodCase => ({ facet: "state", method, base: (s) => [method === "deleteExecutionState" ? s.executionId : s.key], parts: [id([0], bad)] }),
    ),
    {
      facet: "state",
      method: "compareAndSet",
      base: (s) => [s.key, new Uint8Array([1, 2, 3]), new Uint8Array([4]), { ttlMs: 1000 }],
      parts: [id([0], bad), part([1], [undefined, ...bad.bytes.filter((value) => value !== null)]), part([2], required(bad.bytes)), part([3], bad.optionalRecord), part([3, "ttlMs"], bad.positiveInt)],
    },

    // EngineBackend
    {
      facet: "engine",
      method: "enqueue",
      base: (s) => [{ queue: s.queue, payload: { a: 1 }, maxAttempts: 2, backoff: { baseMs: 10, factor: 2, maxMs: 100 }, runId: s.runId }],
      parts: [
        part([0], required(bad.optionalRecord)),
        id([0, "queue"], bad),
        part([0, "payload"], bad.value),
        part([0, "priority"], bad.int, "priorities"),
        part([0, "runAt"], bad.time, "delays"),
        part([0, "maxAttempts"], bad.positiveInt),
        part([0, "backoff"], [...bad.optionalRecord, { baseMs: 0 }, { factor: 0.5 }, { factor: Number.NaN }, { maxMs: -1 }, { baseMs: 1.5 }]),
        part([0, "idempotencyKey"], bad.optionalId, "idempotency"),
        part([0, "dependsOn"], [...bad.idArray, Array.from({ length: 1001 }, (_, i) => `task-${i}`)], "dependencies"),
        part([0, "runId"], bad.optionalId),
        part([0, "concurrencyKey"], bad.optionalId, "concurrencyKeys"),
      ],
    },
    {
      facet: "engine",
      method: "enqueueMany",
      base: (s) => [[{ queue: s.queue }, { queue: s.queue, payload: 2 }]],
      parts: [part([0], required(["x", null, {}, 1, [null], [1]])), part([0, 1], bad.optionalRecord), id([0, 1, "queue"], bad), part([0, 1, "payload"], bad.value)],
    },
    {
      facet: "engine",
      method: "claim",
      base: (s) => [{ workerId: "w", queues: [s.queue], leaseMs: 1000, limit: 2 }],
      parts: [
        part([0], required(bad.optionalRecord)),
        id([0, "workerId"], bad),
        part([0, "queues"], required([...bad.idArray, [], Array.from({ length: 101 }, (_, i) => `q${i}`)])),
        part([0, "leaseMs"], required(bad.positiveInt)),
        part([0, "limit"], [...bad.positiveInt, 1001]),
      ],
    },
    {
      facet: "engine",
      method: "renew",
      base: (s) => [s.lease, { leaseMs: 1000 }],
      parts: [...leaseParts(0, bad), part([1], bad.optionalRecord), part([1, "leaseMs"], bad.positiveInt), part([1, "progress"], bad.progress, "progress")],
    },
    { facet: "engine", method: "complete", base: (s) => [s.lease, { result: 1 }], parts: [...leaseParts(0, bad), part([1], bad.optionalRecord), part([1, "result"], bad.value)] },
    {
      facet: "engine",
      method: "fail",
      base: (s) => [s.lease, { error: "e", retryable: true }],
      parts: [...leaseParts(0, bad), part([1], required(bad.optionalRecord)), part([1, "error"], required(bad.json)), part([1, "retryable"], bad.boolean)],
    },
    { facet: "engine", method: "release", base: (s) => [s.lease, { runAt: s.now }], parts: [...leaseParts(0, bad), part([1], bad.optionalRecord), part([1, "runAt"], bad.time)] },
    {
      facet: "engine",
      method: "reclaimExpired",
      base: () => [{ limit: 10 }],
      parts: [part([0], bad.optionalRecord), part([0, "limit"], [...bad.positiveInt, MAX_LIMIT + 1])],
    },
    { facet: "engine", method: "listDeadLetters", base: (s) => [{ limit: 10, queue: s.queue }], parts: [...pageParts(0, bad), part([0, "queue"], bad.optionalId)] },
    {
      facet: "engine",
      method: "retryDeadLetter",
      base: (s) => [s.taskId, { resetAttempts: true }],
      parts: [id([0], bad), part([1], bad.optionalRecord), part([1, "resetAttempts"], bad.boolean)],
    },
    { facet: "engine", method: "moveToDeadLetter", base: (s) => [s.lease, "e"], parts: [...leaseParts(0, bad), part([1], required(bad.json))] },
    { facet: "engine", method: "cancel", base: (s) => [s.taskId, "why"], parts: [id([0], bad), part([1], bad.text)] },
    { facet: "engine", method: "revokeLease", base: (s) => [s.taskId], parts: [id([0], bad)] },
    { facet: "engine", method: "getTask", base: (s) => [s.taskId], parts: [id([0], bad)] },
    {
      facet: "engine",
      method: "suspend",
      base: (s) => [s.lease, { keys: ["k"], mode: "all", timeoutAt: s.now + 1000 }],
      parts: [
        ...leaseParts(0, bad),
        part([1], required(bad.optionalRecord)),
        part([1, "keys"], required([...bad.idArray, [], Array.from({ length: 101 }, (_, i) => `k${i}`)])),
        part([1, "mode"], bad.enumValue),
        part([1, "timeoutAt"], bad.time),
      ],
    },
    {
      facet: "engine",
      method: "signal",
      base: () => [{ key: "k", payload: 1, idempotencyKey: "i" }],
      parts: [part([0], required(bad.optionalRecord)), id([0, "key"], bad), part([0, "payload"], bad.json), part([0, "idempotencyKey"], bad.optionalId)],
    },
    {
      facet: "engine",
      method: "signal",
      base: () => [{ token: "mwp1.a2lk.e30.bWFj", payload: 1, idempotencyKey: "i" }],
      needs: ["waitpoints"],
      parts: [
        part([0, "token"], [...WRONG_TYPES, "", "x".repeat(4097), ...UNCLEAN_STRINGS]),
        // A token names its key: a key beside it is refused, whatever the key.
        part([0, "key"], ["k", ...bad.optionalId]),
        part([0, "payload"], bad.json),
        part([0, "idempotencyKey"], bad.optionalId),
      ],
    },
    {
      facet: "engine",
      method: "createWaitpoint",
      base: (s) => [s.lease, { key: "k", expiresInMs: 1000 }],
      parts: [...leaseParts(0, bad), part([1], required(bad.optionalRecord)), id([1, "key"], bad), part([1, "expiresInMs"], required([...bad.positiveInt, MAX_WAITPOINT_MS + 1]))],
    },
    { facet: "engine", method: "changePriority", base: (s) => [s.taskId, 1], needs: ["priorities"], parts: [id([0], bad), part([1], required(bad.int))] },
    {
      facet: "engine",
      method: "replay",
      base: (s) => [s.taskId, { resetAttempts: true, runAt: s.now + 1000 }],
      needs: ["delays"],
      parts: [id([0], bad), part([1], bad.optionalRecord), part([1, "resetAttempts"], bad.boolean), part([1, "runAt"], bad.time)],
    },
    {
      facet: "engine",
      method: "listTasks",
      base: (s) => [{ queue: s.queue, state: "ready", runId: s.runId, order: "desc", limit: 10 }],
      parts: [
        ...pageParts(0, bad),
        part([0, "queue"], bad.optionalId),
        part([0, "state"], bad.enumValue),
        part([0, "runId"], bad.optionalId),
        part([0, "concurrencyKey"], bad.optionalId, "concurrencyKeys"),
        part([0, "order"], bad.enumValue),
      ],
    },
    { facet: "engine", method: "listQueues", base: () => [{ limit: 10 }], parts: pageParts(0, bad) },
    {
      facet: "engine",
      method: "cancelTasks",
      base: (s) => [{ queue: s.queue, state: "ready" }, { limit: 10, reason: "r" }],
      parts: [
        part([0], required(bad.optionalRecord)),
        part([0, "queue"], bad.optionalId),
        part([0, "state"], bad.enumValue),
        part([0, "runId"], bad.optionalId),
        part([0, "concurrencyKey"], bad.optionalId, "concurrencyKeys"),
        part([1], required(bad.optionalRecord)),
        part([1, "limit"], required([...bad.positiveInt, MAX_LIMIT + 1])),
        part([1, "reason"], bad.text),
      ],
    },
    {
      facet: "engine",
      method: "retryDeadLetters",
      base: (s) => [{ queue: s.queue, limit: 10, resetAttempts: false }],
      parts: [
        part([0], required(bad.optionalRecord)),
        part([0, "queue"], bad.optionalId),
        part([0, "limit"], required([...bad.positiveInt, MAX_LIMIT + 1])),
        part([0, "resetAttempts"], bad.boolean),
      ],
    },
    { facet: "engine", method: "listWaitpoints", base: (s) => [s.taskId], parts: [id([0], bad)] },
    {
      facet: "engine",
      method: "rotateWaitpointSecret",
      base: () => [{ graceMs: 10 }],
      parts: [part([0], required(bad.optionalRecord)), part([0, "graceMs"], required([...bad.nonNegativeInt, MAX_WAITPOINT_MS + 1]))],
    },
    {
      facet: "engine",
      method: "setQueue",
      base: (s) => [s.queue, { concurrency: 2, paused: false }],
      parts: [
        id([0], bad),
        part([1], required(bad.optionalRecord)),
        part([1, "concurrency"], bad.positiveInt.filter((value) => value !== null)),
        part([1, "paused"], bad.boolean),
        part([1, "keyConcurrency"], bad.positiveInt.filter((value) => value !== null), "concurrencyKeys"),
        part(
          [1, "rateLimit"],
          [
            ...bad.optionalRecord.filter((value) => value !== null),
            {},
            { max: 1 },
            { perMs: 1000 },
            ...bad.positiveInt.filter((value) => value !== null).flatMap((value) => [{ max: value, perMs: 1000 }, { max: 1, perMs: value }]),
          ],
          "rateLimits",
        ),
      ],
    },
    { facet: "engine", method: "queueStats", base: (s) => [s.queue], parts: [id([0], bad)] },
    { facet: "engine", method: "progress", base: (s) => [s.lease, { percent: 10, message: "m" }], parts: [...leaseParts(0, bad), part([1], required(bad.progress))] },
    { facet: "engine", method: "appendFrame", base: (s) => [s.lease, { f: 1 }], parts: [...leaseParts(0, bad), part([1], required(bad.value))] },
    {
      facet: "engine",
      method: "readFrames",
      base: (s) => [s.taskId, { attempt: 1, after: 0, limit: 10 }],
      parts: [
        id([0], bad),
        part([1], bad.optionalRecord),
        part([1, "attempt"], bad.positiveInt),
        part([1, "after"], bad.nonNegativeInt),
        part([1, "limit"], [...bad.positiveInt, MAX_LIMIT + 1]),
        part([1, "waitMs"], [...bad.nonNegativeInt, 2 ** 31], "frameTail"),
        part([1, "signal"], [{}, "abort", 1], "frameTail"),
      ],
    },
    { facet: "engine", method: "setSummary", base: (s) => [s.lease, { step: 1 }], parts: [...leaseParts(0, bad), part([1], required(bad.json))] },
    { facet: "engine", method: "getSummary", base: (s) => [s.taskId, { attempt: 1 }], parts: [id([0], bad), part([1], bad.optionalRecord), part([1, "attempt"], bad.positiveInt)] },
    {
      facet: "engine",
      method: "waitForWork",
      base: (s) => [[s.queue], { timeoutMs: 1 }],
      parts: [
        part([0], required([...bad.idArray, Array.from({ length: 101 }, (_, i) => `q${i}`)])),
        part([1], required(bad.optionalRecord)),
        part([1, "timeoutMs"], required([...bad.positiveInt, 2 ** 31])),
        part([1, "signal"], [{}, "abort", 1]),
      ],
    },
    {
      facet: "engine",
      method: "subscribe",
      base: () => [{ kinds: ["completed"] }, () => undefined],
      parts: [part([0], required(bad.optionalRecord)), part([0, "kinds"], required([...bad.idArray, [], ["nope"]])), part([0, "queues"], bad.idArray), part([1], [undefined, null, 1, "f", {}])],
    },

    // Tenants and tokens
    {
      facet: "tenants",
      method: "create",
      base: () => [{ id: "tenant-new", name: "n", status: "active" }],
      parts: [part([0], required(bad.optionalRecord)), id([0, "id"], bad), part([0, "name"], required(bad.text)), part([0, "status"], bad.enumValue)],
    },
    { facet: "tenants", method: "get", base: () => ["tenant"], parts: [id([0], bad)] },
    { facet: "tenants", method: "list", base: () => [{ limit: 10 }], parts: pageParts(0, bad) },
    {
      facet: "tenants",
      method: "update",
      base: () => ["tenant", { name: "n", status: "active" }],
      parts: [id([0], bad), part([1], required(bad.optionalRecord)), part([1, "name"], bad.text), part([1, "status"], bad.enumValue)],
    },
    {
      facet: "tokens",
      method: "create",
      base: (s) => [{ name: "n", role: "admin", expiresAt: s.now + 1000 }],
      parts: [part([0], required(bad.optionalRecord)), part([0, "name"], required([...bad.text, "x".repeat(256)])), id([0, "role"], bad), part([0, "expiresAt"], bad.time)],
    },
    { facet: "tokens", method: "validate", base: () => ["mrt_x"], parts: [part([0], [undefined, null, 1, {}, "\u0000", "\uD800", "x".repeat(1025)])] },
    { facet: "tokens", method: "revoke", base: () => ["token-id"], parts: [id([0], bad)] },

    // The root of it all: a tenant id.
    { facet: "backend", method: "forTenant", base: () => ["tenant"], parts: [id([0], bad)] },
  ];
}

/** `tokens.list()` takes no argument, so nothing about it can be invalid. */
const WITHOUT_ARGUMENTS = new Set(["tokens.list"]);

/** Methods of core's call table that have no case here: a kit bug, reported as such. */
function uncoveredMethods(cases: readonly MethodCase[]): string[] {
  const covered = new Set(cases.map((c) => `${c.facet}.${c.method}`));
  return Object.entries(CALL_RULES).flatMap(([facet, rules]) =>
    Object.keys(rules)
      .map((method) => `${facet}.${method}`)
      .filter((name) => !covered.has(name) && !WITHOUT_ARGUMENTS.has(name)),
  );
}

function caseCapabilities(c: MethodCase): CapabilityName[] {
  const own = c.facet === "backend" ? ["tenancy" as const] : [CALL_RULES[c.facet][c.method]?.capability ?? "tenancy"];
  return [...own, ...(c.needs ?? [])];
}

/** A copy of `args` with the value at `path` replaced; objects along the path are copied, nothing else. */
function withValue(args: readonly unknown[], path: Path, value: unknown): unknown[] {
  const root: unknown[] = [...args];
  let parent: Record<string | number, unknown> = root as unknown as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) {
    const child = parent[key];
    const copied = Array.isArray(child) ? [...(child as unknown[])] : { ...(child as Record<string, unknown>) };
    parent[key] = copied;
    parent = copied as Record<string | number, unknown>;
  }
  const last = path[path.length - 1];
  if (last === undefined) throw new Error("kit bug: an empty path");
  parent[last] = value;
  return root;
}

/** Calls `facet.method(...args)` on the view; `forTenant` throws synchronously, so it is wrapped. */
async function invoke(view: Backend, c: MethodCase, args: readonly unknown[]): Promise<unknown> {
  if (c.facet === "backend") return view.forTenant(args[0] as string);
  const facet = view[c.facet] as unknown as Record<string, (...parameters: unknown[]) => Promise<unknown>>;
  const method = facet[c.method];
  if (typeof method !== "function") throw new Error(`kit bug: ${c.facet}.${c.method} is not a method`);
  const result = await method(...args);
  // A subscription that slipped through validation must not outlive the check.
  if (c.method === "subscribe" && typeof result === "function") (result as () => void)();
  return result;
}

// ---------------------------------------------------------------------------------------------
// The tenant a property run works in, and what can be observed of it.

const declaredBy = (view: Backend) => (name: CapabilityName): boolean => hasCapability(view.capabilities, name);

async function seedTenant(context: CheckContext): Promise<{ view: Backend; seed: Seed; taskIds: string[]; release: () => Promise<void> }> {
  const scope = await freshScope(context, "c1");
  const view = scope.backend;
  const declared = declaredBy(view);
  const seed = { runId: "run-valid", queue: "queue-valid", key: "key-valid", executionId: "exec-valid" };
  if (declared("runs")) {
    await view.workflows.putDefinition({ id: "def", version: "1", spec: { s: 1 } });
    await view.workflows.createRun({ id: seed.runId, workflowId: "wf", version: "1" });
    if (declared("events")) await view.workflows.appendEvents(seed.runId, [{ type: "a" }, { type: "b", payload: [1] }]);
    if (declared("snapshots")) await view.workflows.writeSnapshot(seed.runId, { atSequence: declared("events") ? 1 : 0, state: { n: 1 } });
    await view.workflows.upsertStep(seed.runId, { id: "step", status: "running" });
  }
  if (declared("kv")) {
    await view.state.set(seed.key, new Uint8Array([1, 2, 3]));
    await view.state.saveSnapshot({ executionId: seed.executionId, sequence: 1, state: { n: 1 } });
  }
  // Without leases no engine case runs, and the seed's lease is one no backend granted.
  let lease: Lease = { taskId: "task-valid", queue: seed.queue, payload: null, attempt: 1, epoch: 1, leaseId: "lease-valid", workerId: "w", expiresAt: context.clock.now() + 60_000 };
  const taskIds: string[] = [];
  if (declared("leases")) {
    const first = await view.engine.enqueue({ queue: seed.queue, payload: "first" });
    const second = await view.engine.enqueue({ queue: seed.queue, payload: "second" });
    const [claimed] = await view.engine.claim({ workerId: "w", queues: [seed.queue], leaseMs: 60_000 });
    if (!claimed) throw new Error("C1 setup: claim granted nothing on a fresh queue with two ready tasks");
    lease = claimed;
    taskIds.push(first.id, second.id);
  }
  return { view, seed: { ...seed, taskId: taskIds[1] ?? "task-valid", lease, now: context.clock.now() }, taskIds, release: () => scope.release() };
}

/** Everything observable of the world through the capabilities the backend declares. */
async function fingerprint(view: Backend, seed: Seed, taskIds: readonly string[]): Promise<unknown> {
  const declared = declaredBy(view);
  const runs = declared("runs");
  const kv = declared("kv");
  return {
    definitions: runs ? await view.workflows.listDefinitions("def") : null,
    runs: runs ? await allPages((cursor) => view.workflows.listRuns({ limit: 100, cursor })) : null,
    events: declared("events") ? await view.workflows.readEvents(seed.runId) : null,
    // The key the invalid `claimKeys` lists name (W15).
    claimed: declared("runEvents") ? await view.workflows.lookupKey("k") : null,
    snapshot: declared("snapshots") ? await view.workflows.latestSnapshot(seed.runId) : null,
    steps: runs ? await view.workflows.listSteps(seed.runId) : null,
    value: kv ? await view.state.get(seed.key) : null,
    cached: kv ? await view.state.loadSnapshot(seed.executionId) : null,
    cachedIds: kv ? await allPages((cursor) => view.state.listSnapshots({ limit: 100, cursor })) : null,
    tasks: await Promise.all(taskIds.map((taskId) => view.engine.getTask(taskId))),
    queue: declared("queueControl") ? await view.engine.queueStats(seed.queue) : null,
    deadLetters: declared("deadLetter") ? await allPages((cursor) => view.engine.listDeadLetters({ limit: 100, cursor })) : null,
    tenants: declared("tenancy") ? await allPages((cursor) => view.tenants.list({ limit: 100, cursor })) : null,
    tokens: declared("tokens") ? await view.tokens.list() : null,
  };
}

// ---------------------------------------------------------------------------------------------
// The checks

/** One invalid call: which case, which part, which bad value. */
interface InvalidCall {
  readonly caseIndex: number;
  readonly path: Path;
  readonly value: unknown;
}

function invalidCallFor(caseIndex: number, parts: readonly Part[]): fc.Arbitrary<InvalidCall> {
  return fc.constantFrom(...parts).chain((chosen) => fc.constantFrom(...chosen.values).map((value) => ({ caseIndex, path: chosen.path, value })));
}

/**
 * SPEC C1: a VALIDATION error's `details.field` names the argument to fix: a non-empty string
 * that holds the innermost member name of the invalid part's path, when the path has one (a bad
 * `options.waitMs` names `waitMs`; a bad `events[1].id` names something, at least).
 */
function expectFieldNamed(error: MooringError, path: Path, what: () => string): void {
  const field = error.details["field"];
  const member = [...path].reverse().find((step): step is string => typeof step === "string");
  if (typeof field === "string" && field !== "" && (member === undefined || field.includes(member))) return;
  fail(`${what()}: VALIDATION with details.field ${brief(field, 80)}; SPEC C1 requires it to name the argument${member === undefined ? "" : ` (${member})`}`);
}

/**
 * Makes every call of `batch` in a fresh tenant, asserting that each throws VALIDATION. Returns
 * whether the tenant's observable state is unchanged at the end; with `eachCall`, asserts it after
 * every call instead, naming the first call that changed it.
 */
async function rejectsAll(context: CheckContext, cases: readonly MethodCase[], batch: readonly InvalidCall[], eachCall: boolean): Promise<boolean> {
  const { view, seed, taskIds, release } = await seedTenant(context);
  try {
    // Every call is rejected, so the state after any of them must still be the state after setup.
    const before = await fingerprint(view, seed, taskIds);
    for (const call of batch) {
      const c = cases[call.caseIndex];
      if (!c) throw new Error("kit bug: a case index out of range");
      // Described only on failure: stringifying a 1 MiB argument for every call would dominate the run.
      const what = (): string => `${c.facet}.${c.method} with ${call.path.join(".")} = ${brief(call.value, 120)}`;
      let error: unknown = null;
      try {
        await invoke(view, c, withValue(c.base(seed), call.path, call.value));
      } catch (thrown) {
        error = thrown;
      }
      if (error === null) fail(`${what()}: succeeded; an invalid argument must throw VALIDATION (SPEC C1)`);
      if (!MooringError.is(error, "VALIDATION")) {
        fail(`${what()}: threw ${MooringError.is(error) ? error.code : String(error)} (${error instanceof Error ? error.message : ""}); SPEC C1 requires VALIDATION`);
      }
      expectFieldNamed(error, call.path, what);
      if (eachCall) sameData(await fingerprint(view, seed, taskIds), before, `${what()}: the rejected call changed the tenant's state`);
    }
    const after = await fingerprint(view, seed, taskIds);
    if (eachCall) sameData(after, before, "a batch of rejected calls changed the tenant's state (no single call did when replayed)");
    return isSameData(after, before);
  } finally {
    await release();
  }
}

/** The facets of the invalid-input checks; `forTenant` joins the tenants' check. */
const INVALID_INPUT_FACETS: readonly { readonly facet: FacetName; readonly requires: CapabilityName; readonly cases: readonly MethodCase["facet"][] }[] = [
  { facet: "workflows", requires: "runs", cases: ["workflows"] },
  { facet: "state", requires: "kv", cases: ["state"] },
  { facet: "engine", requires: "leases", cases: ["engine"] },
  { facet: "tenants", requires: "tenancy", cases: ["tenants", "backend"] },
  { facet: "tokens", requires: "tokens", cases: ["tokens"] },
];

/**
 * One check per facet: every method of the facet (those whose capabilities the backend declares)
 * fed one invalid argument per run, in a fresh world. Each requires only the facet's capability.
 */
const invalidInput = INVALID_INPUT_FACETS.map(({ facet, requires, cases: facets }) =>
  defineCheck({
    id: `C1.invalid-input.${facet}`,
    rule: "C1",
    title: `Every method of the ${facet} facet rejects invalid input with VALIDATION and writes nothing`,
    requires: [requires],
    kind: "property",
    run: async (context) => {
      const cases = methodCases(invalidValues());
      const missing = uncoveredMethods(cases);
      same(missing, [], `kit bug: C1 has no invalid-input case for ${missing.join(", ")}`);
      const declared = declaredBy(context.backend);
      // Only what the backend declares: an undeclared capability answers UNSUPPORTED before validation.
      const calls = cases.flatMap((c, caseIndex) => {
        if (!facets.includes(c.facet) || !caseCapabilities(c).every(declared)) return [];
        const parts = c.parts.filter((p) => p.needs === undefined || declared(p.needs));
        return parts.length === 0 ? [] : [invalidCallFor(caseIndex, parts)];
      });
      ensure(calls.length > 0, `kit bug: no invalid-input case of the ${facet} facet is declared`);
      // Each run feeds every method one invalid argument in a fresh world and compares the world
      // after the batch with before; when they differ, the batch is replayed in another fresh world
      // comparing after every call, to name the call that wrote.
      const property = fc.asyncProperty(fc.tuple(...calls), async (batch) => {
        if (!(await rejectsAll(context, cases, batch, false))) await rejectsAll(context, cases, batch, true);
      });
      await assertProperty(context, property);
    },
  }),
);

/**
 * One example check per facet beside the property: every invalid value of every part of every
 * declared method, each once, in one fresh world, so that no field goes untried on a given run
 * (the property samples a part per method per run). Validation runs before any I/O, so this is a
 * few thousand rejected calls that cost little on any backend.
 */
const everyInvalidPart = INVALID_INPUT_FACETS.map(({ facet, requires, cases: facets }) =>
  defineCheck({
    id: `C1.every-invalid-part.${facet}`,
    rule: "C1",
    title: `Every invalid value of every argument of the ${facet} facet, each tried once, is VALIDATION naming its field, and writes nothing`,
    requires: [requires],
    kind: "example",
    run: async (context) => {
      const cases = methodCases(invalidValues());
      const declared = declaredBy(context.backend);
      const batch = cases.flatMap((c, caseIndex) => {
        if (!facets.includes(c.facet) || !caseCapabilities(c).every(declared)) return [];
        return c.parts
          .filter((p) => p.needs === undefined || declared(p.needs))
          .flatMap((p) => p.values.map((value): InvalidCall => ({ caseIndex, path: p.path, value })));
      });
      ensure(batch.length > 0, `kit bug: no invalid-input case of the ${facet} facet is declared`);
      if (!(await rejectsAll(context, cases, batch, false))) await rejectsAll(context, cases, batch, true);
    },
  }),
);

/** Characters that break naive key schemes, SQL, globs, URLs and JSON embedding (SPEC C1). */
const ODD_CHARACTERS = ['"', "'", ":", "{", "}", "%", "*", "?", "\\", "/", "\n", "\r", "\t", " ", "[", "]", "$", "#", "|", "😀", "☃", "é", "€", "\u200b", "\uFFFD", "a", "0"];

const validName: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...IDS_OF_255_BYTES),
  fc.array(fc.constantFrom(...ODD_CHARACTERS), { minLength: 1, maxLength: 40 }).map((characters) => characters.join("")),
);

/** The names a property run tries, each in a fresh world of its own. */
function roundTripProperty(context: CheckContext, prefix: string, body: (view: Backend, name: string, where: string) => Promise<void>): Promise<void> {
  const property = fc.asyncProperty(validName, async (name) => {
    ensure(utf8Length(name) <= 255, "kit bug: a valid name over 255 bytes");
    const scope = await freshScope(context, prefix);
    try {
      await body(scope.backend, name, `with the id ${JSON.stringify(name)} (${utf8Length(name)} bytes)`);
    } finally {
      await scope.release();
    }
  });
  return assertProperty(context, property);
}

/** One round-trip check per facet, each requiring only the facet's capability (the rest where declared). */
function boundaryRoundTrip(facet: FacetName, requires: readonly CapabilityName[], where: string, body: (context: CheckContext, view: Backend, name: string, where: string) => Promise<void>): Check {
  return defineCheck({
    id: `C1.boundary-round-trip.${facet}`,
    rule: "C1",
    title: `Ids of exactly 255 UTF-8 bytes and ids of odd characters round-trip exactly ${where}`,
    requires,
    kind: "property",
    run: (context) => roundTripProperty(context, `c1-valid-${facet}`, (view, name, at) => body(context, view, name, at)),
  });
}

const workflowsRoundTrip = boundaryRoundTrip("workflows", ["runs"], "as run, workflow, step, definition ids and versions (and event types where events are declared)", async (_context, view, name, where) => {
  const created = await view.workflows.createRun({ id: name, workflowId: name, version: name, input: { [name]: name }, context: { [name]: [name] } });
  sameData([created.run.id, created.run.workflowId, created.run.version, created.run.input, created.run.context], [name, name, name, { [name]: name }, { [name]: [name] }], `createRun ${where}`);
  sameData((await view.workflows.getRun(name))?.id, name, `getRun ${where}`);
  sameData((await view.workflows.listRuns({ limit: 10 })).items.map((run) => run.id), [name], `listRuns ${where}`);
  if (declaredBy(view)("events")) {
    await view.workflows.appendEvents(name, [{ type: name, payload: name }]);
    sameData((await view.workflows.readEvents(name)).map((event) => [event.runId, event.type, event.payload]), [[name, name, name]], `readEvents ${where}`);
  }
  await view.workflows.upsertStep(name, { id: name, status: "running", name });
  sameData((await view.workflows.getStep(name, name))?.id, name, `getStep ${where}`);
  await view.workflows.putDefinition({ id: name, version: name, spec: name });
  sameData((await view.workflows.getDefinition(name, name))?.spec, name, `getDefinition ${where}`);
});

const stateRoundTrip = boundaryRoundTrip("state", ["kv"], "as KV keys and execution ids", async (_context, view, name, where) => {
  const bytes = new Uint8Array([0, 255, 7]);
  await view.state.set(name, bytes);
  sameData(await view.state.get(name), bytes, `KV get ${where}`);
  await view.state.saveSnapshot({ executionId: name, sequence: 1, state: name });
  sameData((await view.state.loadSnapshot(name))?.executionId, name, `loadSnapshot ${where}`);
  sameData((await view.state.listSnapshots({ limit: 10 })).items, [name], `listSnapshots ${where}`);
  // executionKey adds its prefix and the name: only ids short enough leave room for both.
  if (utf8Length(name) <= 200) {
    await view.state.set(executionKey(name, "owned"), bytes);
    sameData(await view.state.deleteExecutionState(name), 2, `deleteExecutionState ${where}`);
  }
});

const engineRoundTrip = boundaryRoundTrip(
  "engine",
  ["leases"],
  "as queue names and worker ids (and idempotency keys, queue settings and signal keys where declared)",
  async (_context, view, name, where) => {
    const declared = declaredBy(view);
    const idempotent = declared("idempotency");
    const { id } = await view.engine.enqueue({ queue: name, payload: name, ...(idempotent ? { idempotencyKey: name } : {}) });
    if (idempotent) sameData(await view.engine.enqueue({ queue: name, idempotencyKey: name }), { id, created: false }, `enqueue again ${where}`);
    const [lease] = await view.engine.claim({ workerId: name, queues: [name], leaseMs: 1000 });
    sameData(lease && [lease.taskId, lease.queue, lease.workerId, lease.payload], [id, name, name, name], `claim ${where}`);
    const task = await view.engine.getTask(id);
    sameData(task && [task.queue, task.idempotencyKey, task.workerId], [name, idempotent ? name : null, name], `getTask ${where}`);
    if (declared("queueControl")) {
      sameData((await view.engine.setQueue(name, { paused: false })).queue, name, `setQueue ${where}`);
      sameData((await view.engine.queueStats(name)).counts.leased, 1, `queueStats ${where}`);
    }
    if (declared("signals")) {
      const sent = await view.engine.signal({ key: name, payload: name, idempotencyKey: name });
      const again = await view.engine.signal({ key: name, idempotencyKey: name });
      sameData([again.signalId, again.duplicate], [sent.signalId, true], `signal again ${where}`);
    }
  },
);

const tenantsRoundTrip = boundaryRoundTrip("tenants", ["tenancy"], "as tenant ids (a view of its own, sharing no KV value where kv is declared)", async (context, view, name, where) => {
  // As a tenant id: a view of its own, sharing nothing with the others.
  const tenant = view.forTenant(name);
  sameData(tenant.tenantId, name, `forTenant ${where}`);
  if (!declaredBy(view)("kv")) return;
  const bytes = new Uint8Array([0, 255, 7]);
  const key = context.unique("k");
  await tenant.state.set(key, bytes);
  sameData(await tenant.state.get(key), bytes, `KV in tenant ${where}`);
  sameData(await view.state.get(key), null, `KV of tenant ${where} seen from another tenant`);
});

export const checks: Check[] = [...invalidInput, ...everyInvalidPart, workflowsRoundTrip, stateRoundTrip, engineRoundTrip, tenantsRoundTrip];
