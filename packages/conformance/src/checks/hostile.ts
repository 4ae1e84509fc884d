/**
 * Hostile input (SPEC C1, C2, C4). fast-check feeds every public method strings built from what
 * breaks naive implementations (quotes, `%`, `_`, `{}`, `*`, `?`, backslashes, newlines, emoji,
 * surrogate pairs and lone surrogates, U+0000, SQL and Lua fragments, glob patterns, JSON-path-like
 * keys), JSON values with such keys and strings, extreme numbers, values nested around the 256-level
 * limit, and values around `maxPayloadBytes`. Every call must either behave per the SPEC — valid
 * input round-trips exactly: what was written is what is read — or throw a MooringError with a
 * listed code: VALIDATION exactly when the input is invalid (judged here by an oracle written
 * independently of core's validation), a state-dependent code otherwise. Never a raw driver error,
 * never UNAVAILABLE for well-formed input, never a hang (each call is bounded in real time), and a
 * rejected call leaves the tenant exactly as it was: runs, events, steps, snapshots, values, tasks,
 * queue counts, dead letters, tokens, and the names a mangling backend would have written to (a lone
 * surrogate replaced by U+FFFD, a string cut at U+0000, Unicode-normalized, trimmed, truncated).
 */
import { isDeepStrictEqual } from "node:util";
import { AssertionError } from "node:assert";
import fc from "fast-check";
import {
  type Backend,
  type CapabilityName,
  DEFAULTS,
  ERROR_CODES,
  type ErrorCode,
  executionKey,
  hasCapability,
  type Json,
  type JsonObject,
  type Lease,
  MooringError,
} from "@mooring/core";
import { assertProperty } from "../fast-check.js";
import { jsonView } from "../model/json.js";
import { withinHangBound } from "../hang.js";
import { type Check, type CheckContext, defineCheck } from "../registry.js";

// ---------------------------------------------------------------------------------------------
// Hostile values

/** Fragments that break naive key schemes, SQL, Lua, globs, JSON paths, URLs and terminals. */
export const HOSTILE_FRAGMENTS: readonly string[] = [
  "'",
  '"',
  "`",
  "%",
  "_",
  "{",
  "}",
  "{x}",
  "{}",
  "*",
  "?",
  "[a-z]",
  "[",
  "]",
  "\\",
  "\\\\",
  "\\u0000",
  "\n",
  "\r\n",
  "\t",
  " ",
  ":",
  "::",
  "/",
  ".",
  "..",
  "../",
  "a.b",
  "$",
  "$[0]",
  "$.a",
  "#",
  "|",
  ",",
  ";",
  "--",
  "/*",
  "*/",
  "'; DROP TABLE x; --",
  "%' OR '1'='1",
  '" OR ""="',
  "\\'",
  "$1",
  "NULL",
  "null",
  "undefined",
  "]]",
  "[[",
  "redis.call(",
  "redis.call('FLUSHALL')",
  "KEYS *",
  "\r\nSET x 1\r\n",
  "%s%n",
  "${x}",
  "__proto__",
  "constructor",
  "toString",
  "😀",
  "👩‍👩‍👧",
  "e\u0301",
  "é",
  "ﬁ",
  "Å",
  "A\u030a",
  "𝕏",
  "\u200b",
  "\uFEFF",
  "\u2028",
  "\u007f",
  "\u0001",
  "\uFFFD",
  "\uFFFF",
  "ÿ",
  "€",
  "a",
  "A",
  "0",
  "a".repeat(120),
  "😀".repeat(40),
];

/** Fragments that make a string invalid (SPEC C1): U+0000 and lone surrogates. */
const INVALID_FRAGMENTS: readonly string[] = ["\u0000", "\uD800", "\uDBFF", "\uDC00", "\uDFFF", "😀".slice(0, 1), "😀".slice(1)];

/** A string of hostile fragments and random characters: mostly valid, sometimes not (empty, too long, unclean). */
export const hostileString: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom(...HOSTILE_FRAGMENTS) },
      { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 4 }) },
      { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 3 }) },
      { weight: 1, arbitrary: fc.constantFrom(...INVALID_FRAGMENTS) },
    ),
    { minLength: 0, maxLength: 5 },
  )
  .map((parts) => parts.join(""));

/** Numbers that are out of range somewhere, or only barely in range. */
export const EXTREME_NUMBERS: readonly number[] = [
  -0,
  0,
  1,
  -1,
  0.5,
  1.5,
  2 ** 31 - 1,
  2 ** 31,
  2 ** 32,
  2 ** 53 - 1,
  2 ** 53,
  2 ** 53 + 2,
  -(2 ** 53 - 1),
  -(2 ** 53),
  1e308,
  -1e308,
  Number.MAX_VALUE,
  5e-324,
  0.1 + 0.2,
  1e-7,
  123456.789,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
];

const hostileKey: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.constantFrom("", "__proto__", "constructor", "toString", "hasOwnProperty", "a.b", "$[0]", "$", "{}", "*", "'", "\\", "0", "-1") },
);

const hostileLeaf: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: hostileString },
  { weight: 2, arbitrary: fc.constantFrom(...EXTREME_NUMBERS) },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.constantFrom(true, false, null) },
);

const hostileTree: fc.Arbitrary<unknown> = fc.letrec<{ node: unknown }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    hostileLeaf,
    fc.array(tie("node"), { maxLength: 3 }),
    // Object.fromEntries makes every member an own data property, "__proto__" included.
    fc.array(fc.tuple(hostileKey, tie("node")), { maxLength: 3 }).map((entries) => Object.fromEntries(entries)),
  ),
})).node;

/** `value` wrapped in `depth` containers, alternating arrays and objects keyed by `key`. */
export function nestedIn(value: unknown, depth: number, key = "a", shape: "array" | "object" | "mixed" = "mixed"): unknown {
  let node = value;
  for (let i = 0; i < depth; i++) {
    const array = shape === "array" || (shape === "mixed" && i % 2 === 0);
    node = array ? [node] : Object.fromEntries([[key, node]]);
  }
  return node;
}

/** A hostile JSON value, sometimes nested right around the 256-level limit. */
const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: hostileTree },
  {
    weight: 1,
    arbitrary: fc
      .tuple(hostileLeaf, fc.constantFrom(254, 255, 256, 257, 300), hostileKey, fc.constantFrom<"array" | "object" | "mixed">("array", "object", "mixed"))
      .map(([leaf, depth, key, shape]) => nestedIn(leaf, depth, key, shape)),
  },
);

// ---------------------------------------------------------------------------------------------
// The oracle: what SPEC C1 accepts, written independently of core's validation

/** Whether `text` is well-formed Unicode without U+0000. */
export function isCleanText(text: string): boolean {
  return !text.includes("\u0000") && !/\p{Cs}/u.test(text);
}

export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

/** An id, key, queue name or tenant id (SPEC C1). */
export function isValidId(text: string): boolean {
  return text.length > 0 && isCleanText(text) && utf8Bytes(text) <= 255;
}

/** A free-text field (names, reasons, messages). */
function isValidText(text: string, maxBytes = 4096): boolean {
  return isCleanText(text) && utf8Bytes(text) <= maxBytes;
}

/** The deepest level at which a node sits (the root at 0); -1 when `value` is not JSON. */
function jsonDepth(value: unknown): number {
  if (value === null || typeof value === "boolean" || typeof value === "string") return 0;
  if (typeof value === "number") return Number.isFinite(value) ? 0 : -1;
  if (typeof value !== "object") return -1;
  const children = Array.isArray(value) ? value : Object.values(value);
  let deepest = 0;
  for (const child of children) {
    const depth = jsonDepth(child);
    if (depth < 0) return -1;
    deepest = Math.max(deepest, depth + 1);
  }
  return deepest;
}

function jsonStringsClean(value: unknown): boolean {
  if (typeof value === "string") return isCleanText(value);
  if (Array.isArray(value)) return value.every(jsonStringsClean);
  if (typeof value === "object" && value !== null) return Object.entries(value).every(([key, member]) => isCleanText(key) && jsonStringsClean(member));
  return true;
}

/** Whether `value` is a JSON payload SPEC C1 accepts: finite numbers, clean strings, ≤ 256 levels, ≤ maxPayloadBytes. */
export function isValidJson(value: unknown, maxBytes: number = DEFAULTS.maxPayloadBytes): boolean {
  const depth = jsonDepth(value);
  return depth >= 0 && depth <= 256 && jsonStringsClean(value) && utf8Bytes(JSON.stringify(value)) <= maxBytes;
}

/** What the oracle expects of a call: success, VALIDATION, or either (where the contract leaves it open). */
export type Verdict = "valid" | "invalid" | "either";

const verdict = (valid: boolean): Verdict => (valid ? "valid" : "invalid");

/** An event payload is one payload: the same depth and size limits as every other JSON value (C1). */
function eventPayloadVerdict(payload: unknown): Verdict {
  return verdict(isValidJson(payload));
}

// ---------------------------------------------------------------------------------------------
// Comparing what was written with what is read

/** A short rendering of a value for failure messages (inputs may be a MiB). */
export function brief(value: unknown, limit = 160): string {
  let text: string;
  try {
    text = value instanceof Uint8Array ? `Uint8Array(${value.byteLength})` : typeof value === "string" ? JSON.stringify(value) : fc.stringify(value);
  } catch {
    text = String(value);
  }
  return text.length > limit ? `${text.slice(0, limit)}… (${text.length} characters)` : text;
}

/** Fails unless `actual` equals `expected` as JSON (or bytes) values. */
export function expectSame(what: string, actual: unknown, expected: unknown): void {
  if (!isDeepStrictEqual(jsonView(actual), jsonView(expected))) {
    throw new AssertionError({ message: `${what}: expected ${brief(expected, 400)}, got ${brief(actual, 400)}` });
  }
}

export function ensureThat(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError({ message });
}

// ---------------------------------------------------------------------------------------------
// Bounded calls

/**
 * Resolves or rejects as `call` does, or fails with a `CheckTimeout` naming `what` after `HANG_MS`
 * of real time. A synchronous throw counts as a rejection.
 */
export function bounded<T>(what: string, call: () => Promise<T> | T): Promise<T> {
  return withinHangBound(Promise.resolve().then(call), what);
}

// ---------------------------------------------------------------------------------------------
// The tenant a property run works in

interface Env {
  readonly ctx: CheckContext;
  readonly view: Backend;
  readonly runId: string;
  readonly queue: string;
  readonly key: string;
  readonly ownedKey: string;
  readonly executionId: string;
  /** Every task of the tenant. */
  readonly taskIds: string[];
  /** Every run of the tenant. */
  readonly runIds: Set<string>;
  /** Every KV key set in the tenant. */
  readonly keys: Set<string>;
  readonly declared: (capability: CapabilityName) => boolean;
  leaseCount: number;
}

async function openEnv(ctx: CheckContext, prefix: string): Promise<Env> {
  const view = ctx.backend.forTenant(ctx.unique(prefix));
  const env: Env = {
    ctx,
    view,
    runId: "run-seed",
    queue: "queue-seed",
    key: "key-seed",
    ownedKey: executionKey("exec-seed", "owned"),
    executionId: "exec-seed",
    taskIds: [],
    runIds: new Set(["run-seed"]),
    keys: new Set(),
    declared: (capability) => hasCapability(view.capabilities, capability),
    leaseCount: 0,
  };
  await view.workflows.createRun({ id: env.runId, workflowId: "wf", version: "1", context: { seed: [1] } });
  if (env.declared("events")) await view.workflows.appendEvents(env.runId, [{ type: "seed", payload: { n: 1 } }]);
  await view.state.set(env.key, new Uint8Array([1, 2, 3]));
  await view.state.set(env.ownedKey, new Uint8Array([4]));
  env.keys.add(env.key).add(env.ownedKey);
  await view.state.saveSnapshot({ executionId: env.executionId, sequence: 1, state: { seed: true } });
  env.taskIds.push((await view.engine.enqueue({ queue: env.queue, payload: "seed" })).id);
  return env;
}

/** A fresh task in a queue of its own, leased; its task joins the tenant's tasks. */
async function freshLease(env: Env): Promise<Lease> {
  const queue = `lease-queue-${env.leaseCount++}`;
  const { id } = await env.view.engine.enqueue({ queue, payload: "leased" });
  env.taskIds.push(id);
  const [lease] = await env.view.engine.claim({ workerId: "hostile-worker", queues: [queue], leaseMs: 60_000 });
  if (!lease) throw new AssertionError({ message: `setup: a claim on a fresh queue with one ready task granted nothing` });
  return lease;
}

/** The names a backend that mangles strings would have written to instead of `text`. */
function mangledNames(text: string): string[] {
  const names = new Set<string>([text]);
  names.add(text.replace(/\p{Cs}/gu, "\uFFFD"));
  names.add(text.replaceAll("\u0000", ""));
  names.add(text.split("\u0000")[0] ?? "");
  if (isCleanText(text)) {
    names.add(text.normalize("NFC"));
    names.add(text.normalize("NFD"));
    names.add(text.trim());
  }
  const cut = Buffer.from(text, "utf8").subarray(0, 255).toString("utf8").replace(/\uFFFD$/u, "");
  names.add(cut);
  return [...names].filter(isValidId);
}

/** Everything observable of the tenant that a call could have changed; `probes` adds reads under those names. */
async function fingerprint(env: Env, probes: readonly string[], tenants: boolean): Promise<unknown> {
  const { view } = env;
  const read = <T>(what: string, call: () => Promise<T>): Promise<T> => bounded(`fingerprint read ${what}`, call);
  const names = [...new Set(probes.flatMap(mangledNames))];
  const probed: unknown[] = [];
  for (const name of names) {
    probed.push([
      name,
      await read("state.get", () => view.state.get(name)),
      env.declared("events") ? await read("readEvents", () => view.workflows.readEvents(name)) : null,
      await read("listDefinitions", () => view.workflows.listDefinitions(name)),
      env.declared("queueControl") ? await read("queueStats", () => view.engine.queueStats(name)) : null,
      tenants && env.declared("tenancy") ? await read("tenants.get", () => view.tenants.get(name)) : null,
    ]);
  }
  return {
    runs: await read("listRuns", () => view.workflows.listRuns({ limit: 1000 })),
    events: env.declared("events") ? await read("readEvents", () => view.workflows.readEvents(env.runId)) : null,
    steps: await read("listSteps", () => view.workflows.listSteps(env.runId)),
    snapshot: env.declared("snapshots") ? await read("latestSnapshot", () => view.workflows.latestSnapshot(env.runId)) : null,
    cached: await read("listSnapshots", () => view.state.listSnapshots({ limit: 1000 })),
    values: await Promise.all([...env.keys].map((key) => read("state.get", () => view.state.get(key)))),
    tasks: await Promise.all(env.taskIds.map((id) => read("getTask", () => view.engine.getTask(id)))),
    queue: env.declared("queueControl") ? await read("queueStats", () => view.engine.queueStats(env.queue)) : null,
    dead: env.declared("deadLetter") ? await read("listDeadLetters", () => view.engine.listDeadLetters({ limit: 1000 })) : null,
    tokens: env.declared("tokens") ? await read("tokens.list", () => view.tokens.list()) : null,
    tenants: tenants && env.declared("tenancy") ? await read("tenants.list", () => view.tenants.list({ limit: 10_000 })) : null,
    probed,
  };
}

interface Attempt<T> {
  readonly what: string;
  readonly verdict: Verdict;
  readonly call: () => Promise<T> | T;
  /** Checks the effect of a successful call (the round trip). */
  readonly verify?: (value: T) => Promise<void> | void;
  /** Codes a valid call may meet because of the tenant's state (NOT_FOUND for an unknown run…). */
  readonly allowed?: readonly ErrorCode[];
  /** Strings of the call whose (mangled) names a rejected call must not have written to. */
  readonly probes?: readonly string[];
  /** Whether the call may touch tenant records (global), so that they join the fingerprint. */
  readonly tenants?: boolean;
}

/**
 * Makes one call and judges it (see the file comment). Resolves with the call's value when it
 * succeeded, else with undefined.
 */
async function attempt<T>(env: Env, input: Attempt<T>): Promise<T | undefined> {
  const probes = input.probes ?? [];
  const before = await fingerprint(env, probes, input.tenants ?? false);
  let outcome: { ok: true; value: T } | { ok: false; error: unknown };
  try {
    outcome = { ok: true, value: await bounded(input.what, input.call) };
  } catch (error) {
    if (error instanceof AssertionError) throw error;
    outcome = { ok: false, error };
  }
  if (outcome.ok) {
    ensureThat(input.verdict !== "invalid", `${input.what}: succeeded, but the input is invalid (SPEC C1 requires VALIDATION); it returned ${brief(outcome.value)}`);
    await input.verify?.(outcome.value);
    return outcome.value;
  }
  const { error } = outcome;
  if (!MooringError.is(error)) {
    const raw = error instanceof Error ? `${error.name}: ${error.message}` : brief(error);
    throw new AssertionError({ message: `${input.what}: threw a non-Mooring error (SPEC C4: native errors never leak): ${raw}` });
  }
  ensureThat((ERROR_CODES as readonly string[]).includes(error.code), `${input.what}: threw a MooringError with the unlisted code ${error.code} (SPEC C4)`);
  if (input.verdict === "invalid") {
    ensureThat(error.code === "VALIDATION", `${input.what}: the input is invalid, so SPEC C1 requires VALIDATION; got ${error.code}: ${error.message}`);
  } else if (error.code !== "VALIDATION" || input.verdict === "valid") {
    const allowed = input.allowed ?? [];
    ensureThat(
      allowed.includes(error.code),
      `${input.what}: the input is valid, but the call threw ${error.code}: ${error.message}${allowed.length > 0 ? ` (expected success or ${allowed.join(", ")})` : ""}`,
    );
  }
  expectSame(`${input.what}: the rejected call changed the tenant's state (SPEC C2)`, await fingerprint(env, probes, input.tenants ?? false), before);
  return undefined;
}

/** A byte value made from a string (lone surrogates become U+FFFD: bytes are bytes). */
const bytesOf = (text: string): Uint8Array => new TextEncoder().encode(`v:${text}`);

function base64url(text: string): string {
  return Buffer.from(text, "utf8").toString("base64url");
}

/** Cursors no list returned: hostile strings, and base64url JSON that looks like a cursor. */
function forgedCursors(text: string): string[] {
  return [text, base64url(text), base64url(JSON.stringify(["runs", text])), base64url(JSON.stringify(["snapshots", text])), base64url(JSON.stringify([text, -1]))];
}

const isCursorText = (text: string): boolean => isValidText(text, 1024);

// ---------------------------------------------------------------------------------------------
// Strings through every method

interface StringOp {
  readonly name: string;
  readonly requires: readonly CapabilityName[];
  run(env: Env, a: string, b: string): Promise<void>;
}

const stringOps: readonly StringOp[] = [
  // WorkflowStore
  {
    name: "workflows.putDefinition / getDefinition / listDefinitions",
    requires: ["runs"],
    async run(env, a, b) {
      const { workflows } = env.view;
      await attempt(env, {
        what: `putDefinition({ id: ${brief(a)}, version: ${brief(b)} })`,
        verdict: verdict(isValidId(a) && isValidId(b)),
        probes: [a, b],
        call: () => workflows.putDefinition({ id: a, version: b, spec: { [b]: a } }),
        verify: async (result) => {
          expectSame("putDefinition's record", [result.definition.id, result.definition.version, result.definition.spec], [a, b, { [b]: a }]);
          expectSame("getDefinition after putDefinition", (await workflows.getDefinition(a, b))?.spec, { [b]: a });
          ensureThat((await workflows.listDefinitions(a)).some((d) => d.version === b), `listDefinitions(${brief(a)}) lacks version ${brief(b)}`);
        },
      });
      await attempt(env, {
        what: `getDefinition(${brief(b)}, ${brief(a)})`,
        verdict: verdict(isValidId(a) && isValidId(b)),
        call: () => workflows.getDefinition(b, a),
        verify: (definition) => ensureThat(definition === null || (definition.id === b && definition.version === a), `getDefinition returned another definition: ${brief(definition)}`),
      });
    },
  },
  {
    name: "workflows.createRun / getRun / listRuns",
    requires: ["runs"],
    async run(env, a, b) {
      const { workflows } = env.view;
      const existed = env.runIds.has(a);
      await attempt(env, {
        what: `createRun({ id: ${brief(a)}, workflowId: ${brief(b)} })`,
        verdict: verdict(isValidId(a) && isValidId(b)),
        probes: [a, b],
        call: () => workflows.createRun({ id: a, workflowId: b, version: b, input: { [b]: a }, context: { [a]: [b] } }),
        verify: async ({ run, created }) => {
          env.runIds.add(a);
          expectSame("createRun's created", created, !existed);
          expectSame("createRun's run id", run.id, a);
          if (!created) return;
          expectSame("the run as created", [run.workflowId, run.version, run.input, run.context, run.status], [b, b, { [b]: a }, { [a]: [b] }, "pending"]);
          expectSame("getRun after createRun", await workflows.getRun(a), run);
          ensureThat((await workflows.listRuns({ limit: 1000 })).items.some((item) => item.id === a), `listRuns lacks run ${brief(a)}`);
        },
      });
    },
  },
  {
    name: "workflows reads of a named run",
    requires: ["runs", "events"],
    async run(env, a, b) {
      const { workflows } = env.view;
      const known = env.runIds.has(a);
      const valid = verdict(isValidId(a));
      await attempt(env, { what: `getRun(${brief(a)})`, verdict: valid, call: () => workflows.getRun(a), verify: (run) => expectSame("getRun's id", run?.id ?? null, known ? a : null) });
      await attempt(env, { what: `latestSequence(${brief(a)})`, verdict: valid, call: () => workflows.latestSequence(a), verify: (n) => ensureThat(known || n === 0, `latestSequence of an unknown run is ${n}`) });
      await attempt(env, { what: `readEvents(${brief(a)})`, verdict: valid, call: () => workflows.readEvents(a), verify: (events) => ensureThat(known || events.length === 0, `readEvents of an unknown run returned ${brief(events)}`) });
      await attempt(env, { what: `listSteps(${brief(a)})`, verdict: valid, call: () => workflows.listSteps(a), verify: (steps) => ensureThat(known || steps.length === 0, `listSteps of an unknown run returned ${brief(steps)}`) });
      await attempt(env, {
        what: `getStep(${brief(a)}, ${brief(b)})`,
        verdict: verdict(isValidId(a) && isValidId(b)),
        call: () => workflows.getStep(a, b),
        verify: (step) => ensureThat(step === null || (step.runId === a && step.id === b), `getStep returned another step: ${brief(step)}`),
      });
    },
  },
  {
    name: "workflows.deleteRun / setRunStatus",
    requires: ["runs"],
    async run(env, a) {
      const { workflows } = env.view;
      await attempt(env, {
        what: `setRunStatus(${brief(a)}, "running")`,
        verdict: verdict(isValidId(a)),
        allowed: ["NOT_FOUND", "CONFLICT", "INVALID_STATE"],
        probes: [a],
        call: () => workflows.setRunStatus(a, "running"),
        verify: (run) => expectSame("setRunStatus's run", [run.id, run.status], [a, "running"]),
      });
      const existed = env.runIds.has(a);
      await attempt(env, {
        what: `deleteRun(${brief(a)})`,
        verdict: verdict(isValidId(a)),
        probes: [a],
        call: () => workflows.deleteRun(a),
        verify: async (deleted) => {
          expectSame(`deleteRun(${brief(a)}) (whether it existed)`, deleted, existed);
          env.runIds.delete(a);
          expectSame("getRun after deleteRun", await workflows.getRun(a), null);
          if (a !== env.runId) ensureThat((await workflows.getRun(env.runId)) !== null, `deleteRun(${brief(a)}) removed the run ${env.runId}`);
        },
      });
    },
  },
  {
    name: "workflows.setContext / appendToContext",
    requires: ["runs"],
    async run(env, a, b) {
      const { workflows } = env.view;
      if (!env.runIds.has(env.runId)) return;
      const context: JsonObject = Object.fromEntries([
        [a, b],
        [b, [a]],
      ]);
      await attempt(env, {
        what: `setContext(${env.runId}, ${brief(context)})`,
        verdict: verdict(isCleanText(a) && isCleanText(b)),
        call: () => workflows.setContext(env.runId, context),
        verify: async (run) => {
          expectSame("setContext's run context", run.context, context);
          expectSame("getRun after setContext", (await workflows.getRun(env.runId))?.context, context);
        },
      });
      await attempt(env, {
        what: `appendToContext(${env.runId}, ${brief(a)}, ${brief(b)})`,
        verdict: verdict(isValidId(a) && isCleanText(b)),
        allowed: ["INVALID_STATE"],
        call: () => workflows.appendToContext(env.runId, a, b),
        verify: async (run) => {
          const member = run.context[a];
          ensureThat(Array.isArray(member) && isDeepStrictEqual(member.at(-1), b), `appendToContext: context[${brief(a)}] is ${brief(member)}, expected an array ending with ${brief(b)}`);
          expectSame("getRun after appendToContext", (await workflows.getRun(env.runId))?.context, run.context);
        },
      });
    },
  },
  {
    name: "workflows.upsertStep / appendEvents / writeSnapshot",
    requires: ["runs", "events", "snapshots"],
    async run(env, a, b) {
      const { workflows } = env.view;
      if (!env.runIds.has(env.runId)) return;
      await attempt(env, {
        what: `upsertStep(${env.runId}, { id: ${brief(a)}, name: ${brief(b)} })`,
        verdict: verdict(isValidId(a) && isValidText(b)),
        call: () => workflows.upsertStep(env.runId, { id: a, status: "running", name: b, output: { [b]: a } }),
        verify: async (step) => {
          expectSame("upsertStep's step", [step.runId, step.id, step.name, step.output], [env.runId, a, b, { [b]: a }]);
          expectSame("getStep after upsertStep", await workflows.getStep(env.runId, a), step);
        },
      });
      const latest = await workflows.latestSequence(env.runId);
      await attempt(env, {
        what: `appendEvents(${env.runId}, [{ type: ${brief(a)}, payload: ${brief(b)} }])`,
        verdict: verdict(isValidId(a) && isCleanText(b)),
        call: () => workflows.appendEvents(env.runId, [{ type: a, payload: b }, { type: "after", payload: [a, b] }]),
        verify: async (sequences) => {
          expectSame("appendEvents' sequences", sequences, [latest + 1, latest + 2]);
          const events = await workflows.readEvents(env.runId, { after: latest });
          expectSame("readEvents after appendEvents", events.map((e) => [e.sequence, e.type, e.payload]), [
            [latest + 1, a, b],
            [latest + 2, "after", [a, b]],
          ]);
        },
      });
      await attempt(env, {
        what: `appendEvents to the unknown run ${brief(a)}`,
        verdict: verdict(isValidId(a)),
        allowed: ["NOT_FOUND"],
        probes: [a],
        call: () => workflows.appendEvents(a, [{ type: "x" }]),
        verify: () => ensureThat(env.runIds.has(a), `appendEvents to the unknown run ${brief(a)} succeeded`),
      });
      const atSequence = await workflows.latestSequence(env.runId);
      const state = Object.fromEntries([[a, b]]);
      await attempt(env, {
        what: `writeSnapshot(${env.runId}, { state: ${brief(state)} })`,
        verdict: verdict(isCleanText(a) && isCleanText(b)),
        call: () => workflows.writeSnapshot(env.runId, { atSequence, state }),
        verify: async () => expectSame("latestSnapshot after writeSnapshot", (await workflows.latestSnapshot(env.runId))?.state, state),
      });
    },
  },
  {
    name: "workflows.commit",
    requires: ["runs", "events", "commit"],
    async run(env, a, b) {
      const { workflows } = env.view;
      if (!env.runIds.has(env.runId)) return;
      const latest = await workflows.latestSequence(env.runId);
      const context = Object.fromEntries([[b, a]]);
      await attempt(env, {
        what: `commit(${env.runId}, { events: [{ type: ${brief(a)} }], context: ${brief(context)}, steps: [{ id: ${brief(a)} }] })`,
        verdict: verdict(isValidId(a) && isCleanText(b)),
        call: () => workflows.commit(env.runId, { events: [{ type: a, payload: b }], context, steps: [{ id: a, status: "completed", output: b }] }),
        verify: async (result) => {
          expectSame("commit's sequences", result.sequences, [latest + 1]);
          expectSame("the run's context after commit", (await workflows.getRun(env.runId))?.context, context);
          expectSame("the event commit wrote", (await workflows.readEvents(env.runId, { after: latest })).map((e) => [e.type, e.payload]), [[a, b]]);
          expectSame("the step commit wrote", (await workflows.getStep(env.runId, a))?.output, b);
        },
      });
    },
  },
  {
    name: "lists with forged cursors",
    requires: ["runs", "kv"],
    async run(env, a) {
      for (const cursor of forgedCursors(a)) {
        // A cursor no list returned is invalid input a backend may or may not recognise: it may
        // answer VALIDATION, or a page, but only of the tenant's own items.
        await attempt(env, {
          what: `listRuns with the cursor ${brief(cursor)}`,
          verdict: isCursorText(cursor) ? "either" : "invalid",
          call: () => env.view.workflows.listRuns({ limit: 5, cursor }),
          verify: (page) => ensureThat(page.items.every((run) => env.runIds.has(run.id)), `listRuns with a forged cursor returned runs of no one's: ${brief(page.items.map((run) => run.id))}`),
        });
        await attempt(env, {
          what: `listSnapshots with the cursor ${brief(cursor)}`,
          verdict: isCursorText(cursor) ? "either" : "invalid",
          call: () => env.view.state.listSnapshots({ limit: 5, cursor }),
          verify: async (page) => {
            const own = new Set((await env.view.state.listSnapshots({ limit: 1000 })).items);
            ensureThat(page.items.every((id) => own.has(id)), `listSnapshots with a forged cursor returned ids of no one's: ${brief(page.items)}`);
          },
        });
      }
    },
  },

  // StateStore
  {
    name: "state.set / get / exists / delete",
    requires: ["kv"],
    async run(env, a, b) {
      const { state } = env.view;
      const value = bytesOf(b);
      await attempt(env, {
        what: `set(${brief(a)})`,
        verdict: verdict(isValidId(a)),
        probes: [a],
        call: () => state.set(a, value),
        verify: async () => {
          env.keys.add(a);
          expectSame(`get(${brief(a)}) after set`, await state.get(a), value);
          expectSame(`exists(${brief(a)}) after set`, await state.exists(a), true);
          if (a !== env.key) expectSame(`the neighbouring key after set(${brief(a)})`, await state.get(env.key), new Uint8Array([1, 2, 3]));
        },
      });
      const known = env.keys.has(b);
      await attempt(env, { what: `get(${brief(b)})`, verdict: verdict(isValidId(b)), call: () => state.get(b), verify: (got) => ensureThat(known || got === null, `get of a key never set returned ${brief(got)}`) });
      await attempt(env, { what: `exists(${brief(b)})`, verdict: verdict(isValidId(b)), call: () => state.exists(b), verify: (found) => expectSame(`exists(${brief(b)})`, found, known) });
      await attempt(env, {
        what: `delete(${brief(b)})`,
        verdict: verdict(isValidId(b)),
        probes: [b],
        call: () => state.delete(b),
        verify: async (deleted) => {
          expectSame(`delete(${brief(b)}) (whether it existed)`, deleted, known);
          env.keys.delete(b);
          expectSame(`get(${brief(b)}) after delete`, await state.get(b), null);
        },
      });
    },
  },
  {
    name: "state.setIfAbsent / compareAndSet",
    requires: ["kv", "kvCas"],
    async run(env, a, b) {
      const { state } = env.view;
      const first = bytesOf(a);
      const next = bytesOf(b);
      const known = env.keys.has(a);
      await attempt(env, {
        what: `setIfAbsent(${brief(a)})`,
        verdict: verdict(isValidId(a)),
        probes: [a],
        call: () => state.setIfAbsent(a, first),
        verify: async (won) => {
          expectSame(`setIfAbsent(${brief(a)}) (absent before)`, won, !known);
          if (won) expectSame(`get(${brief(a)}) after setIfAbsent`, await state.get(a), first);
          env.keys.add(a);
        },
      });
      const current = isValidId(a) ? await state.get(a) : first;
      await attempt(env, {
        what: `compareAndSet(${brief(a)})`,
        verdict: verdict(isValidId(a)),
        probes: [a],
        call: () => state.compareAndSet(a, current, next),
        verify: async (swapped) => {
          expectSame(`compareAndSet(${brief(a)}) with the current value`, swapped, true);
          expectSame(`get(${brief(a)}) after compareAndSet`, await state.get(a), next);
        },
      });
    },
  },
  {
    name: "state snapshots and deleteExecutionState",
    requires: ["kv"],
    async run(env, a, b) {
      const { state } = env.view;
      await attempt(env, {
        what: `saveSnapshot({ executionId: ${brief(a)}, state: ${brief(b)} })`,
        verdict: verdict(isValidId(a) && isCleanText(b)),
        probes: [a],
        call: () => state.saveSnapshot({ executionId: a, sequence: 7, state: b }),
        verify: async () => {
          const loaded = await state.loadSnapshot(a);
          expectSame(`loadSnapshot(${brief(a)})`, loaded && [loaded.executionId, loaded.sequence, loaded.state], [a, 7, b]);
          ensureThat((await state.listSnapshots({ limit: 1000 })).items.includes(a), `listSnapshots lacks ${brief(a)}`);
        },
      });
      let owned: string | null = null;
      try {
        owned = executionKey(a, b);
      } catch (error) {
        ensureThat(MooringError.is(error, "VALIDATION"), `executionKey(${brief(a)}, ${brief(b)}) threw ${brief(error)}, not VALIDATION`);
      }
      if (owned !== null) {
        await state.set(owned, bytesOf("owned"));
        env.keys.add(owned);
      }
      const ownedKey = owned;
      await attempt(env, {
        what: `deleteExecutionState(${brief(a)})`,
        verdict: verdict(isValidId(a)),
        probes: [a],
        call: () => state.deleteExecutionState(a),
        verify: async (removed) => {
          if (ownedKey !== null) {
            ensureThat(removed >= 1, `deleteExecutionState(${brief(a)}) removed ${removed} entries, but ${brief(ownedKey)} was there`);
            expectSame(`get(${brief(ownedKey)}) after deleteExecutionState`, await state.get(ownedKey), null);
            env.keys.delete(ownedKey);
          }
          expectSame(`loadSnapshot(${brief(a)}) after deleteExecutionState`, await state.loadSnapshot(a), null);
          if (a !== env.executionId) {
            expectSame(`another execution's key after deleteExecutionState(${brief(a)}) (SPEC S4)`, await state.get(env.ownedKey), new Uint8Array([4]));
            ensureThat((await state.loadSnapshot(env.executionId)) !== null, `deleteExecutionState(${brief(a)}) removed another execution's snapshot (SPEC S4)`);
          }
        },
      });
    },
  },

  // EngineBackend
  {
    name: "engine.enqueue / claim / complete",
    requires: ["leases", "idempotency"],
    async run(env, a, b) {
      const { engine } = env.view;
      const enqueued = await attempt(env, {
        what: `enqueue({ queue: ${brief(a)}, idempotencyKey: ${brief(a)}, runId: ${brief(b)} })`,
        verdict: verdict(isValidId(a) && isValidId(b)),
        probes: [a, b],
        call: () => engine.enqueue({ queue: a, payload: { [a]: b }, idempotencyKey: a, runId: b }),
        verify: async ({ id, created }) => {
          if (!env.taskIds.includes(id)) env.taskIds.push(id);
          const task = await engine.getTask(id);
          // An earlier call of this run may have used the key: then the first task stands (E2).
          if (created) expectSame("the enqueued task", task && [task.queue, task.payload, task.idempotencyKey, task.runId], [a, { [a]: b }, a, b]);
          expectSame("enqueue again with the same key", await engine.enqueue({ queue: a, idempotencyKey: a }), { id, created: false });
        },
      });
      if (!enqueued) return;
      const leases = await attempt(env, {
        what: `claim({ workerId: ${brief(b)}, queues: [${brief(a)}] })`,
        verdict: "valid",
        call: () => engine.claim({ workerId: b, queues: [a], leaseMs: 60_000, limit: 10 }),
        verify: (granted) => {
          ensureThat(granted.every((lease) => lease.queue === a && lease.workerId === b && env.taskIds.includes(lease.taskId)), `claim returned a lease of another queue or tenant: ${brief(granted)}`);
          const own = granted.find((lease) => lease.taskId === enqueued.id);
          ensureThat(own === undefined || isDeepStrictEqual(jsonView(own.payload), jsonView({ [a]: b })), `the lease's payload differs from the enqueued one: ${brief(own?.payload)}`);
        },
      });
      for (const lease of leases ?? []) {
        await attempt(env, {
          what: `complete(lease of queue ${brief(a)}, { result: ${brief(b)} })`,
          verdict: "valid",
          call: () => engine.complete(lease, { result: b }),
          verify: async () => expectSame("the completed task's result", (await engine.getTask(lease.taskId))?.result, b),
        });
      }
    },
  },
  {
    name: "engine.enqueueMany / claim",
    requires: ["leases", "idempotency"],
    async run(env, a, b) {
      const { engine } = env.view;
      await attempt(env, {
        what: `enqueueMany([{ queue: ${brief(a)} }, { queue: ${brief(b)}, idempotencyKey: ${brief(a)} }])`,
        verdict: verdict(isValidId(a) && isValidId(b)),
        probes: [a, b],
        call: () => engine.enqueueMany([{ queue: a, payload: b }, { queue: b, payload: a, idempotencyKey: a }]),
        verify: async (results) => {
          expectSame("enqueueMany's result count", results.length, 2);
          for (const { id } of results) if (!env.taskIds.includes(id)) env.taskIds.push(id);
          const tasks = await Promise.all(results.map(({ id }) => engine.getTask(id)));
          expectSame("the tasks' queues", tasks.map((task) => task?.queue), [a, b]);
        },
      });
      await attempt(env, {
        what: `claim({ workerId: ${brief(a)}, queues: [${brief(a)}, ${brief(b)}] })`,
        verdict: verdict(isValidId(a) && isValidId(b)),
        call: () => engine.claim({ workerId: a, queues: [a, b], leaseMs: 60_000, limit: 10 }),
        verify: (leases) => ensureThat(leases.every((lease) => (lease.queue === a || lease.queue === b) && env.taskIds.includes(lease.taskId)), `claim returned a lease of another queue or tenant: ${brief(leases)}`),
      });
    },
  },
  {
    name: "engine calls naming an unknown task",
    requires: ["leases", "deadLetter", "streams"],
    async run(env, a) {
      const { engine } = env.view;
      const valid = verdict(isValidId(a));
      const unknown = (what: string) => (value: unknown) => ensureThat(false, `${what} of the unknown task ${brief(a)} succeeded with ${brief(value)}`);
      await attempt(env, { what: `getTask(${brief(a)})`, verdict: valid, call: () => engine.getTask(a), verify: (task) => expectSame(`getTask(${brief(a)})`, task, null) });
      await attempt(env, { what: `cancel(${brief(a)})`, verdict: valid, allowed: ["NOT_FOUND"], call: () => engine.cancel(a), verify: unknown("cancel") });
      await attempt(env, { what: `revokeLease(${brief(a)})`, verdict: valid, allowed: ["NOT_FOUND"], call: () => engine.revokeLease(a), verify: unknown("revokeLease") });
      await attempt(env, { what: `retryDeadLetter(${brief(a)})`, verdict: valid, allowed: ["NOT_FOUND"], call: () => engine.retryDeadLetter(a), verify: unknown("retryDeadLetter") });
      await attempt(env, { what: `readFrames(${brief(a)})`, verdict: valid, call: () => engine.readFrames(a), verify: (frames) => expectSame(`readFrames(${brief(a)})`, frames, []) });
      const lease = await freshLease(env);
      await attempt(env, {
        what: `renew of a lease whose taskId is ${brief(a)}`,
        verdict: valid,
        allowed: ["NOT_FOUND"],
        call: () => engine.renew({ ...lease, taskId: a }),
        verify: unknown("renew"),
      });
    },
  },
  {
    name: "engine.cancel with a reason",
    requires: ["leases"],
    async run(env, a) {
      const { engine } = env.view;
      const { id } = await engine.enqueue({ queue: env.queue, payload: "to cancel" });
      env.taskIds.push(id);
      await attempt(env, {
        what: `cancel(task, ${brief(a)})`,
        verdict: verdict(isValidText(a)),
        call: () => engine.cancel(id, a),
        verify: async (cancelled) => {
          expectSame("cancel of a ready task", cancelled, true);
          const task = await engine.getTask(id);
          expectSame("the cancelled task", task && [task.state, task.cancelReason], ["cancelled", a]);
        },
      });
    },
  },
  {
    name: "engine.signal / suspend",
    requires: ["leases", "signals"],
    async run(env, a, b) {
      const { engine } = env.view;
      await attempt(env, {
        what: `signal({ key: ${brief(a)}, payload: ${brief(b)}, idempotencyKey: ${brief(b)} })`,
        verdict: verdict(isValidId(a) && isValidId(b)),
        call: () => engine.signal({ key: a, payload: b, idempotencyKey: b }),
        verify: async (sent) => {
          // A repeated idempotency key, or a task already waiting on the key, leaves nothing buffered.
          if (sent.duplicate || sent.deliveredTo.length > 0) return;
          const lease = await freshLease(env);
          const result = await engine.suspend(lease, { keys: [a] });
          ensureThat(!result.suspended, `suspend on ${brief(a)} after a signal on it parked the task; the signal was not buffered under its key`);
          ensureThat(
            result.signals.some((signal) => signal.signalId === sent.signalId && signal.key === a && signal.payload === b),
            `the buffered signal came back altered: ${brief(result.signals)}`,
          );
        },
      });
      const lease = await freshLease(env);
      await attempt(env, {
        what: `suspend(lease, { keys: [${brief(a)}, ${brief(b)}] })`,
        verdict: verdict(isValidId(a) && isValidId(b)),
        call: () => engine.suspend(lease, { keys: a === b ? [a] : [a, b], mode: "all" }),
        verify: async (result) => {
          if (!result.suspended) return;
          const sent = await engine.signal({ key: a, payload: "wake" });
          ensureThat(sent.deliveredTo.includes(lease.taskId), `a signal on ${brief(a)} was not delivered to the task suspended on it: ${brief(sent)}`);
        },
      });
    },
  },
  {
    name: "engine.setQueue / queueStats / listDeadLetters",
    requires: ["leases", "queueControl", "deadLetter"],
    async run(env, a) {
      const { engine } = env.view;
      await attempt(env, {
        what: `setQueue(${brief(a)}, { concurrency: 2, paused: true })`,
        verdict: verdict(isValidId(a)),
        probes: [a],
        call: () => engine.setQueue(a, { concurrency: 2, paused: true }),
        verify: async (settings) => {
          expectSame("setQueue's settings", settings, { queue: a, concurrency: 2, paused: true });
          const stats = await engine.queueStats(a);
          expectSame(`queueStats(${brief(a)}) settings`, [stats.queue, stats.concurrency, stats.paused], [a, 2, true]);
          await engine.setQueue(a, { concurrency: null, paused: false });
        },
      });
      await attempt(env, {
        what: `listDeadLetters({ queue: ${brief(a)} })`,
        verdict: verdict(isValidId(a)),
        call: () => engine.listDeadLetters({ limit: 100, queue: a }),
        verify: (page) => ensureThat(page.items.every((task) => task.queue === a && env.taskIds.includes(task.id)), `listDeadLetters returned another queue's or tenant's task: ${brief(page.items)}`),
      });
    },
  },
  {
    name: "engine holder calls carrying strings",
    requires: ["leases", "progress", "streams", "deadLetter"],
    async run(env, a, b) {
      const { engine } = env.view;
      const first = await freshLease(env);
      await attempt(env, {
        what: `progress(lease, { message: ${brief(a)} })`,
        verdict: verdict(isValidText(a)),
        call: () => engine.progress(first, { percent: 50, message: a }),
        verify: async () => expectSame("the task's progress", (await engine.getTask(first.taskId))?.progress, { percent: 50, message: a }),
      });
      await attempt(env, {
        what: `appendFrame(lease, { [${brief(a)}]: ${brief(b)} })`,
        verdict: verdict(isCleanText(a) && isCleanText(b)),
        call: () => engine.appendFrame(first, { [a]: b }),
        verify: async (sequence) => expectSame("the frame read back", (await engine.readFrames(first.taskId)).find((frame) => frame.sequence === sequence)?.data, { [a]: b }),
      });
      await attempt(env, {
        what: `fail(lease, { error: ${brief(b)}, retryable: false })`,
        verdict: verdict(isCleanText(b)),
        call: () => engine.fail(first, { error: b, retryable: false }),
        verify: async (result) => {
          expectSame("fail without retry", result, { outcome: "dead" });
          expectSame("the dead task's lastError", (await engine.getTask(first.taskId))?.lastError, b);
        },
      });
      const second = await freshLease(env);
      await attempt(env, {
        what: `moveToDeadLetter(lease, { [${brief(b)}]: ${brief(a)} })`,
        verdict: verdict(isCleanText(a) && isCleanText(b)),
        call: () => engine.moveToDeadLetter(second, { [b]: a }),
        verify: async () => expectSame("the dead task's lastError", (await engine.getTask(second.taskId))?.lastError, { [b]: a }),
      });
    },
  },
  {
    name: "engine.waitForWork / subscribe with hostile queues",
    requires: ["leases", "notifications", "subscriptions"],
    async run(env, a) {
      const { engine } = env.view;
      await attempt(env, { what: `waitForWork([${brief(a)}], { timeoutMs: 1 })`, verdict: verdict(isValidId(a)), call: () => engine.waitForWork([a], { timeoutMs: 1 }) });
      await attempt(env, {
        what: `subscribe({ queues: [${brief(a)}] })`,
        verdict: verdict(isValidId(a)),
        call: () => engine.subscribe({ kinds: ["completed"], queues: [a] }, () => undefined),
        verify: (unsubscribe) => unsubscribe(),
      });
    },
  },

  // Tenants, tokens and views
  {
    name: "tenants.create / get / update",
    requires: ["tenancy"],
    async run(env, a, b) {
      const { tenants } = env.view;
      const existing = isValidId(a) ? await tenants.get(a) : null;
      await attempt(env, {
        what: `tenants.create({ id: ${brief(a)}, name: ${brief(b)} })`,
        verdict: verdict(isValidId(a) && isValidText(b)),
        allowed: ["CONFLICT"],
        tenants: true,
        probes: [a],
        call: () => tenants.create({ id: a, name: b }),
        verify: async (record) => {
          ensureThat(existing === null, `tenants.create of the existing tenant ${brief(a)} succeeded`);
          expectSame("the created tenant", [record.id, record.name, record.status], [a, b, "active"]);
          expectSame("tenants.get after create", await tenants.get(a), record);
        },
      });
      await attempt(env, {
        what: `tenants.update(${brief(b)}, { name: ${brief(a)} })`,
        verdict: verdict(isValidId(b) && isValidText(a)),
        allowed: ["NOT_FOUND"],
        tenants: true,
        probes: [b],
        call: () => tenants.update(b, { name: a }),
        verify: async (record) => expectSame("the renamed tenant", [record.id, record.name, (await tenants.get(b))?.name], [b, a, a]),
      });
    },
  },
  {
    name: "forTenant",
    requires: ["tenancy", "kv"],
    async run(env, a) {
      await attempt(env, {
        what: `forTenant(${brief(a)})`,
        verdict: verdict(isValidId(a)),
        call: () => env.view.forTenant(a),
        verify: async (other) => {
          expectSame("the view's tenantId", other.tenantId, a);
          if (other.tenantId === env.view.tenantId) return;
          expectSame(`a key of the tenant seen from the tenant ${brief(a)}`, await other.state.get(env.key), null);
        },
      });
    },
  },
  {
    name: "tokens.create / validate / revoke",
    requires: ["tokens"],
    async run(env, a, b) {
      const { tokens } = env.view;
      await attempt(env, {
        what: `tokens.create({ name: ${brief(a)}, role: ${brief(b)} })`,
        verdict: verdict(isValidText(a, 255) && isValidId(b)),
        call: () => tokens.create({ name: a, role: b }),
        verify: async ({ token, info }) => {
          expectSame("the token's info", [info.name, info.role, info.tenantId], [a, b, env.view.tenantId]);
          const validated = await tokens.validate(token);
          expectSame("tokens.validate of the new token", validated && [validated.name, validated.role, validated.tenantId], [a, b, env.view.tenantId]);
        },
      });
      await attempt(env, {
        what: `tokens.validate(${brief(b)})`,
        verdict: verdict(isValidText(b, 1024)),
        call: () => tokens.validate(b),
        verify: (validated) => expectSame(`tokens.validate(${brief(b)})`, validated, null),
      });
      await attempt(env, { what: `tokens.revoke(${brief(a)})`, verdict: verdict(isValidId(a)), call: () => tokens.revoke(a), verify: (revoked) => expectSame(`tokens.revoke(${brief(a)})`, revoked, false) });
    },
  },
];

// ---------------------------------------------------------------------------------------------
// JSON through every method that stores JSON

interface JsonOp {
  readonly name: string;
  readonly requires: readonly CapabilityName[];
  run(env: Env, value: unknown, key: string): Promise<void>;
}

/** A generated value typed as JSON: invalid ones are passed on purpose, the oracle judges them. */
const json = (value: unknown): Json => value as Json;

const jsonOps: readonly JsonOp[] = [
  {
    name: "putDefinition spec",
    requires: ["runs"],
    async run(env, value) {
      const id = `def-${env.leaseCount++}`;
      await attempt(env, {
        what: `putDefinition({ spec: ${brief(value)} })`,
        verdict: verdict(isValidJson(value)),
        probes: [id],
        call: () => env.view.workflows.putDefinition({ id, version: "1", spec: json(value) }),
        verify: async () => expectSame("getDefinition's spec", (await env.view.workflows.getDefinition(id, "1"))?.spec, value),
      });
    },
  },
  {
    name: "createRun input and context",
    requires: ["runs"],
    async run(env, value, key) {
      const id = `json-run-${env.leaseCount++}`;
      const context = Object.fromEntries([[key, value]]);
      await attempt(env, {
        what: `createRun({ input: ${brief(value)}, context: ${brief(context)} })`,
        verdict: verdict(isValidJson(value) && isValidJson(context)),
        probes: [id],
        call: () => env.view.workflows.createRun({ id, workflowId: "wf", version: "1", input: json(value), context: context as JsonObject }),
        verify: async () => {
          env.runIds.add(id);
          const run = await env.view.workflows.getRun(id);
          expectSame("the run's input and context", run && [run.input, run.context], [value, context]);
        },
      });
    },
  },
  {
    name: "setContext / appendToContext",
    requires: ["runs"],
    async run(env, value, key) {
      if (!env.runIds.has(env.runId)) return;
      const context = Object.fromEntries([[key, value]]);
      await attempt(env, {
        what: `setContext(${brief(context)})`,
        verdict: verdict(isValidJson(context)),
        call: () => env.view.workflows.setContext(env.runId, context as JsonObject),
        verify: async () => expectSame("the context read back", (await env.view.workflows.getRun(env.runId))?.context, context),
      });
      await attempt(env, {
        what: `appendToContext("log", ${brief(value)})`,
        verdict: verdict(isValidJson(value)),
        allowed: ["INVALID_STATE"],
        call: () => env.view.workflows.appendToContext(env.runId, "log", json(value)),
        verify: async () => {
          const log = (await env.view.workflows.getRun(env.runId))?.context.log;
          ensureThat(Array.isArray(log), `context.log is not an array after appendToContext: ${brief(log)}`);
          expectSame("the appended value read back", log.at(-1), value);
        },
      });
    },
  },
  {
    name: "upsertStep, appendEvents, writeSnapshot, commit",
    requires: ["runs", "events", "snapshots", "commit"],
    async run(env, value) {
      const { workflows } = env.view;
      if (!env.runIds.has(env.runId)) return;
      await attempt(env, {
        what: `upsertStep({ input, output, error: ${brief(value)} })`,
        verdict: verdict(isValidJson(value)),
        call: () => workflows.upsertStep(env.runId, { id: "json-step", status: "failed", input: json(value), output: json(value), error: json(value) }),
        verify: async () => {
          const step = await workflows.getStep(env.runId, "json-step");
          expectSame("the step's JSON read back", step && [step.input, step.output, step.error], [value, value, value]);
        },
      });
      const latest = await workflows.latestSequence(env.runId);
      await attempt(env, {
        what: `appendEvents([{ payload: ${brief(value)} }])`,
        verdict: eventPayloadVerdict(value),
        call: () => workflows.appendEvents(env.runId, [{ type: "json", payload: json(value) }]),
        verify: async () => expectSame("the event's payload read back", (await workflows.readEvents(env.runId, { after: latest }))[0]?.payload, value),
      });
      const atSequence = await workflows.latestSequence(env.runId);
      await attempt(env, {
        what: `writeSnapshot({ state: ${brief(value)} })`,
        verdict: verdict(isValidJson(value)),
        call: () => workflows.writeSnapshot(env.runId, { atSequence, state: json(value) }),
        verify: async () => expectSame("the snapshot's state read back", (await workflows.latestSnapshot(env.runId))?.state, value),
      });
      await attempt(env, {
        what: `commit({ events: [{ payload }], snapshot: { state }, steps: [{ output }] } of ${brief(value)})`,
        verdict: eventPayloadVerdict(value),
        call: () => workflows.commit(env.runId, { events: [{ type: "json", payload: json(value) }], snapshot: { state: json(value) }, steps: [{ id: "commit-step", status: "completed", output: json(value) }] }),
        verify: async (result) => {
          const [sequence] = result.sequences;
          const event = (await workflows.readEvents(env.runId, { after: (sequence ?? 1) - 1 }))[0];
          expectSame("what commit wrote, read back", [event?.payload, (await workflows.latestSnapshot(env.runId))?.state, (await workflows.getStep(env.runId, "commit-step"))?.output], [value, value, value]);
        },
      });
    },
  },
  {
    name: "saveSnapshot state",
    requires: ["kv"],
    async run(env, value) {
      const executionId = `json-exec-${env.leaseCount++}`;
      await attempt(env, {
        what: `saveSnapshot({ state: ${brief(value)} })`,
        verdict: verdict(isValidJson(value)),
        probes: [executionId],
        call: () => env.view.state.saveSnapshot({ executionId, sequence: 1, state: json(value) }),
        verify: async () => expectSame("the cached state read back", (await env.view.state.loadSnapshot(executionId))?.state, value),
      });
    },
  },
  {
    name: "enqueue payload, signal payload, complete result",
    requires: ["leases", "signals"],
    async run(env, value) {
      const { engine } = env.view;
      const queue = `json-queue-${env.leaseCount++}`;
      const enqueued = await attempt(env, {
        what: `enqueue({ payload: ${brief(value)} })`,
        verdict: verdict(isValidJson(value)),
        probes: [queue],
        call: () => engine.enqueue({ queue, payload: json(value) }),
        verify: async ({ id }) => {
          env.taskIds.push(id);
          expectSame("the task's payload read back", (await engine.getTask(id))?.payload, value);
        },
      });
      if (enqueued) {
        const [lease] = await engine.claim({ workerId: "json", queues: [queue], leaseMs: 60_000 });
        ensureThat(lease !== undefined, "claim of the enqueued task granted nothing");
        expectSame("the lease's payload", lease.payload, value);
        const key = `json-signal-${env.leaseCount++}`;
        await attempt(env, {
          what: `signal({ payload: ${brief(value)} })`,
          verdict: verdict(isValidJson(value)),
          call: () => engine.signal({ key, payload: json(value) }),
          verify: async () => {
            const result = await engine.suspend(lease, { keys: [key] });
            ensureThat(!result.suspended, "suspend after a buffered signal parked the task");
            expectSame("the buffered signal's payload", result.signals[0]?.payload, value);
          },
        });
        await attempt(env, {
          what: `complete({ result: ${brief(value)} })`,
          verdict: verdict(isValidJson(value)),
          call: () => engine.complete(lease, { result: json(value) }),
          verify: async () => expectSame("the task's result read back", (await engine.getTask(lease.taskId))?.result, value),
        });
      }
    },
  },
  {
    name: "fail error, moveToDeadLetter error, appendFrame data",
    requires: ["leases", "deadLetter", "streams"],
    async run(env, value) {
      const { engine } = env.view;
      const framed = await freshLease(env);
      await attempt(env, {
        what: `appendFrame(${brief(value)})`,
        verdict: verdict(isValidJson(value)),
        call: () => engine.appendFrame(framed, json(value)),
        verify: async (sequence) => expectSame("the frame read back", (await engine.readFrames(framed.taskId)).find((frame) => frame.sequence === sequence)?.data, value),
      });
      await attempt(env, {
        what: `fail({ error: ${brief(value)} })`,
        verdict: verdict(isValidJson(value)),
        call: () => engine.fail(framed, { error: json(value), retryable: false }),
        verify: async () => expectSame("the task's lastError read back", (await engine.getTask(framed.taskId))?.lastError, value),
      });
      const moved = await freshLease(env);
      await attempt(env, {
        what: `moveToDeadLetter(${brief(value)})`,
        verdict: verdict(isValidJson(value)),
        call: () => engine.moveToDeadLetter(moved, json(value)),
        verify: async () => expectSame("the dead task's lastError read back", (await engine.getTask(moved.taskId))?.lastError, value),
      });
    },
  },
];

// ---------------------------------------------------------------------------------------------
// Numbers through every numeric parameter

const isSafeInt = (n: number): boolean => Number.isSafeInteger(n);
const isPositiveInt = (n: number, max = Number.MAX_SAFE_INTEGER): boolean => isSafeInt(n) && n > 0 && n <= max;
const isNonNegativeInt = (n: number): boolean => isSafeInt(n) && n >= 0;

interface NumberOp {
  readonly name: string;
  readonly requires: readonly CapabilityName[];
  run(env: Env, n: number): Promise<void>;
}

/** Numbers as the backend reads them back: JSON has no negative zero. */
const plain = (n: number): number => (Object.is(n, -0) ? 0 : n);

const numberOps: readonly NumberOp[] = [
  {
    name: "enqueue priority / runAt / maxAttempts / backoff",
    requires: ["leases", "priorities", "delays"],
    async run(env, n) {
      const { engine } = env.view;
      const queue = `number-queue-${env.leaseCount++}`;
      const now = env.ctx.clock.now();
      const cases: { field: string; valid: boolean; input: Record<string, unknown>; read: (task: NonNullable<Awaited<ReturnType<typeof engine.getTask>>>) => unknown; expected: unknown }[] = [
        { field: "priority", valid: isSafeInt(n), input: { priority: n }, read: (task) => task.priority, expected: plain(n) },
        { field: "runAt", valid: isNonNegativeInt(n), input: { runAt: n }, read: (task) => task.runAt, expected: plain(n) },
        { field: "maxAttempts", valid: isPositiveInt(n), input: { maxAttempts: n }, read: (task) => task.maxAttempts, expected: n },
        { field: "backoff.baseMs", valid: isPositiveInt(n), input: { backoff: { baseMs: n } }, read: () => null, expected: null },
        { field: "backoff.factor", valid: Number.isFinite(n) && n >= 1, input: { backoff: { factor: n } }, read: () => null, expected: null },
      ];
      for (const { field, valid, input, read, expected } of cases) {
        await attempt(env, {
          what: `enqueue({ ${field}: ${String(n)} })`,
          verdict: verdict(valid),
          probes: [queue],
          call: () => engine.enqueue({ queue, payload: field, ...input }),
          verify: async ({ id }) => {
            env.taskIds.push(id);
            const task = await engine.getTask(id);
            ensureThat(task !== null, `getTask of the task enqueued with ${field} ${String(n)} is null`);
            expectSame(`the task's ${field}`, read(task), expected);
            if (field === "runAt") expectSame(`the state of a task with runAt ${String(n)} at ${now}`, task.state, n <= now ? "ready" : "scheduled");
          },
        });
      }
    },
  },
  {
    name: "claim leaseMs / limit, renew leaseMs, release runAt",
    requires: ["leases"],
    async run(env, n) {
      const { engine } = env.view;
      const queue = `number-claim-${env.leaseCount++}`;
      const { id } = await engine.enqueue({ queue, payload: "n" });
      env.taskIds.push(id);
      const now = env.ctx.clock.now();
      const leases = await attempt(env, {
        what: `claim({ leaseMs: ${String(n)} })`,
        verdict: verdict(isPositiveInt(n)),
        call: () => engine.claim({ workerId: "w", queues: [queue], leaseMs: n }),
        verify: (granted) => {
          expectSame("the leases granted", granted.map((lease) => lease.taskId), [id]);
          expectSame("the lease's expiresAt", granted[0]?.expiresAt, now + n);
        },
      });
      await attempt(env, {
        what: `claim({ limit: ${String(n)} })`,
        verdict: verdict(isPositiveInt(n, 1000)),
        call: () => engine.claim({ workerId: "w", queues: [`${queue}-empty`], leaseMs: 1000, limit: n }),
        verify: (granted) => expectSame("the leases of an empty queue", granted, []),
      });
      const lease = leases?.[0] ?? (await freshLease(env));
      await attempt(env, {
        what: `renew(lease, { leaseMs: ${String(n)} })`,
        verdict: verdict(isPositiveInt(n)),
        call: () => engine.renew(lease, { leaseMs: n }),
        verify: (renewed) => expectSame("the renewed lease's expiresAt and epoch", [renewed.expiresAt, renewed.epoch], [now + n, lease.epoch]),
      });
      await attempt(env, {
        what: `release(lease, { runAt: ${String(n)} })`,
        verdict: verdict(isNonNegativeInt(n)),
        call: () => engine.release(lease, { runAt: n }),
        verify: async () => expectSame("the released task's runAt", (await engine.getTask(lease.taskId))?.runAt, plain(n)),
      });
    },
  },
  {
    name: "renew with a forged epoch",
    requires: ["leases"],
    async run(env, n) {
      const lease = await freshLease(env);
      await attempt(env, {
        what: `renew of a lease whose epoch is ${String(n)}`,
        verdict: verdict(isNonNegativeInt(n)),
        allowed: ["STALE_LEASE", "INVALID_STATE"],
        call: () => env.view.engine.renew({ ...lease, epoch: n }),
        verify: (renewed) => expectSame("a renew accepted with a forged epoch is the lease's own epoch", plain(n), renewed.epoch),
      });
    },
  },
  {
    name: "event log numbers",
    requires: ["runs", "events", "snapshots"],
    async run(env, n) {
      const { workflows } = env.view;
      if (!env.runIds.has(env.runId)) return;
      const latest = await workflows.latestSequence(env.runId);
      await attempt(env, {
        what: `appendEvents(…, { expectedSequence: ${String(n)} })`,
        verdict: verdict(isNonNegativeInt(n)),
        allowed: ["SEQUENCE_CONFLICT"],
        call: () => workflows.appendEvents(env.runId, [{ type: "n" }], { expectedSequence: n }),
        verify: (sequences) => expectSame("a conditional append's sequences", [plain(n), sequences], [latest, [latest + 1]]),
      });
      await attempt(env, {
        what: `readEvents({ after: ${String(n)}, limit: ${String(n)} })`,
        verdict: verdict(isNonNegativeInt(n) && isPositiveInt(n, 10_000)),
        call: () => workflows.readEvents(env.runId, { after: n, limit: n }),
        verify: (events) => ensureThat(events.every((event) => event.sequence > n), `readEvents after ${String(n)} returned ${brief(events.map((e) => e.sequence))}`),
      });
      await attempt(env, {
        what: `writeSnapshot({ atSequence: ${String(n)} })`,
        verdict: verdict(isNonNegativeInt(n)),
        allowed: ["INVALID_STATE"],
        call: () => workflows.writeSnapshot(env.runId, { atSequence: n, state: "n" }),
        verify: (snapshot) => expectSame("the snapshot's atSequence", snapshot.atSequence, plain(n)),
      });
      await attempt(env, {
        what: `listRuns({ limit: ${String(n)} })`,
        verdict: verdict(isPositiveInt(n, 10_000)),
        call: () => workflows.listRuns({ limit: n }),
        verify: (page) => ensureThat(page.items.length <= n, `listRuns of limit ${String(n)} returned ${page.items.length}`),
      });
    },
  },
  {
    name: "state numbers",
    requires: ["kv"],
    async run(env, n) {
      const { state } = env.view;
      const key = `number-key-${env.leaseCount++}`;
      await attempt(env, {
        what: `set(…, { ttlMs: ${String(n)} })`,
        verdict: verdict(isPositiveInt(n)),
        probes: [key],
        call: () => state.set(key, new Uint8Array([7]), { ttlMs: n }),
        verify: async () => {
          env.keys.add(key);
          expectSame(`a value with ttlMs ${String(n)} read before any time passed`, await state.get(key), new Uint8Array([7]));
        },
      });
      const executionId = `number-exec-${env.leaseCount++}`;
      await attempt(env, {
        what: `saveSnapshot({ sequence: ${String(n)}, ttlMs: ${String(n)} })`,
        verdict: verdict(isPositiveInt(n)),
        probes: [executionId],
        call: () => state.saveSnapshot({ executionId, sequence: n, state: null, ttlMs: n }),
        verify: async () => expectSame("the cached snapshot's sequence", (await state.loadSnapshot(executionId))?.sequence, n),
      });
    },
  },
  {
    name: "engine numbers: progress, suspend timeoutAt, setQueue concurrency, reclaim limit, frames, waitForWork",
    requires: ["leases", "progress", "signals", "queueControl", "reclaim", "streams", "notifications"],
    async run(env, n) {
      const { engine } = env.view;
      const lease = await freshLease(env);
      await attempt(env, {
        what: `progress(lease, { percent: ${String(n)} })`,
        verdict: verdict(Number.isFinite(n) && n >= 0 && n <= 100),
        call: () => engine.progress(lease, { percent: n }),
        verify: async () => expectSame("the task's progress", (await engine.getTask(lease.taskId))?.progress?.percent, plain(n)),
      });
      await attempt(env, {
        what: `readFrames({ attempt: ${String(n)}, after: ${String(n)}, limit: ${String(n)} })`,
        verdict: verdict(isPositiveInt(n, 10_000)),
        call: () => engine.readFrames(lease.taskId, { attempt: n, after: n, limit: n }),
        verify: (frames) => expectSame("frames of a task that has none", frames, []),
      });
      await attempt(env, {
        what: `suspend(lease, { timeoutAt: ${String(n)} })`,
        verdict: verdict(isNonNegativeInt(n)),
        call: () => engine.suspend(lease, { keys: [`number-signal-${env.leaseCount++}`], timeoutAt: n }),
        verify: async (result) => {
          expectSame("suspend without buffered signals", result, { suspended: true });
          const task = await engine.getTask(lease.taskId);
          // decisions.md: a suspended task whose timeoutAt has come reads as ready.
          expectSame(`the task suspended until ${String(n)}`, task?.state, n <= env.ctx.clock.now() ? "ready" : "suspended");
        },
      });
      const queue = `number-setqueue-${env.leaseCount++}`;
      await attempt(env, {
        what: `setQueue(…, { concurrency: ${String(n)} })`,
        verdict: verdict(isPositiveInt(n)),
        probes: [queue],
        call: () => engine.setQueue(queue, { concurrency: n }),
        verify: (settings) => expectSame("the queue's concurrency", settings.concurrency, n),
      });
      await attempt(env, {
        what: `reclaimExpired({ limit: ${String(n)} })`,
        verdict: verdict(isPositiveInt(n, 10_000)),
        call: () => engine.reclaimExpired({ limit: n }),
        verify: (result) => expectSame("a sweep with nothing expired", result, { retried: [], deadLettered: [] }),
      });
      // The seed queue holds a ready task, so a valid wait answers at once whatever the timeout (a
      // huge one must not hang). A timeout of a few milliseconds may win the race against the
      // backend's look at the queue, so only longer ones must answer true.
      await attempt(env, {
        what: `waitForWork({ timeoutMs: ${String(n)} })`,
        verdict: verdict(isPositiveInt(n, 2 ** 31 - 1)),
        call: () => engine.waitForWork([env.queue], { timeoutMs: n }),
        verify: (ready) =>
          ensureThat(typeof ready === "boolean" && (ready || n < 1_000), `waitForWork with timeoutMs ${String(n)} on a queue with a ready task answered ${brief(ready)}`),
      });
    },
  },
  {
    name: "tokens expiresAt",
    requires: ["tokens"],
    async run(env, n) {
      await attempt(env, {
        what: `tokens.create({ expiresAt: ${String(n)} })`,
        verdict: verdict(isNonNegativeInt(n)),
        call: () => env.view.tokens.create({ name: "n", role: "r", expiresAt: n }),
        verify: async ({ token, info }) => {
          expectSame("the token's expiresAt", info.expiresAt, plain(n));
          const validated = await env.view.tokens.validate(token);
          expectSame(`tokens.validate of a token expiring at ${String(n)} (now ${env.ctx.clock.now()})`, validated?.expiresAt ?? null, n > env.ctx.clock.now() ? plain(n) : null);
        },
      });
    },
  },
];

// ---------------------------------------------------------------------------------------------
// The property checks

interface OpTable {
  readonly name: string;
  readonly requires: readonly CapabilityName[];
}

function declaredOps<T extends OpTable>(context: CheckContext, ops: readonly T[]): T[] {
  const declared = ops.filter((op) => op.requires.every((capability) => hasCapability(context.backend.capabilities, capability)));
  ensureThat(declared.length > 0, "no hostile-input operation is declared by this backend");
  return declared;
}

/**
 * The property every hostile-input check runs: a few calls, each an operation of `ops` (those the
 * backend declares) with a generated input, in a fresh tenant per run.
 */
async function opsProperty<Op extends OpTable, Input>(
  ctx: CheckContext,
  ops: readonly Op[],
  input: fc.Arbitrary<Input>,
  settings: { readonly tenantPrefix: string; readonly maxCalls: number; readonly scale: number },
  apply: (op: Op, env: Env, input: Input) => Promise<void>,
): Promise<void> {
  const available = declaredOps(ctx, ops);
  const calls = fc.array(fc.tuple(fc.nat({ max: available.length - 1 }), input), { minLength: 1, maxLength: settings.maxCalls });
  await assertProperty(
    ctx,
    fc.asyncProperty(calls, async (drawn) => {
      const env = await openEnv(ctx, settings.tenantPrefix);
      for (const [op, value] of drawn) await apply(available[op] as Op, env, value);
    }),
    { scale: settings.scale },
  );
}

const hostileStrings = defineCheck({
  id: "C4.hostile-strings",
  rule: "C4",
  title: "hostile strings (SQL, Lua, glob, JSON-path fragments, quotes, surrogates, U+0000) through every method: round-trip or a listed error, nothing written on rejection",
  requires: ["runs", "kv", "leases"],
  kind: "property",
  run: (ctx) =>
    opsProperty(ctx, stringOps, fc.tuple(hostileString, hostileString), { tenantPrefix: "hostile-s", maxCalls: 4, scale: 0.5 }, (op, env, [a, b]) => op.run(env, a, b)),
});

const hostileJsonCheck = defineCheck({
  id: "C4.hostile-json",
  rule: "C4",
  title: "hostile JSON (hostile keys and strings, __proto__, extreme numbers, nesting around 256) through every JSON-storing method: exact round-trip or VALIDATION",
  requires: ["runs", "kv", "leases"],
  kind: "property",
  run: (ctx) =>
    opsProperty(ctx, jsonOps, fc.tuple(hostileJson, hostileKey), { tenantPrefix: "hostile-j", maxCalls: 3, scale: 0.5 }, (op, env, [value, key]) => op.run(env, value, key)),
});

const hostileNumber: fc.Arbitrary<number> = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...EXTREME_NUMBERS) }, { weight: 1, arbitrary: fc.double() }, { weight: 1, arbitrary: fc.integer() });

const hostileNumbers = defineCheck({
  id: "C4.hostile-numbers",
  rule: "C4",
  title: "out-of-range and extreme numbers (−0, 2^53, 1e308, −1, fractions, NaN, ±∞) in every numeric parameter: accepted exactly or VALIDATION",
  requires: ["runs", "kv", "leases"],
  kind: "property",
  run: (ctx) => opsProperty(ctx, numberOps, hostileNumber, { tenantPrefix: "hostile-n", maxCalls: 3, scale: 0.3 }, (op, env, n) => op.run(env, n)),
});

// ---------------------------------------------------------------------------------------------
// Examples: values nested around the limit, and values around maxPayloadBytes

const deepJson = defineCheck({
  id: "C1.hostile-deep-json",
  rule: "C1",
  title: "JSON nested 255, 256, 257 and 300 levels deep, as arrays, objects and both, through every JSON-storing method: 256 round-trips, deeper is VALIDATION",
  requires: ["runs", "kv", "leases"],
  kind: "example",
  async run(ctx) {
    const ops = declaredOps(ctx, jsonOps);
    for (const depth of [255, 256, 257, 300]) {
      for (const shape of ["array", "object", "mixed"] as const) {
        const env = await openEnv(ctx, `deep-${depth}`);
        const value = nestedIn("leaf '; DROP TABLE x; --", depth, "k'\"{}*", shape);
        for (const op of ops) await op.run(env, value, "deep");
      }
    }
  },
});

const hugeValues = defineCheck({
  id: "C1.hostile-huge-values",
  rule: "C1",
  title: "payloads and byte values at maxPayloadBytes round-trip exactly; one byte more is VALIDATION and writes nothing",
  requires: ["kv", "kvCas", "leases", "runs", "events"],
  kind: "example",
  async run(ctx) {
    const limit = DEFAULTS.maxPayloadBytes;
    const env = await openEnv(ctx, "huge");
    const { engine, state, workflows } = env.view;
    // Multi-byte characters, so that a limit counted in characters rather than bytes shows.
    const atLimit = `${"é".repeat((limit - 2 - 4) / 2)}😀`;
    const overLimit = `${atLimit}a`;
    ensureThat(utf8Bytes(JSON.stringify(atLimit)) === limit && utf8Bytes(JSON.stringify(overLimit)) === limit + 1, "kit bug: the payloads around the limit have the wrong size");
    for (const [payload, valid] of [
      [atLimit, true],
      [overLimit, false],
    ] as const) {
      const queue = `huge-queue-${valid}`;
      await attempt(env, {
        what: `enqueue with a payload of ${utf8Bytes(JSON.stringify(payload))} bytes`,
        verdict: verdict(valid),
        probes: [queue],
        call: () => engine.enqueue({ queue, payload }),
        verify: async ({ id }) => {
          env.taskIds.push(id);
          const [lease] = await engine.claim({ workerId: "huge", queues: [queue], leaseMs: 60_000 });
          ensureThat(lease?.payload === payload, `the claimed payload of ${utf8Bytes(JSON.stringify(payload))} bytes differs from the enqueued one`);
        },
      });
      const executionId = `huge-exec-${valid}`;
      await attempt(env, {
        what: `saveSnapshot with a state of ${utf8Bytes(JSON.stringify(payload))} bytes`,
        verdict: verdict(valid),
        probes: [executionId],
        call: () => state.saveSnapshot({ executionId, sequence: 1, state: payload }),
        verify: async () => ensureThat((await state.loadSnapshot(executionId))?.state === payload, "the cached state of maxPayloadBytes came back altered"),
      });
    }
    await attempt(env, {
      what: "appendEvents with one payload over maxPayloadBytes",
      verdict: "invalid",
      call: () => workflows.appendEvents(env.runId, [{ type: "huge", payload: overLimit }]),
    });
    await attempt(env, {
      what: "appendEvents with one payload of exactly maxPayloadBytes",
      verdict: "valid",
      call: () => workflows.appendEvents(env.runId, [{ type: "at-limit", payload: atLimit }]),
      verify: async ([sequence]) =>
        ensureThat((await workflows.readEvents(env.runId, { after: (sequence ?? 1) - 1 }))[0]?.payload === atLimit, "the event of maxPayloadBytes came back altered"),
    });

    // Every byte value, at exactly the limit; then a compare-and-set that must compare all of it.
    const bytes = Uint8Array.from({ length: limit }, (_, i) => (i * 7919 + (i >> 8)) & 0xff);
    const reversed = Uint8Array.from(bytes).reverse();
    const almost = Uint8Array.from(bytes);
    almost[limit - 1] = (almost[limit - 1] ?? 0) ^ 1;
    // Huge keys stay out of the fingerprint (`env.keys`): reading a MiB twice per call would dominate the check.
    await attempt(env, { what: `set with ${limit} bytes`, verdict: "valid", call: () => state.set("huge-bytes", bytes), verify: async () => expectSame("the huge value read back", await state.get("huge-bytes"), bytes) });
    await attempt(env, { what: `set with ${limit + 1} bytes`, verdict: "invalid", probes: ["huge-over"], call: () => state.set("huge-over", new Uint8Array(limit + 1)) });
    await attempt(env, {
      what: "compareAndSet whose expected value differs in the last of 1 MiB",
      verdict: "valid",
      call: () => state.compareAndSet("huge-bytes", almost, reversed),
      verify: (swapped) => expectSame("compareAndSet with an expected value one bit off", swapped, false),
    });
    await attempt(env, {
      what: "compareAndSet with the whole 1 MiB expected value",
      verdict: "valid",
      call: () => state.compareAndSet("huge-bytes", bytes, reversed),
      verify: async (swapped) => {
        expectSame("compareAndSet with the exact expected value", swapped, true);
        expectSame("the swapped huge value read back", await state.get("huge-bytes"), reversed);
      },
    });
    for (const fill of [0x00, 0xff]) {
      const uniform = new Uint8Array(limit).fill(fill);
      await attempt(env, {
        what: `set with ${limit} bytes of 0x${fill.toString(16)}`,
        verdict: "valid",
        call: () => state.set(`huge-fill-${fill}`, uniform),
        verify: async () => expectSame(`the value of ${limit} bytes 0x${fill.toString(16)} read back`, await state.get(`huge-fill-${fill}`), uniform),
      });
    }
  },
});

export const checks: Check[] = [hostileStrings, hostileJsonCheck, hostileNumbers, deepJson, hugeValues];
