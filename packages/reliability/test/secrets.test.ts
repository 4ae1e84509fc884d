/**
 * Secrets at rest on every backend (issue 7; SPEC T3): the raw store (SQL rows and files, Redis
 * keys and values, the memory store's object graph and a heap snapshot of a process holding one)
 * never holds a token's plaintext or secret, only its SHA-256; tokens carry 256 random bits; and
 * `validate` compares hashes in constant time.
 *
 * Constant time is asserted on the implementation path, not by timing: `node:crypto` is wrapped so
 * that every `timingSafeEqual` call is seen, and each backend's `validate` of a real token must
 * compare the two SHA-256 digests through it (core's `hashesEqual`). A timing measurement on a
 * shared 2-core machine would be noise around microseconds, and a flaky test proves nothing.
 */
import { createHash } from "node:crypto";
import * as crypto from "node:crypto";
import { hashesEqual } from "@mooring/core";
import { describe, expect, it, vi } from "vitest";
import { dumpRawStore } from "../src/secrets/raw-store.js";
import { entropyViolations, runHeapProbe, runSecrets, searchSecrets } from "../src/secrets/scenario.js";
import { BACKEND_KINDS } from "../src/servers.js";
import { expectPassed, scenarioFixture } from "./support/fixture.js";

vi.mock("node:crypto", async (importOriginal) => {
  const original = await importOriginal<typeof crypto>();
  return { ...original, timingSafeEqual: vi.fn(original.timingSafeEqual) };
});

const timingSafeEqual = vi.mocked(crypto.timingSafeEqual);
const fixture = scenarioFixture({ programs: true });

function digest(token: string): Buffer {
  return createHash("sha256").update(token, "utf8").digest();
}

describe("the constant-time comparison itself", () => {
  it("core's hashesEqual compares through crypto.timingSafeEqual, equal or not", () => {
    const a = digest("a").toString("hex");
    const b = digest("b").toString("hex");
    timingSafeEqual.mockClear();
    expect(hashesEqual(a, a)).toBe(true);
    expect(hashesEqual(a, b)).toBe(false);
    expect(timingSafeEqual).toHaveBeenCalledTimes(2);
    // Different lengths are answered without comparing (timingSafeEqual would throw); a SHA-256
    // hex digest always has 64 characters, so a stored hash never takes that path.
    expect(hashesEqual(a, a.slice(2))).toBe(false);
  });

  it("entropyViolations flags short, repeated and biased tokens (the check can fail)", () => {
    expect(entropyViolations(["mrt_short"])).toHaveLength(1);
    const same = `mrt_${"A".repeat(43)}`;
    const found = entropyViolations([same, same]);
    expect(found.some((message) => message.includes("duplicate"))).toBe(true);
    expect(found.some((message) => message.includes("uniformly random"))).toBe(true);
  });
});

describe("the memory heap probe", () => {
  it("finds a token a run's input keeps in the heap (the check can fail)", async () => {
    const probe = await runHeapProbe(fixture.program("secrets/heap-probe"), true);
    expect(probe.hashesFound).toBe(probe.tokens);
    expect(probe.exposed).toContain("token #0 secret part");
    expect(probe.exposed.every((exposure) => exposure.startsWith("token #0 "))).toBe(true);
  });
});

describe.each(BACKEND_KINDS)("secrets at rest on %s", (kind) => {
  it("the raw store holds no token plaintext or secret, only SHA-256; 1,000 tokens of 256 bits are distinct (T3)", (context) =>
    fixture.onTarget(kind, "secrets", context, async (target) => {
      expectPassed(await runSecrets(target, kind === "memory" ? { heapProbe: fixture.program("secrets/heap-probe") } : {}));
    }));

  it("the search finds a token planted in the store through the public API (the check can fail)", (context) =>
    fixture.onTarget(kind, "plant", context, async (target) => {
      const backend = await target.open();
      try {
        const { token } = await backend.tokens.create({ name: "planted", role: "reader" });
        // A careless engine storing a token in a run's input and in the cache.
        await backend.workflows.createRun({ id: "run-with-a-secret", workflowId: "w", version: "1", input: { apiToken: token } });
        await backend.state.set("cached-token", new TextEncoder().encode(token));
        const search = searchSecrets(await dumpRawStore(target, [backend.tenantId]), [token]);
        expect(search.hashesMissing).toBe(0);
        expect(search.exposures.some((exposure) => exposure.includes("plaintext"))).toBe(true);
      } finally {
        await backend.close();
      }
    }));

  it("validate compares the stored and presented SHA-256 digests with timingSafeEqual (T3)", (context) =>
    fixture.onTarget(kind, "ct", context, async (target) => {
      const backend = await target.open();
      try {
        const { token, info } = await backend.tokens.create({ name: "ct", role: "reader" });
        timingSafeEqual.mockClear();
        expect((await backend.tokens.validate(token))?.id).toBe(info.id);
        const expected = digest(token);
        const compared = timingSafeEqual.mock.calls.some(
          ([left, right]) => Buffer.from(left as Uint8Array).equals(expected) && Buffer.from(right as Uint8Array).equals(expected),
        );
        expect(compared, `${kind}: validate did not compare the digests through timingSafeEqual`).toBe(true);
      } finally {
        await backend.close();
      }
    }));
});
