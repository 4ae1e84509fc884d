/**
 * Checks of the event log: sequencing (SPEC W7), optimistic concurrency (W8) and reads (W9),
 * including a property over random batches and races between several clients.
 */
import fc from "fast-check";
import type { EventInput, EventRecord, JsonObject } from "@mooring/core";
import { assertProperty } from "../../fast-check.js";
import { type Check, defineCheck } from "../../registry.js";
import { connectClients, ensure, ensureOneWinner, newRun, rejectsWith, same } from "../support/index.js";

/** Events tagged so that every one is recognisable after any interleaving. */
function batchOf(writer: string, batch: number, size: number): EventInput[] {
  return Array.from({ length: size }, (_, index) => ({ type: `${writer}.${batch}`, payload: { writer, batch, index } }));
}

function range(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, index) => from + index);
}

/** Asserts the log of a run holds exactly the sequences 1..n, ascending. */
function assertGapFree(events: readonly EventRecord[], what: string): void {
  same(events.map((event) => event.sequence), range(1, events.length), `${what}: sequences must be exactly 1..${events.length}, ascending`);
}

// ---------------------------------------------------------------------------------------------
// W7: sequences per run, from 1, gap-free, batches contiguous

const sequencesFromOne = defineCheck({
  id: "W7.sequences-from-one",
  rule: "W7",
  title: "appendEvents returns the batch's sequences, from 1, contiguous; readEvents returns the events in order",
  requires: ["runs", "events"],
  kind: "example",
  async run(ctx) {
    const { workflows } = ctx.backend;
    const run = await newRun(ctx);
    const now = ctx.clock.now();
    same(await workflows.appendEvents(run.id, [{ type: "created", payload: { order: 1 } }]), [1], "workflows.appendEvents(run.id, [{ type: \"created\", payload: { order: 1 } }])");
    same(await workflows.appendEvents(run.id, [{ type: "a" }, { type: "b", payload: [1, "two", null] }]), [2, 3], "workflows.appendEvents(run.id, [{ type: \"a\" }, { type: \"b\", payload: [1, \"two\", null] }])");
    same(await workflows.appendEvents(run.id, [{ type: "c", payload: "x" }]), [4], "workflows.appendEvents(run.id, [{ type: \"c\", payload: \"x\" }])");
    const events = await workflows.readEvents(run.id);
    same(events, [
      { runId: run.id, sequence: 1, type: "created", payload: { order: 1 }, createdAt: now },
      { runId: run.id, sequence: 2, type: "a", payload: null, createdAt: now },
      { runId: run.id, sequence: 3, type: "b", payload: [1, "two", null], createdAt: now },
      { runId: run.id, sequence: 4, type: "c", payload: "x", createdAt: now },
    ], "events");
    same(await workflows.latestSequence(run.id), 4, "workflows.latestSequence(run.id)");
  },
});

const perRunSequences = defineCheck({
  id: "W7.per-run-sequences",
  rule: "W7",
  title: "each run has its own sequence from 1 (no global counter), whatever the interleaving of appends across runs",
  requires: ["runs", "events"],
  kind: "example",
  async run(ctx) {
    const { workflows } = ctx.backend;
    const runs = [await newRun(ctx), await newRun(ctx), await newRun(ctx)];
    const sizes = [1, 3, 2, 2, 1, 4, 1, 1, 2];
    const expected = new Map(runs.map((run) => [run.id, 0]));
    for (const [index, size] of sizes.entries()) {
      const run = runs[index % runs.length]!;
      const latest = expected.get(run.id)!;
      const sequences = await workflows.appendEvents(run.id, batchOf("w", index, size));
      same(sequences, range(latest + 1, size), `append ${index} to run ${index % runs.length} continues that run's own sequence`);
      expected.set(run.id, latest + size);
    }
    for (const run of runs) {
      const events = await workflows.readEvents(run.id);
      assertGapFree(events, `run ${run.id}`);
      same(events.length, expected.get(run.id), "events.length");
      ensure(events.every((event) => event.runId === run.id), "a run's log holds only its events");
    }
  },
});

const emptyBatch = defineCheck({
  id: "W7.empty-batch",
  rule: "W7",
  title: "appendEvents of an empty batch is VALIDATION (decisions.md) and takes no sequence",
  requires: ["runs", "events"],
  kind: "example",
  async run(ctx) {
    const { workflows } = ctx.backend;
    const run = await newRun(ctx);
    await rejectsWith(workflows.appendEvents(run.id, []), "VALIDATION", "appendEvents with no events");
    same(await workflows.appendEvents(run.id, [{ type: "e" }]), [1], "workflows.appendEvents(run.id, [{ type: \"e\" }])");
  },
});

const RUNS_PER_CASE = 3;

const sequencingProperty = defineCheck({
  id: "W7.random-batches",
  rule: "W7",
  title: "property: any sequence of batches over several runs gives each run exactly 1..n, batches contiguous, and readEvents windows agree",
  requires: ["runs", "events"],
  kind: "property",
  async run(ctx) {
    const { workflows } = ctx.backend;
    const batch = fc.record({ run: fc.nat({ max: RUNS_PER_CASE - 1 }), size: fc.integer({ min: 1, max: 5 }), payload: fc.jsonValue({ maxDepth: 2 }) });
    const window = fc.record({ run: fc.nat({ max: RUNS_PER_CASE - 1 }), after: fc.nat({ max: 25 }), limit: fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }) });
    await assertProperty(
      ctx,
      fc.asyncProperty(fc.array(batch, { minLength: 1, maxLength: 12 }), fc.array(window, { maxLength: 6 }), async (batches, windows) => {
        const runs = await Promise.all(Array.from({ length: RUNS_PER_CASE }, () => newRun(ctx)));
        const logs = runs.map(() => [] as { type: string; payload: unknown }[]);
        for (const [index, { run, size, payload }] of batches.entries()) {
          const events = Array.from({ length: size }, (_, i) => ({ type: `b${index}.${i}`, payload: normalizeJson(payload) }));
          const sequences = await workflows.appendEvents(runs[run]!.id, events);
          same(sequences, range(logs[run]!.length + 1, size), `batch ${index} gets the next ${size} sequences of its run`);
          logs[run]!.push(...events.map((event) => ({ type: event.type, payload: event.payload })));
        }
        for (const [index, run] of runs.entries()) {
          const events = await workflows.readEvents(run.id);
          assertGapFree(events, `run ${index}`);
          same(events.map((event) => ({ type: event.type, payload: event.payload })), logs[index], `run ${index} holds its events in order`);
          same(await workflows.latestSequence(run.id), logs[index]!.length, "latestSequence is the largest readable sequence");
        }
        for (const { run, after, limit } of windows) {
          const all = logs[run]!.map((_, i) => i + 1);
          const expected = all.filter((sequence) => sequence > after).slice(0, limit ?? all.length);
          const events = await workflows.readEvents(runs[run]!.id, { after, ...(limit === undefined ? {} : { limit }) });
          same(events.map((event) => event.sequence), expected, `readEvents(after ${after}, limit ${limit ?? "none"})`);
        }
      }),
    );
  },
});

/** JSON as a store returns it: `-0` reads back as 0, so the property compares with that. */
function normalizeJson(value: unknown): EventInput["payload"] {
  return JSON.parse(JSON.stringify(value) ?? "null") as EventInput["payload"];
}

const concurrentBatches = defineCheck({
  id: "W7.concurrent-batches",
  rule: "W7",
  title: "k clients appending batches concurrently leave sequences 1..n, every event once, each batch contiguous and in order",
  requires: ["runs", "events"],
  kind: "race",
  async run(ctx) {
    const writers = await connectClients(ctx, 4);
    const run = await newRun(ctx);
    const batchesPerWriter = 6;
    const results = await Promise.all(
      writers.flatMap((client, writer) =>
        range(0, batchesPerWriter).map(async (batch) => {
          const size = 1 + ((writer + batch) % 4);
          const sequences = await client.workflows.appendEvents(run.id, batchOf(`w${writer}`, batch, size));
          return { writer, batch, size, sequences };
        }),
      ),
    );
    const total = results.reduce((sum, result) => sum + result.size, 0);
    const events = await ctx.backend.workflows.readEvents(run.id);
    assertGapFree(events, "after concurrent appends");
    same(events.length, total, `${total} events appended, ${events.length} readable`);
    for (const { writer, batch, size, sequences } of results) {
      same(sequences.length, size, "appendEvents returns one sequence per event");
      same(sequences, range(sequences[0]!, size), `batch ${batch} of writer ${writer} got contiguous sequences`);
      const stored = sequences.map((sequence) => events[sequence - 1]);
      same(stored.map((event) => event?.payload), range(0, size).map((index) => ({ writer: `w${writer}`, batch, index })), `batch ${batch} of writer ${writer} is stored at its sequences, in order`);
    }
    same(await ctx.backend.workflows.latestSequence(run.id), total, "ctx.backend.workflows.latestSequence(run.id)");
  },
});

// ---------------------------------------------------------------------------------------------
// W8: expectedSequence

const expectedSequence = defineCheck({
  id: "W8.expected-sequence",
  rule: "W8",
  title: "appendEvents with expectedSequence appends only when it equals latestSequence, else SEQUENCE_CONFLICT and nothing is written",
  requires: ["runs", "events"],
  kind: "example",
  async run(ctx) {
    const { workflows } = ctx.backend;
    const run = await newRun(ctx);
    await rejectsWith(workflows.appendEvents(run.id, [{ type: "x" }], { expectedSequence: 1 }), "SEQUENCE_CONFLICT", "expectedSequence 1 on an empty log");
    same(await workflows.appendEvents(run.id, [{ type: "a" }, { type: "b" }], { expectedSequence: 0 }), [1, 2], "expectedSequence 0 on an empty log");
    for (const stale of [0, 1, 3, 100]) {
      await rejectsWith(workflows.appendEvents(run.id, [{ type: "x" }], { expectedSequence: stale }), "SEQUENCE_CONFLICT", `expectedSequence ${stale} when latest is 2`);
    }
    same(await workflows.appendEvents(run.id, [{ type: "c" }], { expectedSequence: 2 }), [3], "workflows.appendEvents(run.id, [{ type: \"c\" }], { expectedSequence: 2 })");
    same((await workflows.readEvents(run.id)).map((event) => event.type), ["a", "b", "c"], "conflicting appends wrote nothing");
  },
});

const concurrentExpectedSequence = defineCheck({
  id: "W8.one-writer-wins",
  rule: "W8",
  title: "of k clients appending concurrently with the same expectedSequence, exactly one wins and the others get SEQUENCE_CONFLICT",
  requires: ["runs", "events"],
  kind: "race",
  async run(ctx) {
    const writers = await connectClients(ctx, 5);
    const run = await newRun(ctx);
    let latest = 0;
    for (let round = 0; round < 5; round++) {
      const observed = await Promise.all(writers.map((client) => client.workflows.latestSequence(run.id)));
      ensure(observed.every((sequence) => sequence === latest), "every client reads the same latest sequence");
      const outcomes = await Promise.allSettled(
        writers.map((client, writer) => client.workflows.appendEvents(run.id, batchOf(`w${writer}`, round, 1 + (writer % 3)), { expectedSequence: latest })),
      );
      const winner = await ensureOneWinner(outcomes, "SEQUENCE_CONFLICT", `round ${round}: appends with expectedSequence ${latest}`);
      const size = 1 + (winner % 3);
      const events = await ctx.backend.workflows.readEvents(run.id, { after: latest });
      same(events.map((event) => (event.payload as JsonObject).writer), Array.from({ length: size }, () => `w${winner}`), `round ${round}: only the winner's events were written`);
      latest += size;
      same(await ctx.backend.workflows.latestSequence(run.id), latest, "ctx.backend.workflows.latestSequence(run.id)");
    }
  },
});

// ---------------------------------------------------------------------------------------------
// W9: reads

const readWindows = defineCheck({
  id: "W9.read-windows",
  rule: "W9",
  title: "readEvents returns the events after `after`, ascending, at most `limit`; latestSequence is the largest readable",
  requires: ["runs", "events"],
  kind: "example",
  async run(ctx) {
    const { workflows } = ctx.backend;
    const run = await newRun(ctx);
    same(await workflows.latestSequence(run.id), 0, "latestSequence of an empty log is 0");
    same(await workflows.readEvents(run.id), [], "workflows.readEvents(run.id)");
    await workflows.appendEvents(run.id, batchOf("w", 0, 4));
    await workflows.appendEvents(run.id, batchOf("w", 1, 6));
    same(await workflows.latestSequence(run.id), 10, "workflows.latestSequence(run.id)");
    for (const after of [undefined, 0, 1, 5, 9, 10, 11, 1000]) {
      for (const limit of [undefined, 1, 3, 10, 50]) {
        const expected = range(1, 10).filter((sequence) => sequence > (after ?? 0)).slice(0, limit ?? 10);
        const events = await workflows.readEvents(run.id, { ...(after === undefined ? {} : { after }), ...(limit === undefined ? {} : { limit }) });
        same(events.map((event) => event.sequence), expected, `readEvents(after ${after ?? "none"}, limit ${limit ?? "none"})`);
      }
    }
  },
});

const eventsImmutable = defineCheck({
  id: "W9.events-immutable",
  rule: "W9",
  title: "events never change: not by later appends, nor by mutating the caller's payload or a returned record",
  requires: ["runs", "events"],
  kind: "example",
  async run(ctx) {
    const { workflows } = ctx.backend;
    const run = await newRun(ctx);
    const payload = { items: [1, 2], meta: { by: "caller" } };
    await workflows.appendEvents(run.id, [{ type: "first", payload }]);
    payload.items.push(3);
    payload.meta.by = "mutated";
    const first = await workflows.readEvents(run.id);
    same(first[0]?.payload, { items: [1, 2], meta: { by: "caller" } }, "mutating the caller's payload after append changes nothing stored");
    const snapshot = structuredClone(first);
    try {
      const record = first[0] as unknown as { payload: { items: number[] }; type: string };
      record.payload.items.push(99);
      record.type = "changed";
    } catch {
      // Frozen records are fine: immutability is the point.
    }
    ctx.clock.advance(1000);
    await workflows.appendEvents(run.id, batchOf("w", 1, 3));
    const again = await workflows.readEvents(run.id, { limit: 1 });
    same(again, snapshot, "the first event reads the same after later appends and after mutating a returned record");
  },
});

export const checks: Check[] = [
  sequencesFromOne,
  perRunSequences,
  emptyBatch,
  sequencingProperty,
  concurrentBatches,
  expectedSequence,
  concurrentExpectedSequence,
  readWindows,
  eventsImmutable,
];
