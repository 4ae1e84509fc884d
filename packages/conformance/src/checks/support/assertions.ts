/**
 * The kit's one assertion vocabulary. Every check asserts with these, so that the runner needs no
 * test framework and every failure reads the same way: what was observed (`what`), what was
 * expected, and what was seen. Arguments come in one order everywhere: the observed value first,
 * then the expectation, then `what` (as node:assert and vitest order them). Every failure is an
 * `AssertionError`: a broken rule, never a hang (a hang is a `CheckTimeout`, see `time.ts`).
 */
import { AssertionError } from "node:assert";
import { isDeepStrictEqual } from "node:util";
import { type ErrorCode, MooringError } from "@mooring/core";
import { CheckTimeout } from "../../hang.js";
import { jsonView } from "../../model/json.js";
import { brief, show } from "./preview.js";

export { AssertionError };

/** Fails with `message` unless `condition` holds. */
export function ensure(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError({ message });
}

/** Fails with `message`. */
export function fail(message: string): never {
  throw new AssertionError({ message });
}

/** Fails unless `actual` deeply and strictly equals `expected`. `what` names the observation. */
export function same(actual: unknown, expected: unknown, what: string): void {
  if (!isDeepStrictEqual(actual, expected)) {
    throw new AssertionError({
      message: `${what}: expected ${show(expected)}, got ${show(actual)}`,
      actual,
      expected,
      operator: "deepStrictEqual",
    });
  }
}

/** Fails if `actual` deeply and strictly equals `unexpected`. */
export function differs(actual: unknown, unexpected: unknown, what: string): void {
  if (isDeepStrictEqual(actual, unexpected)) {
    throw new AssertionError({ message: `${what}: expected anything but ${show(unexpected)}, got it`, actual, expected: unexpected, operator: "notDeepStrictEqual" });
  }
}

/** `same` for sets of strings given as arrays: order is not part of the expectation. */
export function sameMembers(actual: readonly string[], expected: readonly string[], what: string): void {
  same([...actual].sort(), [...expected].sort(), what);
}

/** Whether `actual` equals `expected` as JSON (or bytes) values; see `sameData`. */
export function isSameData(actual: unknown, expected: unknown): boolean {
  return isDeepStrictEqual(jsonView(actual), jsonView(expected));
}

/**
 * Fails unless `actual` equals `expected` as JSON (or bytes) values: bytes compare by content,
 * undefined members are absent, negative zero is zero. Values may be large: the message cuts them.
 */
export function sameData(actual: unknown, expected: unknown, what: string): void {
  if (!isSameData(actual, expected)) {
    throw new AssertionError({ message: `${what}: expected ${brief(expected, 400)}, got ${brief(actual, 400)}` });
  }
}

/** Fails unless `actual` holds exactly the bytes of `expected`; the message says where they first differ. */
export function sameBytes(actual: Uint8Array | null, expected: Uint8Array, what: string): void {
  ensure(actual !== null, `${what}: expected ${expected.byteLength} bytes, got null`);
  ensure(actual instanceof Uint8Array, `${what}: expected a Uint8Array, got ${brief(actual)}`);
  same(actual.byteLength, expected.byteLength, `${what}: length`);
  for (let i = 0; i < expected.byteLength; i++) {
    if (actual[i] !== expected[i]) fail(`${what}: byte ${i} is ${actual[i]}, expected ${expected[i]}`);
  }
}

/** Fails if `seen` holds an element twice, naming the repeated ones. */
export function ensureNoRepeats(seen: readonly string[], what: string): void {
  const counts = new Map<string, number>();
  for (const item of seen) counts.set(item, (counts.get(item) ?? 0) + 1);
  const repeated = [...counts].filter(([, count]) => count > 1).map(([item]) => item);
  same(repeated, [], `${what}: items repeated across pages`);
}

/**
 * Awaits `call` (a promise, or a function returning one) and fails unless it rejects with a
 * MooringError of `code`. `what` names the call, e.g. "appendEvents with a stale expectedSequence".
 * A `CheckTimeout` passes through: a hang is not a wrong answer.
 * @returns the error, for further checks.
 */
export async function rejectsWith(call: Promise<unknown> | (() => Promise<unknown>), code: ErrorCode, what: string): Promise<MooringError> {
  let value: unknown;
  try {
    value = await (typeof call === "function" ? call() : call);
  } catch (error) {
    if (error instanceof CheckTimeout) throw error;
    if (MooringError.is(error, code)) return error;
    const got = MooringError.is(error) ? `${error.code} (${error.message})` : `a non-Mooring error ${error instanceof Error ? `${error.name}: ${error.message}` : brief(error)}`;
    throw new AssertionError({ message: `${what}: expected ${code}, got ${got}`, actual: error, expected: code, operator: "rejects" });
  }
  throw new AssertionError({ message: `${what}: expected ${code}, but the call succeeded with ${brief(value, 300)}`, expected: code, operator: "rejects" });
}

/**
 * As `rejectsWith`, and fails unless the error's whole `details` deeply and strictly equal
 * `details`: the one documented shape of its situation (SPEC C4), so a field missing, added,
 * renamed or of another type fails. An error without details compares as `{}`.
 */
export async function rejectsWithDetails(
  call: Promise<unknown> | (() => Promise<unknown>),
  code: ErrorCode,
  details: Readonly<Record<string, unknown>>,
  what: string,
): Promise<MooringError> {
  const error = await rejectsWith(call, code, what);
  same({ ...error.details }, { ...details }, `${what}: the ${code} error's details`);
  return error;
}

/** Awaits `call`; a rejection fails the check with `what` and the error's code (a `CheckTimeout` passes through). */
export async function succeeds<T>(call: Promise<T>, what: string): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof CheckTimeout) throw error;
    const got = MooringError.is(error) ? `${error.code} (${error.message})` : show(error);
    throw new AssertionError({ message: `${what}: expected success, got ${got}`, actual: error, operator: "resolves" });
  }
}

/** The error code of a settled call, or "ok". For race tests that tally outcomes. */
export async function outcomeOf(call: Promise<unknown>): Promise<ErrorCode | "ok"> {
  try {
    await call;
    return "ok";
  } catch (error) {
    if (MooringError.is(error)) return error.code;
    throw error;
  }
}

/**
 * Fails unless exactly one of concurrent attempts succeeded and every other one was rejected with
 * `code` (the optimistic-concurrency contract of SPEC W8, W11); returns the winner's index.
 */
export async function ensureOneWinner(outcomes: readonly PromiseSettledResult<unknown>[], code: ErrorCode, what: string): Promise<number> {
  const winners = outcomes.flatMap((outcome, index) => (outcome.status === "fulfilled" ? [index] : []));
  same(winners.length, 1, `${what}: how many of ${outcomes.length} concurrent attempts won (exactly one must)`);
  for (const outcome of outcomes) {
    if (outcome.status === "rejected") await rejectsWith(Promise.reject(outcome.reason), code, `${what}: a losing attempt`);
  }
  return winners[0]!;
}
