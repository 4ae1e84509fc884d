/** Small generators shared by the commands: values chosen to hit boundaries, not to be exhaustive. */
import type { Json, JsonObject } from "@mooring/core";
import fc from "fast-check";

/** Which tenant of the world a command addresses (taken modulo the number of tenants). */
export const tenant = fc.nat({ max: 5 });

/** An index into a list known only when the command runs (taken modulo its length). */
export const pick = fc.nat({ max: 7 });

/** An index counted from the most recent item: the latest one most often. */
export const recent = fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: fc.nat({ max: 7 }) });

/**
 * A target chosen when the command runs: usually among the candidates that make the call
 * interesting (an existing run, a dead task for retryDeadLetter), sometimes among all.
 */
export interface Target {
  readonly index: number;
  readonly anyCandidate: boolean;
}
export const target: fc.Arbitrary<Target> = fc.record({
  index: pick,
  anyCandidate: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
});

/** `preferred[index]` unless the target asks for any candidate or none is preferred; then `all[index]`. */
export function choose<T>(chosen: Target, preferred: readonly T[], all: readonly T[]): T | undefined {
  const list = chosen.anyCandidate || preferred.length === 0 ? all : preferred;
  return list[chosen.index % Math.max(1, list.length)];
}

const text = fc.constantFrom("", "a", "é", "☃", "😀", "\"'\\", "line\nbreak", "{}%*?:/");

const scalar: fc.Arbitrary<Json> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer({ min: -1000, max: 1000 }),
  fc.constantFrom(1.5, -0.25, 1e21),
  text,
);

const memberName = fc.constantFrom("a", "b", "c d", ":");

/** A small JSON value, nested up to two levels. */
export const json: fc.Arbitrary<Json> = fc.oneof(
  { weight: 3, arbitrary: scalar },
  { weight: 1, arbitrary: fc.array(scalar, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(memberName, scalar, { maxKeys: 3 }) as fc.Arbitrary<Json> },
);

/** Contexts, some with a non-array member so that appendToContext can meet INVALID_STATE. */
export const context: fc.Arbitrary<JsonObject> = fc.constantFrom<JsonObject>({}, { x: 1 }, { log: [] }, { log: ["a"], x: "s" });

/**
 * How a held lease is presented: as granted, or forged to probe the fence (SPEC E5): another
 * epoch, another task, or its own task and epoch with another leaseId (SPEC T4).
 */
export type Forgery = "none" | "older" | "newer" | "zero" | "ghost" | "leaseId";
export const forgery: fc.Arbitrary<Forgery> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<Forgery>("none") },
  { weight: 1, arbitrary: fc.constantFrom<Forgery>("older", "newer", "zero", "ghost", "leaseId") },
);

/** Forgeries of the leaseId alone, as often as leases used as granted (SPEC T4). */
export const leaseIdForgery: fc.Arbitrary<Forgery> = fc.constantFrom<Forgery>("none", "leaseId");

/** Clock steps around the lease, TTL and backoff values the commands use, boundaries included. */
export const clockStep = fc.constantFrom(1, 9, 10, 99, 100, 101, 999, 1000, 1001, 4999, 5000, 60_000);

export const ttlMs = fc.constantFrom(1, 10, 100, 1000, 10_000);

export function optional<T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.option(arbitrary, { nil: undefined, freq: 2 });
}

/** True about one time in six: for probes that should stay the exception. */
export const sometimes: fc.Arbitrary<boolean> = fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) });
