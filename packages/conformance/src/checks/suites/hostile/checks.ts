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
import fc from "fast-check";
import { type CapabilityName, DEFAULTS, hasCapability } from "@mooring/core";
import { assertProperty } from "../../../fast-check.js";
import { type Check, type CheckContext, defineCheck } from "../../../registry.js";
import { ensure, sameData } from "../../support/index.js";
import { attempt } from "./attempt.js";
import { type Env, openEnv } from "./fixtures.js";
import { hostileJson, hostileKey, hostileNumber, hostileString, nestedIn } from "./generators.js";
import { jsonOps } from "./json-ops.js";
import { numberOps } from "./number-ops.js";
import { utf8Bytes, verdict } from "./oracle.js";
import { stringOps } from "./string-ops.js";

// ---------------------------------------------------------------------------------------------
// The property checks

interface OpTable {
  readonly name: string;
  readonly requires: readonly CapabilityName[];
}

function declaredOps<T extends OpTable>(context: CheckContext, ops: readonly T[]): T[] {
  const declared = ops.filter((op) => op.requires.every((capability) => hasCapability(context.backend.capabilities, capability)));
  ensure(declared.length > 0, "no hostile-input operation is declared by this backend");
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
    ensure(utf8Bytes(JSON.stringify(atLimit)) === limit && utf8Bytes(JSON.stringify(overLimit)) === limit + 1, "kit bug: the payloads around the limit have the wrong size");
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
          ensure(lease?.payload === payload, `the claimed payload of ${utf8Bytes(JSON.stringify(payload))} bytes differs from the enqueued one`);
        },
      });
      const executionId = `huge-exec-${valid}`;
      await attempt(env, {
        what: `saveSnapshot with a state of ${utf8Bytes(JSON.stringify(payload))} bytes`,
        verdict: verdict(valid),
        probes: [executionId],
        call: () => state.saveSnapshot({ executionId, sequence: 1, state: payload }),
        verify: async () => ensure((await state.loadSnapshot(executionId))?.state === payload, "the cached state of maxPayloadBytes came back altered"),
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
        ensure((await workflows.readEvents(env.runId, { after: (sequence ?? 1) - 1 }))[0]?.payload === atLimit, "the event of maxPayloadBytes came back altered"),
    });

    // Every byte value, at exactly the limit; then a compare-and-set that must compare all of it.
    const bytes = Uint8Array.from({ length: limit }, (_, i) => (i * 7919 + (i >> 8)) & 0xff);
    const reversed = Uint8Array.from(bytes).reverse();
    const almost = Uint8Array.from(bytes);
    almost[limit - 1] = (almost[limit - 1] ?? 0) ^ 1;
    // Huge keys stay out of the fingerprint (`env.keys`): reading a MiB twice per call would dominate the check.
    await attempt(env, { what: `set with ${limit} bytes`, verdict: "valid", call: () => state.set("huge-bytes", bytes), verify: async () => sameData(await state.get("huge-bytes"), bytes, "the huge value read back") });
    await attempt(env, { what: `set with ${limit + 1} bytes`, verdict: "invalid", probes: ["huge-over"], call: () => state.set("huge-over", new Uint8Array(limit + 1)) });
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
    for (const fill of [0x00, 0xff]) {
      const uniform = new Uint8Array(limit).fill(fill);
      await attempt(env, {
        what: `set with ${limit} bytes of 0x${fill.toString(16)}`,
        verdict: "valid",
        call: () => state.set(`huge-fill-${fill}`, uniform),
        verify: async () => sameData(await state.get(`huge-fill-${fill}`), uniform, `the value of ${limit} bytes 0x${fill.toString(16)} read back`),
      });
    }
  },
});

export const checks: Check[] = [hostileStrings, hostileJsonCheck, hostileNumbers, deepJson, hugeValues];
