/** Commands over the StateStore (SPEC S1–S4): byte values with TTL, CAS, cached snapshots. */
import fc from "fast-check";
import { ok } from "../outcome.js";
import { json, optional, tenant, ttlMs } from "./arbitraries.js";
import { step, type WorldCommand } from "./step.js";
import { EXECUTION_IDS, sameOutcome, KV_KEYS, observe } from "./world.js";

const key = fc.constantFrom(...KV_KEYS);
const executionId = fc.constantFrom(...EXECUTION_IDS);
const bytes = fc.oneof(fc.uint8Array({ maxLength: 6 }), fc.constantFrom(new Uint8Array([0, 255, 128]), new Uint8Array()));
const ttl = (ms: number | undefined): { ttlMs: number } | undefined => (ms === undefined ? undefined : { ttlMs: ms });

/** What `compareAndSet` expects: the current value (the likely winner), absent, or other bytes. */
const expectation = fc.constantFrom("current", "current", "absent", "other") as fc.Arbitrary<"current" | "absent" | "other">;

export const cacheCommands = {
  set: step("set", fc.record({ tenant, key, value: bytes, ttl: optional(ttlMs) }), {
    run: async (world, slot, p, label) => {
      slot.model.cache.set(p.key, p.value, ttl(p.ttl), world.now());
      sameOutcome(await observe(() => slot.backend.state.set(p.key, p.value, ttl(p.ttl))), ok(undefined), label);
    },
  }),
  get: step("get", fc.record({ tenant, key }), {
    readOnly: true,
    run: async (world, slot, p, label) => {
      sameOutcome(await observe(() => slot.backend.state.get(p.key)), ok(slot.model.cache.get(p.key, world.now())), label);
    },
  }),
  exists: step("exists", fc.record({ tenant, key }), {
    readOnly: true,
    run: async (world, slot, p, label) => {
      sameOutcome(await observe(() => slot.backend.state.exists(p.key)), ok(slot.model.cache.exists(p.key, world.now())), label);
    },
  }),
  delete: step("delete", fc.record({ tenant, key }), {
    run: async (world, slot, p, label) => {
      sameOutcome(await observe(() => slot.backend.state.delete(p.key)), ok(slot.model.cache.delete(p.key, world.now())), label);
    },
  }),
  setIfAbsent: step("setIfAbsent", fc.record({ tenant, key, value: bytes, ttl: optional(ttlMs) }), {
    run: async (world, slot, p, label) => {
      const expected = slot.model.cache.setIfAbsent(p.key, p.value, ttl(p.ttl), world.now());
      sameOutcome(await observe(() => slot.backend.state.setIfAbsent(p.key, p.value, ttl(p.ttl))), ok(expected), label);
    },
  }),
  compareAndSet: step("compareAndSet", fc.record({ tenant, key, expected: expectation, other: bytes, next: bytes, ttl: optional(ttlMs) }), {
    run: async (world, slot, p, label) => {
      const now = world.now();
      const current = slot.model.cache.get(p.key, now);
      const expectedBytes = p.expected === "absent" ? null : p.expected === "current" ? (current ?? p.other) : p.other;
      const result = slot.model.cache.compareAndSet(p.key, expectedBytes, p.next, ttl(p.ttl), now);
      sameOutcome(await observe(() => slot.backend.state.compareAndSet(p.key, expectedBytes, p.next, ttl(p.ttl))), ok(result), label);
    },
  }),
  saveSnapshot: step("saveSnapshot", fc.record({ tenant, executionId, sequence: fc.nat({ max: 5 }), state: json, ttl: optional(ttlMs) }), {
    run: async (world, slot, p, label) => {
      const input = { executionId: p.executionId, sequence: p.sequence, state: p.state, ...ttl(p.ttl) };
      slot.model.cache.saveSnapshot(input, world.now());
      sameOutcome(await observe(() => slot.backend.state.saveSnapshot(input)), ok(undefined), label);
    },
  }),
  deleteSnapshot: step("deleteSnapshot", fc.record({ tenant, executionId }), {
    run: async (world, slot, p, label) => {
      const expected = slot.model.cache.deleteSnapshot(p.executionId, world.now());
      sameOutcome(await observe(() => slot.backend.state.deleteSnapshot(p.executionId)), ok(expected), label);
    },
  }),
  deleteExecutionState: step("deleteExecutionState", fc.record({ tenant, executionId }), {
    run: async (world, slot, p, label) => {
      const expected = slot.model.cache.deleteExecutionState(p.executionId, world.now());
      sameOutcome(await observe(() => slot.backend.state.deleteExecutionState(p.executionId)), ok(expected), label);
    },
  }),
} as const satisfies Record<string, fc.Arbitrary<WorldCommand>>;
