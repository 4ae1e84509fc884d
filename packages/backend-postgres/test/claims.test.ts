/**
 * The claim batcher on its own (src/claims.ts): which claims share a statement and what each call
 * gets back. The statement is stood in for by a function that records the slots it was given and
 * grants leases for the first `available` of them, so the order of statements is visible.
 */
import { describe, expect, it } from "vitest";
import type { Lease } from "@mooring/core";
import { ClaimBatcher, type SlotGranter, type SlottedLease } from "../src/claims.js";

interface Statement {
  readonly queues: readonly string[];
  readonly workers: readonly string[];
  finish(available: number): void;
  fail(error: Error): void;
}

/** A batcher and the granter its claims hand in. */
interface Recording {
  readonly batcher: ClaimBatcher;
  readonly granter: SlotGranter;
}

function recordingBatcher(): { batcher: Recording; statements: Statement[] } {
  const statements: Statement[] = [];
  const granter: SlotGranter = {
    claimSlots: (queues, _leaseMs, workers) =>
      new Promise<SlottedLease[]>((resolve, reject) => {
        statements.push({
          queues,
          workers,
          finish: (available) =>
            resolve(
              workers.slice(0, available).map((workerId, index) => ({
                slot: index + 1,
                lease: { taskId: `t${statements.length}-${index + 1}`, workerId } as unknown as Lease,
              })),
            ),
          fail: reject,
        });
      }),
  };
  return { batcher: { batcher: new ClaimBatcher(), granter }, statements };
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const claim = ({ batcher, granter }: Recording, workerId: string, limit: number, queues = ["q"]): Promise<Lease[]> =>
  batcher.claim("tenant", { workerId, queues, leaseMs: 1_000 }, limit, granter);

describe("ClaimBatcher", () => {
  it("claims made while a statement runs wait for it, then share the next one in call order", async () => {
    const { batcher, statements } = recordingBatcher();
    const first = claim(batcher, "a", 2);
    await nextTurn();
    expect(statements).toHaveLength(1);
    const waiting = [claim(batcher, "b", 1), claim(batcher, "c", 3)];
    await nextTurn();
    await nextTurn();
    // Still one statement: b and c wait for a's.
    expect(statements).toHaveLength(1);
    statements[0]?.finish(2);
    expect((await first).map((lease) => lease.workerId)).toEqual(["a", "a"]);
    await nextTurn();
    expect(statements.map((statement) => statement.workers)).toEqual([["a", "a"], ["b", "c", "c", "c"]]);
    // Three leases for four slots: b gets its one, c the two left, in slot order.
    statements[1]?.finish(3);
    const [b, c] = await Promise.all(waiting);
    expect(b?.map((lease) => lease.taskId)).toEqual(["t2-1"]);
    expect(c?.map((lease) => lease.taskId)).toEqual(["t2-2", "t2-3"]);
  });

  it("claims on other queues do not wait for each other", async () => {
    const { batcher, statements } = recordingBatcher();
    const onQ = claim(batcher, "a", 1, ["q"]);
    const onR = claim(batcher, "b", 1, ["r"]);
    await nextTurn();
    expect(statements.map((statement) => statement.queues)).toEqual([["q"], ["r"]]);
    for (const statement of statements) statement.finish(1);
    expect((await onQ).length + (await onR).length).toBe(2);
  });

  it("a failed statement rejects its own claims only; the waiting ones go next", async () => {
    const { batcher, statements } = recordingBatcher();
    const failing = claim(batcher, "a", 1);
    await nextTurn();
    const after = claim(batcher, "b", 1);
    await nextTurn();
    statements[0]?.fail(new Error("connection lost"));
    await expect(failing).rejects.toThrow("connection lost");
    await nextTurn();
    statements[1]?.finish(1);
    expect((await after).map((lease) => lease.workerId)).toEqual(["b"]);
  });

  it("a statement takes at most 500 slots; a larger claim has one to itself", async () => {
    const { batcher, statements } = recordingBatcher();
    const claims = [claim(batcher, "a", 300), claim(batcher, "b", 300), claim(batcher, "c", 1_000)];
    await nextTurn();
    expect(statements.map((statement) => statement.workers.length)).toEqual([300]);
    statements[0]?.finish(300);
    await nextTurn();
    expect(statements.map((statement) => statement.workers.length)).toEqual([300, 300]);
    statements[1]?.finish(0);
    await nextTurn();
    expect(statements.map((statement) => statement.workers.length)).toEqual([300, 300, 1_000]);
    statements[2]?.finish(0);
    expect((await Promise.all(claims)).map((leases) => leases.length)).toEqual([300, 0, 0]);
  });
});
