/** The kit's assertion vocabulary: failures say what was expected and what was seen; hangs stay hangs. */
import { AssertionError } from "node:assert";
import { MooringError } from "@mooring/core";
import { describe, expect, it } from "vitest";
import { rejectsWith, same, sameData, succeeds, within } from "../src/checks/support/index.js";
import { CheckTimeout } from "../src/hang.js";

describe("the kit's assertions", () => {
  it("same names the observation, the expectation and what was seen, actual first", () => {
    expect(() => same([1, 2], [1, 3], "readEvents")).toThrow(AssertionError);
    expect(() => same([1, 2], [1, 3], "readEvents")).toThrow("readEvents: expected [ 1, 3 ], got [ 1, 2 ]");
    expect(() => same({ a: 1 }, { a: 1 }, "equal values")).not.toThrow();
  });

  it("sameData compares as JSON: bytes by content, undefined members absent, -0 as 0", () => {
    expect(() => sameData({ a: new Uint8Array([1]), b: undefined, c: -0 }, { a: new Uint8Array([1]), c: 0 }, "data")).not.toThrow();
    expect(() => sameData({ a: 1 }, { a: 2 }, "data")).toThrow("data: expected {\"a\":2}, got {\"a\":1}");
  });

  it("rejectsWith says which code was expected and which was seen", async () => {
    await expect(rejectsWith(Promise.resolve(7), "NOT_FOUND", "getRun")).rejects.toThrow("getRun: expected NOT_FOUND, but the call succeeded with 7");
    await expect(rejectsWith(Promise.reject(new MooringError("CONFLICT", "taken")), "NOT_FOUND", "getRun")).rejects.toThrow("getRun: expected NOT_FOUND, got CONFLICT (taken)");
    await expect(rejectsWith(() => Promise.reject(new MooringError("NOT_FOUND", "gone")), "NOT_FOUND", "getRun")).resolves.toBeInstanceOf(MooringError);
  });

  it("a hang stays a CheckTimeout through rejectsWith, succeeds and within, never an assertion failure", async () => {
    const hang = (): Promise<never> => Promise.reject(new CheckTimeout("waitForWork did not settle (a hang)"));
    await expect(rejectsWith(hang(), "NOT_FOUND", "a call")).rejects.toBeInstanceOf(CheckTimeout);
    await expect(succeeds(hang(), "a call")).rejects.toBeInstanceOf(CheckTimeout);
    await expect(within(hang, "a call")).rejects.toBeInstanceOf(CheckTimeout);
    await expect(within(() => {
      throw new Error("thrown synchronously");
    }, "a call")).rejects.toThrow("thrown synchronously");
  });
});
