/**
 * Checks of durable snapshots and the replay law (SPEC W10).
 */
import fc from "fast-check";
import type { EventInput, EventRecord, JsonObject, Value } from "@mooring/core";
import { assertProperty } from "../../fast-check.js";
import { type Check, defineCheck } from "../../registry.js";
import { ensure, newRun, rejectsWith, same } from "../support/index.js";

const writeAndLatest = defineCheck({
  id: "W10.write-latest-snapshot",
  rule: "W10",
  title: "writeSnapshot needs atSequence ≤ latest; latestSnapshot is the highest atSequence; the same atSequence replaces",
  requires: ["runs", "events", "snapshots"],
  kind: "example",
  async run(ctx) {
    const { workflows } = ctx.backend;
    const run = await newRun(ctx);
    const other = await newRun(ctx);
    same(await workflows.latestSnapshot(run.id), null, "no snapshot yet");
    const initial = await workflows.writeSnapshot(run.id, { atSequence: 0, state: { initial: true } });
    same(initial, { runId: run.id, atSequence: 0, state: { initial: true }, createdAt: ctx.clock.now() }, "a snapshot of the initial state at 0");
    await rejectsWith(workflows.writeSnapshot(run.id, { atSequence: 1, state: null }), "INVALID_STATE", "writeSnapshot beyond the latest sequence (0)");

    await workflows.appendEvents(run.id, [{ type: "a" }, { type: "b" }, { type: "c" }, { type: "d" }, { type: "e" }]);
    await workflows.appendEvents(other.id, [{ type: "a" }]);
    const now = ctx.clock.advance(1000);
    const state = { n: 3, tags: ["x"] };
    const three = await workflows.writeSnapshot(run.id, { atSequence: 3, state });
    same(three, { runId: run.id, atSequence: 3, state: { n: 3, tags: ["x"] }, createdAt: now }, "three");
    state.tags.push("mutated");
    same(three.state, { n: 3, tags: ["x"] }, "the record writeSnapshot returned after the caller mutated its own state object (C1: a returned record must not share the caller's objects)");
    same(await workflows.latestSnapshot(run.id), { runId: run.id, atSequence: 3, state: { n: 3, tags: ["x"] }, createdAt: now }, "latestSnapshot after the caller mutated the state it wrote (C1: a backend keeps no reference to the caller's objects)");
    const read = await workflows.latestSnapshot(run.id);
    (read?.state as { tags: string[] }).tags.push("mutated");
    same((await workflows.latestSnapshot(run.id))?.state, { n: 3, tags: ["x"] }, "latestSnapshot after the caller mutated a record latestSnapshot returned (C1: returned records own their values)");

    await workflows.writeSnapshot(run.id, { atSequence: 1, state: { n: 1 } });
    same((await workflows.latestSnapshot(run.id))?.atSequence, 3, "a later write of a lower atSequence does not become the latest");
    await workflows.writeSnapshot(run.id, { atSequence: 5, state: { n: 5 } });
    await workflows.writeSnapshot(run.id, { atSequence: 5, state: { n: 5, replaced: true } });
    same((await workflows.latestSnapshot(run.id))?.state, { n: 5, replaced: true }, "a second snapshot at the same atSequence replaces the first");
    await rejectsWith(workflows.writeSnapshot(run.id, { atSequence: 6, state: null }), "INVALID_STATE", "writeSnapshot beyond the latest sequence (5)");
    same((await workflows.latestSnapshot(run.id))?.atSequence, 5, "a rejected snapshot changes nothing");
    same(await workflows.latestSnapshot(other.id), null, "snapshots are per run");
  },
});

/** The reducer of the replay law: a small calculator whose result depends on the event order. */
interface CalculatorState extends JsonObject {
  value: number;
  count: number;
}

const INITIAL: CalculatorState = { value: 0, count: 0 };
const MODULUS = 1_000_003;

function reduce(state: CalculatorState, events: readonly { readonly type: string; readonly payload: Value }[]): CalculatorState {
  let { value, count } = state;
  for (const event of events) {
    const operand = typeof event.payload === "number" ? event.payload : 0;
    if (event.type === "add") value = (value + operand) % MODULUS;
    else if (event.type === "mul") value = (value * operand) % MODULUS;
    else value = operand;
    // -0 does not survive JSON; keep the model in values a store can hold.
    if (value === 0) value = 0;
    count++;
  }
  return { value, count };
}

const operation = fc.record({ type: fc.constantFrom("add", "mul", "set"), payload: fc.integer({ min: -50, max: 50 }) });

const replayLaw = defineCheck({
  id: "W10.replay-law",
  rule: "W10",
  title: "property: for every snapshot k, state(snapshot at k) + replay(events after k) = replay(all events)",
  requires: ["runs", "events", "snapshots"],
  kind: "property",
  async run(ctx) {
    const { workflows } = ctx.backend;
    const scenario = fc
      .record({
        operations: fc.array(operation, { minLength: 1, maxLength: 30 }),
        batchSizes: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 30, maxLength: 30 }),
        snapshotPoints: fc.array(fc.nat(), { minLength: 1, maxLength: 6 }),
      })
      .map(({ operations, batchSizes, snapshotPoints }) => ({
        operations,
        batchSizes,
        // Points in 0..n, in the generated (not sorted) order: writes may go backwards.
        snapshotPoints: snapshotPoints.map((point) => point % (operations.length + 1)),
      }));
    await assertProperty(
      ctx,
      fc.asyncProperty(scenario, async ({ operations, batchSizes, snapshotPoints }) => {
        const run = await newRun(ctx);
        const events: EventInput[] = operations.map((op) => ({ type: op.type, payload: op.payload }));
        for (let offset = 0, batch = 0; offset < events.length; batch++) {
          const size = batchSizes[batch % batchSizes.length]!;
          await workflows.appendEvents(run.id, events.slice(offset, offset + size));
          offset += size;
        }
        const all = await workflows.readEvents(run.id);
        const final = reduce(INITIAL, operations);
        same(reduce(INITIAL, payloadsOf(all)), final, "replaying the stored log gives the state of the operations appended");
        let highest = -1;
        for (const point of snapshotPoints) {
          await workflows.writeSnapshot(run.id, { atSequence: point, state: reduce(INITIAL, operations.slice(0, point)) });
          highest = Math.max(highest, point);
          const snapshot = await workflows.latestSnapshot(run.id);
          ensure(snapshot, "a snapshot was written");
          same(snapshot.atSequence, highest, "latestSnapshot is the one with the highest atSequence");
          const rest = await workflows.readEvents(run.id, { after: snapshot.atSequence });
          same(reduce(snapshot.state as CalculatorState, payloadsOf(rest)), final, `state(snapshot at ${snapshot.atSequence}) + replay(events after it) = replay(all events)`);
        }
      }),
    );
  },
});

function payloadsOf(events: readonly EventRecord[]): { type: string; payload: Value }[] {
  return events.map((event) => ({ type: event.type, payload: event.payload }));
}

export const checks: Check[] = [writeAndLatest, replayLaw];
