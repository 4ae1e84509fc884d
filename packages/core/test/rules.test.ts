/**
 * Core's pure rules on their own: the fence (SPEC E5, E7) and its details, the details of NOT_FOUND
 * (SPEC C6), JSON equality and canonical text, the stored form of values with bytes (SPEC W13) and the
 * statement-file rule. The kit checks the same behaviour through every
 * backend; these pin the functions the backends call.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  canonicalJson,
  decodeStoredValue,
  encodeStoredValue,
  enforceFence,
  type FencedLease,
  type FencedTask,
  fenceErrorDetails,
  type Json,
  jsonEqual,
  judgeFence,
  LEASE_ID_BYTES,
  leaseIdsEqual,
  MooringError,
  newLeaseId,
  newLeaseIds,
  notFoundDetails,
  statementOfFile,
  type Value,
} from "../src/index.js";

const leased: FencedTask = { state: "leased", epoch: 3, leaseId: "the-lease-id-of-epoch-3", leaseEnd: null, leaseExpiresAt: 1_000, completedEpoch: null };
const lease: FencedLease = { taskId: "t", epoch: 3, leaseId: "the-lease-id-of-epoch-3" };
const forged: FencedLease = { ...lease, leaseId: "the-lease-id-of-epoch-X" };

function codeOf(task: FencedTask | undefined, held = lease, now = 500, call: "complete" | "other" = "other"): string {
  const verdict = judgeFence(task, held, now, call);
  return verdict.kind === "rejected" ? verdict.code : verdict.kind;
}

describe("judgeFence (SPEC E5)", () => {
  it("rejects in the order of docs/decisions.md, the first failing check deciding", () => {
    expect(codeOf(undefined)).toBe("NOT_FOUND");
    expect(codeOf({ ...leased, state: "cancelled", epoch: 4 })).toBe("STALE_LEASE");
    expect(codeOf(leased, { ...forged, epoch: 4 })).toBe("INVALID_STATE");
    expect(codeOf({ ...leased, state: "ready", epoch: 0, leaseId: null }, { ...lease, epoch: 0 })).toBe("INVALID_STATE");
    expect(codeOf({ ...leased, state: "cancelled" }, forged, 2_000)).toBe("STALE_LEASE");
    expect(codeOf({ ...leased, state: "cancelled" }, lease, 2_000)).toBe("LEASE_REVOKED");
    expect(codeOf({ ...leased, state: "ready", leaseEnd: "revoked" })).toBe("LEASE_REVOKED");
    expect(codeOf(leased, lease, 1_000)).toBe("LEASE_EXPIRED");
    expect(codeOf({ ...leased, state: "scheduled", leaseEnd: "expired" })).toBe("LEASE_EXPIRED");
    expect(codeOf({ ...leased, state: "ready" })).toBe("INVALID_STATE");
    expect(codeOf(leased)).toBe("held");
  });

  it("rejects the latest epoch with another leaseId as STALE_LEASE, whatever the task's state (T4)", () => {
    for (const state of ["leased", "ready", "completed", "dead", "suspended"]) {
      expect(codeOf({ ...leased, state, completedEpoch: state === "completed" ? 3 : null }, forged, 500, "complete")).toBe("STALE_LEASE");
    }
    expect(codeOf({ ...leased, leaseEnd: "revoked" }, forged)).toBe("STALE_LEASE");
    expect(codeOf(leased, forged, 1_000)).toBe("STALE_LEASE");
    expect(codeOf(leased, { ...lease, leaseId: "the-lease-id-of-epoch-3-and-more" })).toBe("STALE_LEASE");
    // A lease granted before the store kept lease ids matches nothing.
    expect(codeOf({ ...leased, leaseId: null })).toBe("STALE_LEASE");
  });

  it("accepts complete repeated with the lease that completed the task (E7), and nothing else", () => {
    const completed: FencedTask = { ...leased, state: "completed", completedEpoch: 3 };
    expect(codeOf(completed, lease, 500, "complete")).toBe("repeat");
    expect(codeOf(completed, lease, 500, "other")).toBe("INVALID_STATE");
    expect(codeOf({ ...completed, completedEpoch: null }, lease, 500, "complete")).toBe("INVALID_STATE");
  });

  it("gives every rejection the one details shape, with the task's epoch and state", () => {
    const verdict = judgeFence({ ...leased, epoch: 5 }, lease, 500, "other");
    expect(verdict).toMatchObject({ kind: "rejected", details: { taskId: "t", leaseEpoch: 3, currentEpoch: 5, state: "leased" } });
    expect(fenceErrorDetails(lease, undefined)).toEqual({ taskId: "t", leaseEpoch: 3, currentEpoch: null, state: null });
    let thrown: unknown;
    try {
      enforceFence(judgeFence(undefined, lease, 0, "other"), "memory");
    } catch (error) {
      thrown = error;
    }
    expect(MooringError.is(thrown, "NOT_FOUND") && thrown.backend === "memory" && thrown.details).toEqual(fenceErrorDetails(lease, undefined));
  });
});

describe("lease ids (SPEC T4)", () => {
  it("are at least 96 random bits, base64url, and new every time", () => {
    expect(LEASE_ID_BYTES * 8).toBeGreaterThanOrEqual(96);
    const ids = newLeaseIds(1_000);
    for (const id of ids) expect(Buffer.from(id, "base64url").length).toBe(LEASE_ID_BYTES);
    expect(ids.every((id) => /^[A-Za-z0-9_-]{22}$/.test(id))).toBe(true);
    expect(new Set([...ids, newLeaseId()]).size).toBe(1_001);
  });

  it("compare equal only to themselves; a missing stored id equals nothing", () => {
    const id = newLeaseId();
    expect(leaseIdsEqual(id, id)).toBe(true);
    expect(leaseIdsEqual(id, `${id}x`)).toBe(false);
    expect(leaseIdsEqual(id, newLeaseId())).toBe(false);
    expect(leaseIdsEqual("", null)).toBe(false);
    expect(leaseIdsEqual("é", "e\u0301")).toBe(false);
  });
});

const json: fc.Arbitrary<Json> = fc.jsonValue() as fc.Arbitrary<Json>;

/** The same value with the members of every object in reverse order. */
function reordered(value: Json): Json {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(reordered);
  return Object.fromEntries(Object.keys(value).reverse().map((key) => [key, reordered(value[key] as Json)]));
}

describe("notFoundDetails (SPEC C6)", () => {
  it("names what is missing by exactly one id field", () => {
    expect(notFoundDetails("run", "r")).toStrictEqual({ runId: "r" });
    expect(notFoundDetails("task", "t")).toStrictEqual({ taskId: "t" });
    expect(notFoundDetails("tenant", "acme")).toStrictEqual({ tenantId: "acme" });
  });
});

describe("JSON equality and canonical text", () => {
  it("ignore object member order and keep array order", () => {
    fc.assert(
      fc.property(json, (value) => {
        expect(jsonEqual(value, reordered(value))).toBe(true);
        expect(canonicalJson(reordered(value))).toBe(canonicalJson(value));
      }),
    );
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
    expect(jsonEqual({ a: 1 }, { a: 1, b: undefined } as unknown as Json)).toBe(false);
    expect(canonicalJson({ b: [1, { d: 0, c: -0 }], a: "x" })).toBe('{"a":"x","b":[1,{"c":0,"d":0}]}');
  });

  it("agree: equal values have equal text, and different text means different values", () => {
    fc.assert(
      fc.property(json, json, (a, b) => {
        expect(canonicalJson(a) === canonicalJson(b)).toBe(jsonEqual(a, b));
      }),
    );
  });
});

/** JSON values with byte arrays anywhere, and member names that look like the stored form's. */
const valueWithBytes: fc.Arbitrary<Value> = fc.letrec<{ value: Value }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    // As its text: JSON has no −0 (its text is 0), so a stored −0 reads back as 0 by design.
    fc.jsonValue({ maxDepth: 1 }).map((json) => JSON.parse(JSON.stringify(json)) as Value),
    fc.uint8Array({ maxLength: 8 }),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.string(), fc.constantFrom("$bytes", "$", "$$bytes", "$b", "__proto__")), tie("value"), { maxKeys: 4, noNullPrototype: true }),
  ),
})).value;

/** Through the text a SQL column or Redis string holds, and back. */
function roundTrip(value: Value): Value {
  const stored = encodeStoredValue(value);
  return decodeStoredValue(stored.kind, JSON.parse(JSON.stringify(stored.json)) as Json, stored.bytes === null ? null : Buffer.from(stored.bytes));
}

describe("the stored form of a value (SPEC W13)", () => {
  it("reads back every value exactly, bytes as plain Uint8Arrays", () => {
    fc.assert(
      fc.property(valueWithBytes, (value) => {
        expect(roundTrip(value)).toStrictEqual(value);
      }),
    );
    const decoded = roundTrip({ a: Uint8Array.of(1, 2), b: [Uint8Array.of()] }) as { a: Uint8Array };
    expect(Object.getPrototypeOf(decoded.a)).toBe(Uint8Array.prototype);
  });

  it("keeps a value without bytes as its JSON, and escapes only the names of a value with bytes", () => {
    expect(encodeStoredValue({ $bytes: "AAEC" })).toStrictEqual({ kind: null, json: { $bytes: "AAEC" }, bytes: null });
    expect(encodeStoredValue({ $bytes: "AAEC", data: Uint8Array.of(0, 1, 2) })).toStrictEqual({
      kind: "nested",
      json: { $$bytes: "AAEC", data: { $bytes: "AAEC" } },
      bytes: null,
    });
    expect(encodeStoredValue(Uint8Array.of(7)).kind).toBe("bytes");
    expect(() => decodeStoredValue("later", null, null)).toThrow(TypeError);
  });
});

describe("statementOfFile", () => {
  it("takes one statement under a header naming its parameters and returns", () => {
    expect(statementOfFile("a.sql", "-- a: one row\n-- Parameters: id\n-- Returns: a row\nSELECT 1;\n")).toBe("-- a: one row\n-- Parameters: id\n-- Returns: a row\nSELECT 1");
    expect(() => statementOfFile("b.sql", "SELECT 1")).toThrow(/header/);
    expect(() => statementOfFile("c.sql", "-- Parameters: none\n-- Returns: none\n")).toThrow(/no statement/);
    expect(() => statementOfFile("d.sql", "-- Parameters: none\n-- Returns: none\nSELECT 1; SELECT 2")).toThrow(/exactly one/);
  });
});
