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
 *
 * Each table makes one check per facet (`C4.hostile-strings.state`, …), requiring only the facet's
 * capability (`FACET_CAPABILITY`): a backend that declares `kv` alone still gets every hostile
 * check of the StateStore. Within a facet, operations that need more are drawn where declared.
 */
import fc from "fast-check";
import { type CapabilityName, DEFAULTS, hasCapability, type JsonObject } from "@mooring/core";
import { assertProperty } from "../../../fast-check.js";
import { type Check, type CheckContext, defineCheck } from "../../../registry.js";
import { brief, ensure, sameData } from "../../support/index.js";
import { attempt } from "./attempt.js";
import { type Env, FACET_CAPABILITY, type HostileFacet, openEnv } from "./fixtures.js";
import { hostileJson, hostileKey, hostileNumber, hostileString, nestedIn } from "./generators.js";
import { jsonOps } from "./json-ops.js";
import { numberOps } from "./number-ops.js";
import { utf8Bytes, verdict } from "./oracle.js";
import { stringOps } from "./string-ops.js";

// ---------------------------------------------------------------------------------------------
// The property checks

interface OpTable {
  readonly name: string;
  readonly facet: HostileFacet;
  readonly requires: readonly CapabilityName[];
}

const FACETS = Object.keys(FACET_CAPABILITY) as HostileFacet[];

function declaredOps<T extends OpTable>(context: CheckContext, ops: readonly T[]): T[] {
  const declared = ops.filter((op) => op.requires.every((capability) => hasCapability(context.backend.capabilities, capability)));
  ensure(declared.length > 0, "no hostile-input operation is declared by this backend");
  return declared;
}

/**
 * The operations of `ops` on `facet`. Each must need the facet's capability, and one at least
 * must need nothing more, so that the facet's check has an operation wherever it runs.
 */
function facetOps<T extends OpTable>(ops: readonly T[], facet: HostileFacet): T[] {
  const own = ops.filter((op) => op.facet === facet);
  const base = FACET_CAPABILITY[facet];
  for (const op of own) if (!op.requires.includes(base)) throw new Error(`kit bug: the hostile operation "${op.name}" of ${facet} does not require "${base}"`);
  if (own.length > 0 && !own.some((op) => op.requires.length === 1)) throw new Error(`kit bug: every hostile ${facet} operation needs more than "${base}"`);
  return own;
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
      try {
        for (const [op, value] of drawn) await apply(available[op] as Op, env, value);
      } finally {
        await env.release();
      }
    }),
    { scale: settings.scale },
  );
}

interface HostileTable<Op extends OpTable, Input> {
  /** The check ids' stem, e.g. "C4.hostile-strings": a facet's check is `${stem}.${facet}`. */
  readonly stem: string;
  readonly rule: "C4";
  readonly title: string;
  readonly ops: readonly Op[];
  readonly input: fc.Arbitrary<Input>;
  readonly maxCalls: number;
  /**
   * The runs of the whole table, as a share of `numRuns`; each facet's check gets its share by its
   * number of operations, so every operation is tried as often as when the table was one check.
   */
  readonly scale: number;
  readonly apply: (op: Op, env: Env, input: Input) => Promise<void>;
}

/** One property check per facet of the table. */
function facetChecks<Op extends OpTable, Input>(table: HostileTable<Op, Input>): Check[] {
  return FACETS.flatMap((facet) => {
    const own = facetOps(table.ops, facet);
    if (own.length === 0) return [];
    return [
      defineCheck({
        id: `${table.stem}.${facet}`,
        rule: table.rule,
        title: `${table.title}: the ${facet} facet`,
        requires: [FACET_CAPABILITY[facet]],
        kind: "property",
        run: (ctx) =>
          opsProperty(ctx, own, table.input, { tenantPrefix: `${table.stem.slice(3)}-${facet}`, maxCalls: table.maxCalls, scale: (table.scale * own.length) / table.ops.length }, table.apply),
      }),
    ];
  });
}

const hostileStrings = facetChecks({
  stem: "C4.hostile-strings",
  rule: "C4",
  title: "hostile strings (SQL, Lua, glob, JSON-path fragments, quotes, surrogates, U+0000) through every method: round-trip or a listed error, nothing written on rejection",
  ops: stringOps,
  input: fc.tuple(hostileString, hostileString),
  maxCalls: 4,
  scale: 0.5,
  apply: (op, env, [a, b]) => op.run(env, a, b),
});

const hostileJsonChecks = facetChecks({
  stem: "C4.hostile-json",
  rule: "C4",
  title: "hostile JSON (hostile keys and strings, __proto__, extreme numbers, nesting around 256) through every JSON-storing method: exact round-trip or VALIDATION",
  ops: jsonOps,
  input: fc.tuple(hostileJson, hostileKey),
  maxCalls: 3,
  scale: 0.5,
  apply: (op, env, [value, key]) => op.run(env, value, key),
});

const hostileNumbers = facetChecks({
  stem: "C4.hostile-numbers",
  rule: "C4",
  title: "out-of-range and extreme numbers (−0, 2^53, 1e308, −1, fractions, NaN, ±∞) in every numeric parameter: accepted exactly or VALIDATION",
  ops: numberOps,
  input: hostileNumber,
  maxCalls: 3,
  scale: 0.3,
  apply: (op, env, n) => op.run(env, n),
});

// ---------------------------------------------------------------------------------------------
// Examples: values nested around the limit, and values around maxPayloadBytes

const deepJson = FACETS.flatMap((facet) => {
  const own = facetOps(jsonOps, facet);
  if (own.length === 0) return [];
  return [
    defineCheck({
      id: `C1.hostile-deep-json.${facet}`,
      rule: "C1",
      title: `JSON nested 255, 256, 257 and 300 levels deep, as arrays, objects and both, through every JSON-storing method of the ${facet} facet: 256 round-trips, deeper is VALIDATION`,
      requires: [FACET_CAPABILITY[facet]],
      kind: "example",
      async run(ctx) {
        const ops = declaredOps(ctx, own);
        for (const depth of [255, 256, 257, 300]) {
          for (const shape of ["array", "object", "mixed"] as const) {
            const env = await openEnv(ctx, `deep-${depth}`);
            const value = nestedIn("leaf '; DROP TABLE x; --", depth, "k'\"{}*", shape);
            try {
              for (const op of ops) await op.run(env, value, "deep");
            } finally {
              await env.release();
            }
          }
        }
      },
    }),
  ];
});

const LIMIT = DEFAULTS.maxPayloadBytes;
// Multi-byte characters, so that a limit counted in characters rather than bytes shows.
const AT_LIMIT = `${"é".repeat((LIMIT - 2 - 4) / 2)}😀`;
const OVER_LIMIT = `${AT_LIMIT}a`;

/** The JSON strings of exactly maxPayloadBytes and one byte more, checked for their size. */
function payloadsAroundLimit(): readonly (readonly [string, boolean])[] {
  ensure(utf8Bytes(JSON.stringify(AT_LIMIT)) === LIMIT && utf8Bytes(JSON.stringify(OVER_LIMIT)) === LIMIT + 1, "kit bug: the payloads around the limit have the wrong size");
  return [
    [AT_LIMIT, true],
    [OVER_LIMIT, false],
  ];
}

/** A check of values around maxPayloadBytes, in a fresh env released at the end. */
function hugeValues(facet: HostileFacet, requires: readonly CapabilityName[], title: string, run: (env: Env) => Promise<void>): Check {
  return defineCheck({
    id: `C1.hostile-huge-values.${facet}`,
    rule: "C1",
    title,
    requires,
    kind: "example",
    async run(ctx) {
      const env = await openEnv(ctx, "huge");
      try {
        await run(env);
      } finally {
        await env.release();
      }
    },
  });
}

const hugeEngineValues = hugeValues("engine", ["leases"], "task payloads at maxPayloadBytes round-trip exactly; one byte more is VALIDATION and writes nothing", async (env) => {
  const { engine } = env.view;
  for (const [payload, valid] of payloadsAroundLimit()) {
    const queue = `huge-queue-${valid}`;
    await attempt(env, {
      what: `enqueue with a payload of ${utf8Bytes(JSON.stringify(payload))} bytes`,
      verdict: verdict(valid),
      probes: [queue],
      call: () => engine.enqueue({ queue, payload }),
      verify: async ({ id }) => {
        env.taskIds.push(id);
        const [lease] = await engine.claim({ workerId: "huge", queues: [queue], leaseMs: 60_000 });
        ensure(lease?.payload === payload, `the claimed payload of ${utf8Bytes(JSON.stringify(payload))} bytes differs from the enqueued one`);
      },
    });
  }
});

const hugeWorkflowValues = hugeValues("workflows", ["runs", "events"], "an event payload at maxPayloadBytes round-trips exactly; one byte more is VALIDATION and writes nothing", async (env) => {
  const { workflows } = env.view;
  payloadsAroundLimit();
  await attempt(env, {
    what: "appendEvents with one payload over maxPayloadBytes",
    verdict: "invalid",
    call: () => workflows.appendEvents(env.runId, [{ type: "huge", payload: OVER_LIMIT }]),
  });
  await attempt(env, {
    what: "appendEvents with one payload of exactly maxPayloadBytes",
    verdict: "valid",
    call: () => workflows.appendEvents(env.runId, [{ type: "at-limit", payload: AT_LIMIT }]),
    verify: async ([sequence]) =>
      ensure((await workflows.readEvents(env.runId, { after: (sequence ?? 1) - 1 }))[0]?.payload === AT_LIMIT, "the event of maxPayloadBytes came back altered"),
  });
});

const hugeStateValues = hugeValues(
  "state",
  ["kv"],
  "cached states and byte values at maxPayloadBytes round-trip exactly (and compare whole, where kvCas is declared); one byte more is VALIDATION and writes nothing",
  async (env) => {
    const { state } = env.view;
    for (const [payload, valid] of payloadsAroundLimit()) {
      const executionId = `huge-exec-${valid}`;
      await attempt(env, {
        what: `saveSnapshot with a state of ${utf8Bytes(JSON.stringify(payload))} bytes`,
        verdict: verdict(valid),
        probes: [executionId],
        call: () => state.saveSnapshot({ executionId, sequence: 1, state: payload }),
        verify: async () => ensure((await state.loadSnapshot(executionId))?.state === payload, "the cached state of maxPayloadBytes came back altered"),
      });
    }

    // Every byte value, at exactly the limit; then a compare-and-set that must compare all of it.
    const bytes = Uint8Array.from({ length: LIMIT }, (_, i) => (i * 7919 + (i >> 8)) & 0xff);
    const reversed = Uint8Array.from(bytes).reverse();
    const almost = Uint8Array.from(bytes);
    almost[LIMIT - 1] = (almost[LIMIT - 1] ?? 0) ^ 1;
    // Huge keys stay out of the fingerprint (`env.keys`): reading a MiB twice per call would dominate the check.
    await attempt(env, { what: `set with ${LIMIT} bytes`, verdict: "valid", call: () => state.set("huge-bytes", bytes), verify: async () => sameData(await state.get("huge-bytes"), bytes, "the huge value read back") });
    await attempt(env, { what: `set with ${LIMIT + 1} bytes`, verdict: "invalid", probes: ["huge-over"], call: () => state.set("huge-over", new Uint8Array(LIMIT + 1)) });
    if (env.declared("kvCas")) {
      await attempt(env, {
        what: "compareAndSet whose expected value differs in the last of 1 MiB",
        verdict: "valid",
        call: () => state.compareAndSet("huge-bytes", almost, reversed),
        verify: (swapped) => sameData(swapped, false, "compareAndSet with an expected value one bit off"),
      });
      await attempt(env, {
        what: "compareAndSet with the whole 1 MiB expected value",
        verdict: "valid",
        call: () => state.compareAndSet("huge-bytes", bytes, reversed),
        verify: async (swapped) => {
          sameData(swapped, true, "compareAndSet with the exact expected value");
          sameData(await state.get("huge-bytes"), reversed, "the swapped huge value read back");
        },
      });
    }
    for (const fill of [0x00, 0xff]) {
      const uniform = new Uint8Array(LIMIT).fill(fill);
      await attempt(env, {
        what: `set with ${LIMIT} bytes of 0x${fill.toString(16)}`,
        verdict: "valid",
        call: () => state.set(`huge-fill-${fill}`, uniform),
        verify: async () => sameData(await state.get(`huge-fill-${fill}`), uniform, `the value of ${LIMIT} bytes 0x${fill.toString(16)} read back`),
      });
    }
  },
);

// ---------------------------------------------------------------------------------------------
// Example: members named like Object.prototype's, read back as plain data

/**
 * Members named like Object.prototype's. `Object.fromEntries` makes "__proto__" an own data member,
 * as JSON.parse does for any JSON text; a store must keep it data.
 */
const PROTOTYPE_NAMED: JsonObject = Object.fromEntries([
  ["__proto__", { polluted: true }],
  ["constructor", "c"],
  ["toString", 1],
  ["nested", [Object.fromEntries([["__proto__", null]])]],
]);

/** Fails unless `value` is a plain object whose "__proto__" member is an own, enumerable, writable, configurable data member. */
function plainProtoMember(value: unknown, what: string): void {
  sameData(value, PROTOTYPE_NAMED, what);
  ensure(typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype, `${what}: expected a plain object, got ${brief(value)}`);
  const descriptor = Object.getOwnPropertyDescriptor(value, "__proto__");
  sameData(
    descriptor && { data: "value" in descriptor, enumerable: descriptor.enumerable, writable: descriptor.writable, configurable: descriptor.configurable },
    { data: true, enumerable: true, writable: true, configurable: true },
    `${what}: the "__proto__" member as the caller receives it (a JSON member it may change like any other)`,
  );
}

const prototypeNamed: Check[] = [
  defineCheck({
    id: "C4.prototype-named-members.workflows",
    rule: "C4",
    title: 'a run\'s input and context with members "__proto__", "constructor" and "toString" read back as plain data members',
    requires: ["runs"],
    kind: "example",
    async run(ctx) {
      const { workflows } = ctx.backend;
      const id = ctx.unique("run");
      await workflows.createRun({ id, workflowId: "wf", version: "1", input: PROTOTYPE_NAMED, context: PROTOTYPE_NAMED });
      const run = await workflows.getRun(id);
      plainProtoMember(run?.input, "getRun's input");
      plainProtoMember(run?.context, "getRun's context");
    },
  }),
  defineCheck({
    id: "C4.prototype-named-members.state",
    rule: "C4",
    title: 'a cached snapshot with members "__proto__", "constructor" and "toString" reads back as plain data members',
    requires: ["kv"],
    kind: "example",
    async run(ctx) {
      const { state } = ctx.backend;
      const executionId = ctx.unique("exec");
      await state.saveSnapshot({ executionId, sequence: 1, state: PROTOTYPE_NAMED });
      plainProtoMember((await state.loadSnapshot(executionId))?.state, "loadSnapshot's state");
    },
  }),
  defineCheck({
    id: "C4.prototype-named-members.engine",
    rule: "C4",
    title: 'a task payload with members "__proto__", "constructor" and "toString" reads back as plain data members',
    requires: ["leases"],
    kind: "example",
    async run(ctx) {
      const { engine } = ctx.backend;
      const { id } = await engine.enqueue({ queue: ctx.unique("queue"), payload: PROTOTYPE_NAMED });
      plainProtoMember((await engine.getTask(id))?.payload, "getTask's payload");
    },
  }),
];

export const checks: Check[] = [
  ...prototypeNamed,
  ...hostileStrings,
  ...hostileJsonChecks,
  ...hostileNumbers,
  ...deepJson,
  hugeWorkflowValues,
  hugeStateValues,
  hugeEngineValues,
];
