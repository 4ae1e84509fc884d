/**
 * The history checker on hand-made histories: each rule's valid shapes pass, and each violation
 * the checker knows is found and named (E4, E5, E7, E11, W7). Then the recorder: outcomes,
 * strictly increasing times, serialization, and a real recorded workload on the memory backend.
 */
import { createMemoryBackend, MemoryStore } from "@mooring/backend-memory";
import { ManualClock, MooringError } from "@mooring/core";
import { describe, expect, it } from "vitest";
import {
  assertHistory,
  checkHistory,
  type HistoryEntry,
  HistoryRecorder,
  HistoryViolationError,
  mergeHistories,
  type Outcome,
  parseHistory,
  serializeHistory,
  type ViolationKind,
} from "../src/history/index.js";

/**
 * Builds a history on an explicit real-time axis: each entry occupies [invokedAt, completedAt].
 * By default each new entry starts one unit after the previous one completed (sequential).
 */
class Script {
  readonly entries: HistoryEntry[] = [];
  #time = 0;

  add(op: string, args: unknown, options: { outcome?: Outcome; value?: unknown; at?: readonly [number, number | null]; process?: string; code?: string } = {}): number {
    const [invokedAt, completedAt] = options.at ?? [this.#time + 1, this.#time + 2];
    this.#time = Math.max(this.#time, completedAt ?? invokedAt);
    const outcome = options.outcome ?? "ok";
    const index = this.entries.length;
    this.entries.push({
      index,
      process: options.process ?? "p",
      op,
      args,
      invokedAt,
      completedAt,
      outcome,
      value: outcome === "ok" ? (options.value ?? null) : null,
      error: outcome === "ok" ? null : { code: options.code ?? (outcome === "fail" ? "STALE_LEASE" : "UNAVAILABLE"), message: "" },
    });
    return index;
  }

  clock(now: number, at?: readonly [number, number]): number {
    return this.add("clock", { advanceBy: 0 }, { value: { now }, ...(at ? { at } : {}) });
  }

  claim(taskId: string, epoch: number, expiresAt: number, options: { at?: readonly [number, number]; outcome?: Outcome } = {}): number {
    return this.add("claim", { workerId: "w", queues: ["q"], leaseMs: 1000, limit: 1 }, { value: [{ taskId, epoch, attempt: epoch, expiresAt }], ...options });
  }

  holder(op: string, taskId: string, epoch: number, options: { outcome?: Outcome; value?: unknown; at?: readonly [number, number] } = {}): number {
    return this.add(op, { taskId, epoch }, options);
  }

  reclaim(retried: string[], deadLettered: string[] = [], at?: readonly [number, number]): number {
    return this.add("reclaim", { limit: null }, { value: { retried, deadLettered }, ...(at ? { at } : {}) });
  }

  append(runId: string, payloads: unknown[], sequences: number[] | null, outcome: Outcome = "ok"): number {
    return this.add("append", { runId, events: payloads.map((payload) => ({ type: "e", payload })) }, { outcome, value: sequences });
  }

  read(runId: string, events: [number, unknown][]): number {
    return this.add("read", { runId }, { value: events.map(([sequence, payload]) => ({ sequence, type: "e", payload })) });
  }
}

function kinds(script: Script): ViolationKind[] {
  return checkHistory(script.entries).violations.map((violation) => violation.kind);
}

function expectValid(script: Script): void {
  const report = checkHistory(script.entries);
  expect(report.violations).toEqual([]);
  expect(report.valid).toBe(true);
}

describe("history checker: valid histories (no false alarms)", () => {
  it("claim then complete", () => {
    const s = new Script();
    s.clock(0);
    s.claim("t", 1, 1000);
    s.holder("complete", "t", 1);
    expectValid(s);
  });

  it("expiry, reclaim, a new lease, and the old holder rejected", () => {
    const s = new Script();
    s.clock(0);
    s.claim("t", 1, 1000);
    s.clock(1000);
    s.reclaim(["t"]);
    s.claim("t", 2, 2000);
    s.holder("complete", "t", 1, { outcome: "fail" });
    s.holder("complete", "t", 2);
    expectValid(s);
  });

  it("a lazy reclaim by claim (no reclaim result) and a later sweep that finds nothing", () => {
    const s = new Script();
    s.clock(0);
    s.claim("t", 1, 1000);
    s.clock(1000);
    s.claim("t", 2, 2000);
    s.reclaim([]);
    s.holder("release", "t", 2);
    s.claim("t", 3, 2000);
    s.holder("complete", "t", 3);
    expectValid(s);
  });

  it("a claim concurrent with the clock advance that expired the previous lease", () => {
    const s = new Script();
    s.clock(0);
    s.claim("t", 1, 1000, { at: [1, 2] });
    s.claim("t", 2, 2000, { at: [3, 6] });
    s.clock(1000, [4, 5]);
    expectValid(s);
  });

  it("a renewal extends the lease", () => {
    const s = new Script();
    s.clock(0);
    s.claim("t", 1, 1000);
    s.holder("renew", "t", 1, { value: { expiresAt: 3000 } });
    s.clock(2000);
    s.holder("complete", "t", 1);
    expectValid(s);
  });

  it("a repeated complete after expiry (E7's idempotent retry)", () => {
    const s = new Script();
    s.clock(0);
    s.claim("t", 1, 1000);
    s.holder("complete", "t", 1);
    s.clock(5000);
    s.holder("complete", "t", 1);
    expectValid(s);
  });

  it("release then a new lease at once", () => {
    const s = new Script();
    s.clock(0);
    s.claim("t", 1, 1000);
    s.holder("release", "t", 1);
    s.claim("t", 2, 1000);
    s.holder("fail", "t", 2, { value: { outcome: "dead" } });
    expectValid(s);
  });

  it("a suspend that returned signals keeps the lease; one that parked ends it", () => {
    const s = new Script();
    s.clock(0);
    s.claim("t", 1, 1000);
    s.holder("suspend", "t", 1, { value: { suspended: false } });
    s.holder("suspend", "t", 1, { value: { suspended: true } });
    s.claim("t", 2, 1000);
    s.holder("complete", "t", 2);
    expectValid(s);
  });

  it("a conditional append that lost wrote nothing; the winner sits right after its expected sequence", () => {
    const s = new Script();
    s.append("r", ["a"], [1]);
    s.add("append", { runId: "r", events: [{ type: "e", payload: "b" }], expectedSequence: 1 }, { value: [2] });
    s.add("append", { runId: "r", events: [{ type: "e", payload: "c" }], expectedSequence: 1 }, { outcome: "fail", code: "SEQUENCE_CONFLICT" });
    s.read("r", [
      [1, "a"],
      [2, "b"],
    ]);
    expectValid(s);
  });

  it("a complete rejected before the first complete finished is not a rejected repeat", () => {
    const s = new Script();
    s.clock(0);
    s.claim("t", 1, 1000);
    s.add("complete", { taskId: "t", epoch: 1 }, { at: [10, 14] });
    s.add("complete", { taskId: "t", epoch: 1 }, { outcome: "fail", code: "INVALID_STATE", at: [11, 12] });
    expectValid(s);
  });

  it("a revoke ends the lease", () => {
    const s = new Script();
    s.clock(0);
    s.claim("t", 1, 1000);
    s.add("revokeLease", { taskId: "t" }, { value: true });
    s.claim("t", 2, 1000);
    expectValid(s);
  });

  it("two concurrent reclaims, one of which counted the expiry", () => {
    const s = new Script();
    s.clock(0);
    s.claim("t", 1, 1000);
    s.clock(1000);
    s.reclaim(["t"], [], [10, 14]);
    s.reclaim([], [], [11, 13]);
    expectValid(s);
  });

  it("a retried task reclaimed once per expired lease", () => {
    const s = new Script();
    s.clock(0);
    s.claim("t", 1, 1000);
    s.clock(1000);
    s.reclaim(["t"]);
    s.claim("t", 2, 2000);
    s.clock(2000);
    s.reclaim([], ["t"]);
    expectValid(s);
  });

  it("a claim of unknown outcome may account for a reclaim", () => {
    const s = new Script();
    s.clock(0);
    s.claim("t", 1, 1000);
    s.clock(1000);
    s.reclaim(["t"]);
    s.add("claim", { workerId: "w", queues: ["q"], leaseMs: 1000, limit: 1 }, { outcome: "info" });
    s.clock(5000);
    s.reclaim(["t"]);
    expectValid(s);
  });

  it("appends: contiguous batches, a full read, and appends of unknown outcome present or absent", () => {
    const s = new Script();
    s.append("r", ["a", "b"], [1, 2]);
    s.append("r", ["x"], null, "info");
    s.append("r", ["c"], [4]);
    s.append("r", ["y"], null, "info");
    s.append("r", ["lost"], null, "fail");
    s.read("r", [
      [1, "a"],
      [2, "b"],
      [3, "x"],
      [4, "c"],
    ]);
    expectValid(s);
  });

  it("appends without a read: a gap that an append of unknown outcome fills", () => {
    const s = new Script();
    s.append("r", ["a"], [1]);
    s.append("r", ["x"], null, "info");
    s.append("r", ["c"], [3]);
    expectValid(s);
  });

  it("payload member order and negative zero do not change an event's identity", () => {
    const s = new Script();
    s.append("r", [{ a: 1, b: -0 }], [1]);
    s.read("r", [[1, { b: 0, a: 1 }]]);
    expectValid(s);
  });

  it("wall clock: a new lease after the old one's expiry in real time", () => {
    const s = new Script();
    s.claim("t", 1, 1000, { at: [900, 901] });
    s.claim("t", 2, 2100, { at: [1100, 1101] });
    expect(checkHistory(s.entries, { clock: { kind: "wall", skewMs: 50 } }).violations).toEqual([]);
  });
});

describe("history checker: each violation is found and named", () => {
  it("E4 epoch-granted-twice", () => {
    const s = new Script();
    s.clock(0);
    s.claim("t", 1, 1000, { at: [1, 3] });
    s.claim("t", 1, 1000, { at: [2, 4] });
    expect(kinds(s)).toContain("epoch-granted-twice");
    expect(checkHistory(s.entries).violations[0]?.rule).toBe("E4");
  });

  it("E4 overlapping-leases", () => {
    const s = new Script();
    s.clock(0);
    s.claim("t", 1, 1000);
    s.claim("t", 2, 1000);
    expect(kinds(s)).toEqual(["overlapping-leases"]);
  });

  it("E4 overlapping-leases after a renewal the new claim ignored", () => {
    const s = new Script();
    s.clock(0);
    s.claim("t", 1, 1000);
    s.holder("renew", "t", 1, { value: { expiresAt: 5000 } });
    s.clock(2000);
    s.claim("t", 2, 3000);
    expect(kinds(s)).toEqual(["overlapping-leases"]);
  });

  it("E4 overlapping-leases: a settlement invoked after the new grant does not excuse it", () => {
    const s = new Script();
    s.clock(0);
    s.claim("t", 1, 1000);
    s.claim("t", 2, 1000);
    s.holder("complete", "t", 1);
    expect(kinds(s)).toContain("overlapping-leases");
  });

  it("E5 epoch-not-increasing", () => {
    const s = new Script();
    s.clock(0);
    s.claim("t", 2, 1000);
    s.clock(1000);
    s.claim("t", 1, 2000);
    const report = checkHistory(s.entries);
    expect(report.violations.map((v) => [v.rule, v.kind])).toEqual([["E5", "epoch-not-increasing"]]);
  });

  it("E7 completed-twice", () => {
    const s = new Script();
    s.clock(0);
    s.claim("t", 1, 1000);
    s.holder("complete", "t", 1);
    s.claim("t", 2, 2000);
    s.holder("complete", "t", 2);
    const report = checkHistory(s.entries);
    expect(report.violations.map((v) => v.kind)).toContain("completed-twice");
    expect(report.violations.find((v) => v.kind === "completed-twice")?.rule).toBe("E7");
  });

  it("E7 settled-twice: completed, then cancelled", () => {
    const s = new Script();
    s.clock(0);
    s.claim("t", 1, 1000);
    s.holder("complete", "t", 1);
    s.add("cancel", { taskId: "t" }, { value: true });
    expect(kinds(s)).toEqual(["settled-twice"]);
  });

  it("E7 settled-twice: dead by fail, then dead by reclaim", () => {
    const s = new Script();
    s.clock(0);
    s.claim("t", 1, 1000);
    s.holder("fail", "t", 1, { value: { outcome: "dead" } });
    s.clock(1000);
    s.reclaim([], ["t"]);
    expect(kinds(s)).toContain("settled-twice");
  });

  it("E7 superseded-holder-accepted (SPEC §10.3)", () => {
    const s = new Script();
    s.clock(0);
    s.claim("t", 1, 1000);
    s.clock(1000);
    s.claim("t", 2, 2000);
    s.holder("complete", "t", 1);
    const report = checkHistory(s.entries);
    expect(report.violations.map((v) => [v.rule, v.kind])).toContainEqual(["E7", "superseded-holder-accepted"]);
  });

  it("E7 expired-holder-accepted (SPEC §10.7)", () => {
    const s = new Script();
    s.clock(0);
    s.claim("t", 1, 1000);
    s.clock(1000);
    s.holder("complete", "t", 1);
    expect(checkHistory(s.entries).violations.map((v) => [v.rule, v.kind])).toEqual([["E7", "expired-holder-accepted"]]);
  });

  it("E5 expired-holder-accepted: a renew after expiry", () => {
    const s = new Script();
    s.clock(0);
    s.claim("t", 1, 1000);
    s.clock(1500);
    s.holder("renew", "t", 1, { value: { expiresAt: 2500 } });
    expect(checkHistory(s.entries).violations.map((v) => [v.rule, v.kind])).toEqual([["E5", "expired-holder-accepted"]]);
  });

  it("E5 ungranted-lease-accepted: epoch 0, an epoch never granted, an epoch before its grant (SPEC §10.4)", () => {
    const s = new Script();
    s.clock(0);
    s.claim("t", 1, 1000);
    s.holder("complete", "t", 0);
    s.holder("progress", "t", 2);
    s.holder("renew", "u", 1, { value: { expiresAt: 1000 } });
    s.claim("u", 1, 1000);
    const report = checkHistory(s.entries);
    expect(report.violations.map((v) => [v.rule, v.kind])).toEqual([
      ["E5", "ungranted-lease-accepted"],
      ["E5", "ungranted-lease-accepted"],
      ["E5", "ungranted-lease-accepted"],
    ]);
  });

  it("E5 revoked-holder-accepted", () => {
    const s = new Script();
    s.clock(0);
    s.claim("t", 1, 1000);
    s.add("revokeLease", { taskId: "t" }, { value: true });
    s.holder("progress", "t", 1);
    expect(checkHistory(s.entries).violations.map((v) => [v.rule, v.kind])).toEqual([["E5", "revoked-holder-accepted"]]);
  });

  it("E7 repeated-complete-rejected", () => {
    const s = new Script();
    s.clock(0);
    s.claim("t", 1, 1000);
    s.holder("complete", "t", 1);
    s.add("complete", { taskId: "t", epoch: 1 }, { outcome: "fail", code: "INVALID_STATE" });
    expect(checkHistory(s.entries).violations.map((v) => [v.rule, v.kind])).toEqual([["E7", "repeated-complete-rejected"]]);
  });

  it("W8 conditional-append-misplaced", () => {
    const s = new Script();
    s.append("r", ["a"], [1]);
    s.add("append", { runId: "r", events: [{ type: "e", payload: "b" }], expectedSequence: 0 }, { value: [2] });
    expect(checkHistory(s.entries).violations.map((v) => [v.rule, v.kind])).toEqual([["W8", "conditional-append-misplaced"]]);
  });

  it("E11 task-twice-in-one-reclaim", () => {
    const s = new Script();
    s.clock(0);
    s.claim("t", 1, 1000);
    s.clock(1000);
    s.reclaim(["t"], ["t"]);
    expect(kinds(s)).toContain("task-twice-in-one-reclaim");
  });

  it("E11 expiry-reclaimed-twice", () => {
    const s = new Script();
    s.clock(0);
    s.claim("t", 1, 1000);
    s.clock(1000);
    s.reclaim(["t"]);
    s.reclaim(["t"]);
    expect(checkHistory(s.entries).violations.map((v) => [v.rule, v.kind])).toEqual([["E11", "expiry-reclaimed-twice"]]);
  });

  it("E11 expiry-reclaimed-twice by concurrent sweepers", () => {
    const s = new Script();
    s.clock(0);
    s.claim("t", 1, 1000);
    s.clock(1000);
    s.reclaim(["t"], [], [10, 14]);
    s.reclaim(["t"], [], [11, 13]);
    expect(kinds(s)).toEqual(["expiry-reclaimed-twice"]);
  });

  it("E11 reclaimed-unexpired: a renewed lease reclaimed", () => {
    const s = new Script();
    s.clock(0);
    s.claim("t", 1, 1000);
    s.holder("renew", "t", 1, { value: { expiresAt: 5000 } });
    s.clock(1000);
    s.reclaim(["t"]);
    expect(kinds(s)).toEqual(["reclaimed-unexpired"]);
  });

  it("E11 holder-accepted-after-reclaim", () => {
    const s = new Script();
    s.clock(0);
    s.claim("t", 1, 1000);
    // A renewal of unknown outcome: the lease's expiry is unknowable, so only the reclaim fences it.
    s.holder("renew", "t", 1, { outcome: "info" });
    s.clock(1000);
    s.reclaim(["t"]);
    s.holder("progress", "t", 1);
    expect(checkHistory(s.entries).violations.map((v) => [v.rule, v.kind])).toEqual([["E11", "holder-accepted-after-reclaim"]]);
  });

  it("W7 batch-not-contiguous", () => {
    const s = new Script();
    s.append("r", ["a", "b"], [1, 3]);
    expect(kinds(s)).toContain("batch-not-contiguous");
  });

  it("W7 sequence-acknowledged-twice (SPEC §10.1)", () => {
    const s = new Script();
    s.append("r", ["a"], [1], "ok");
    s.append("r", ["b"], [1], "ok");
    expect(kinds(s)).toContain("sequence-acknowledged-twice");
  });

  it("W7 sequence-gap (SPEC §10.2)", () => {
    const s = new Script();
    s.append("r", ["a"], [1]);
    s.append("r", ["b"], [3]);
    expect(kinds(s)).toEqual(["sequence-gap"]);
  });

  it("W7 read-not-gap-free", () => {
    const s = new Script();
    s.append("r", ["a"], [1]);
    s.read("r", [
      [1, "a"],
      [3, "x"],
    ]);
    expect(kinds(s)).toContain("read-not-gap-free");
  });

  it("W7 acknowledged-event-lost: missing", () => {
    const s = new Script();
    s.append("r", ["a", "b"], [1, 2]);
    s.read("r", [[1, "a"]]);
    expect(kinds(s)).toEqual(["acknowledged-event-lost"]);
  });

  it("W7 acknowledged-event-lost: altered", () => {
    const s = new Script();
    s.append("r", ["a"], [1]);
    s.read("r", [[1, "not a"]]);
    expect(kinds(s)).toEqual(["acknowledged-event-lost"]);
  });

  it("W7 phantom-event: a rejected append that wrote", () => {
    const s = new Script();
    s.append("r", ["a"], [1]);
    s.append("r", ["rejected"], null, "fail");
    s.read("r", [
      [1, "a"],
      [2, "rejected"],
    ]);
    expect(kinds(s)).toEqual(["phantom-event"]);
  });

  it("wall clock: a new lease before the old one's expiry in real time", () => {
    const s = new Script();
    s.claim("t", 1, 1000, { at: [500, 501] });
    s.claim("t", 2, 1600, { at: [600, 601] });
    expect(checkHistory(s.entries, { clock: { kind: "wall", skewMs: 50 } }).violations.map((v) => v.kind)).toEqual(["overlapping-leases"]);
  });

  it("assertHistory throws a readable error; maxViolations truncates", () => {
    const s = new Script();
    s.clock(0);
    for (let i = 0; i < 5; i++) {
      s.claim(`t${i}`, 1, 1000);
      s.claim(`t${i}`, 2, 1000);
    }
    expect(() => assertHistory(s.entries)).toThrow(HistoryViolationError);
    expect(() => assertHistory(s.entries)).toThrow(/E4 overlapping-leases: task t0/);
    const report = checkHistory(s.entries, { maxViolations: 2 });
    expect(report.violations).toHaveLength(2);
    expect(report.truncated).toBe(true);
  });

  it("a malformed entry of a known op is a harness error, not a verdict", () => {
    const s = new Script();
    s.add("claim", {}, { value: [{ taskId: 1 }] });
    expect(() => checkHistory(s.entries)).toThrow(/malformed/);
  });

  it('clock model "recorded" without clock entries is refused', () => {
    expect(() => checkHistory([], { clock: { kind: "recorded" } })).toThrow(/clock entries/);
  });
});

describe("history checker: cost", () => {
  it("checks a history of 50,000 tasks (about 200,000 entries) to a verdict (its speed is a matter for benchmarks)", () => {
    const s = new Script();
    s.clock(0);
    for (let i = 0; i < 50_000; i++) {
      const task = `task-${i}`;
      s.claim(task, 1, 1000);
      if (i % 10 === 0) {
        s.append(`run-${i % 64}`, [i], null, "info");
        s.holder("release", task, 1);
        s.claim(task, 2, 1000);
        s.holder("complete", task, 2);
      } else {
        s.holder("complete", task, 1);
      }
    }
    const report = checkHistory(s.entries);
    expect(report.violations).toEqual([]);
    expect(report.stats.tasks).toBe(50_000);
    expect(report.stats.entries).toBeGreaterThan(100_000);
  });
});

describe("history recorder", () => {
  it("records ok, fail (a definite rejection) and info (unknown outcome); pending calls are info", async () => {
    let tick = 0;
    const recorder = new HistoryRecorder({ now: () => tick });
    await recorder.record("a", "x", { n: 1 }, async () => 42);
    await expect(recorder.record("a", "y", null, async () => Promise.reject(new MooringError("STALE_LEASE", "stale")))).rejects.toThrow("stale");
    await expect(recorder.record("b", "z", null, async () => Promise.reject(new MooringError("UNAVAILABLE", "down")))).rejects.toThrow("down");
    await expect(recorder.record("b", "w", null, async () => Promise.reject(new Error("raw")))).rejects.toThrow("raw");
    tick = 5;
    recorder.invoke("c", "never", {});
    const history = recorder.history();
    expect(history.map((entry) => [entry.op, entry.outcome, entry.error?.code ?? null])).toEqual([
      ["x", "ok", null],
      ["y", "fail", "STALE_LEASE"],
      ["z", "info", "UNAVAILABLE"],
      ["w", "info", "RAW"],
      ["never", "info", "PENDING"],
    ]);
    expect(history[0]?.value).toBe(42);
    expect(history[4]?.completedAt).toBeNull();
    expect(recorder.pendingCount).toBe(1);
    // A time source that stands still still yields strictly increasing times.
    const times = history.flatMap((entry) => [entry.invokedAt, entry.completedAt ?? Number.POSITIVE_INFINITY]).filter(Number.isFinite);
    expect([...times].sort((a, b) => a - b)).toEqual(times.slice().sort((a, b) => a - b));
    expect(new Set(times).size).toBe(times.length);
  });

  it("serializes, parses and merges histories", async () => {
    const first = new HistoryRecorder();
    const second = new HistoryRecorder();
    await first.record("a", "x", { k: "v" }, async () => [1, 2]);
    await second.record("b", "y", null, async () => null);
    await first.record("a", "z", null, async () => true);
    const text = serializeHistory(first.history());
    expect(parseHistory(text)).toEqual(first.history());
    expect(() => parseHistory("{}\n")).toThrow(/history line 1/);
    const merged = mergeHistories([parseHistory(text), second.history()]);
    expect(merged.map((entry) => entry.op)).toEqual(["x", "y", "z"]);
    expect(merged.map((entry) => entry.index)).toEqual([0, 1, 2]);
  });

  it("a workload recorded through RecordingClient on the memory backend checks clean", async () => {
    const clock = new ManualClock();
    const backend = createMemoryBackend({ clock, store: new MemoryStore() });
    const recorder = new HistoryRecorder();
    recorder.readClock("clock", clock);
    const client = recorder.client("w1", backend);
    const queue = "q";
    await backend.workflows.createRun({ id: "r", workflowId: "wf", version: "1" });
    await backend.engine.enqueueMany(Array.from({ length: 4 }, () => ({ queue, maxAttempts: 2, backoff: { baseMs: 1, maxMs: 1 } })));
    const first = await client.claim({ workerId: "w1", queues: [queue], leaseMs: 100, limit: 4 });
    expect(first).toHaveLength(4);
    const [a, b, c, d] = first as [(typeof first)[0], (typeof first)[0], (typeof first)[0], (typeof first)[0]];
    await client.complete(a);
    await client.appendEvents("r", [{ type: "e", payload: 1 }, { type: "e", payload: 2 }]);
    await client.renew(b, { leaseMs: 1000 });
    recorder.advanceClock("clock", clock, 100);
    await expect(client.complete(c)).rejects.toThrow();
    expect((await client.reclaimExpired()).retried.sort()).toEqual([c.taskId, d.taskId].sort());
    await client.complete(b);
    recorder.advanceClock("clock", clock, 10);
    const again = await client.claim({ workerId: "w1", queues: [queue], leaseMs: 100, limit: 4 });
    for (const lease of again) await client.complete(lease);
    await client.appendEvents("r", [{ type: "e", payload: 3 }]);
    await client.readAllEvents("r");
    const report = assertHistory(recorder.history());
    expect(report.stats).toMatchObject({ tasks: 4, leases: 6, reclaimed: 2, runs: 1, appendedEvents: 3, fail: 1 });
    await backend.close();
  });
});

describe("history checker: E20 key limits", () => {
  /** A claim granting `taskId` with concurrency key `key` in queue q. */
  const keyedClaim = (s: Script, taskId: string, key: string, expiresAt: number): number =>
    s.add("claim", { workerId: "w", queues: ["q"], leaseMs: 1000, limit: 1 }, { value: [{ taskId, epoch: 1, attempt: 1, expiresAt, queue: "q", concurrencyKey: key }] });
  const e20 = (s: Script, limit: number): ViolationKind[] =>
    checkHistory(s.entries, { keyConcurrency: { q: limit } })
      .violations.filter((violation) => violation.rule === "E20")
      .map((violation) => violation.kind);

  it("two valid leases of one key pass keyConcurrency 2 and break keyConcurrency 1", () => {
    const s = new Script();
    s.clock(0);
    keyedClaim(s, "a", "k", 1000);
    keyedClaim(s, "b", "k", 1000);
    expect(e20(s, 2)).toEqual([]);
    expect(e20(s, 1)).toEqual(["key-limit-exceeded"]);
  });

  it("leases of different keys do not add up", () => {
    const s = new Script();
    s.clock(0);
    keyedClaim(s, "a", "k1", 1000);
    keyedClaim(s, "b", "k2", 1000);
    expect(e20(s, 1)).toEqual([]);
  });

  it("an expired lease frees its slot; a completed one too", () => {
    const s = new Script();
    s.clock(0);
    keyedClaim(s, "a", "k", 1000);
    s.clock(1000);
    keyedClaim(s, "b", "k", 2000);
    s.holder("complete", "b", 1);
    keyedClaim(s, "c", "k", 2000);
    expect(e20(s, 1)).toEqual([]);
  });

  it("a lease granted 1 ms before the other's expiry breaks keyConcurrency 1", () => {
    const s = new Script();
    s.clock(0);
    keyedClaim(s, "a", "k", 1000);
    s.clock(999);
    keyedClaim(s, "b", "k", 2000);
    expect(e20(s, 1)).toEqual(["key-limit-exceeded"]);
  });

  it("queues without a known limit are not judged", () => {
    const s = new Script();
    s.clock(0);
    keyedClaim(s, "a", "k", 1000);
    keyedClaim(s, "b", "k", 1000);
    expect(checkHistory(s.entries).violations).toEqual([]);
  });
});
