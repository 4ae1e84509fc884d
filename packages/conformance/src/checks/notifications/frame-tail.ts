/**
 * Checks of tailing a stream and per-attempt summaries (SPEC E28). A `readFrames` with `waitMs`
 * returns at once when a frame follows `after`; else it waits for the next append, pushed by the
 * store when another client appends, and returns what is there then (`[]` at `waitMs` or on abort).
 * As the checks of E19 and W16, these wait on the wall clock, each wait bounded (`within`) and
 * ended by its first success, so a correct store never makes them slow. `setSummary` is a fenced
 * holder call (the E5 and T1 checks of every holder call include it); `getSummary` reads one
 * attempt's summary, the latest by default.
 */
import type { Frame, Json } from "@mooring/core";
import { type Check, defineCheck } from "../../registry.js";
import { claimOne, enqueueTask, ensure, same, show, succeeds, within, yieldToEventLoop } from "../support/index.js";

/**
 * The wait of a tail that only a wake-up may end: longer than the kit's hang bound, so a store that
 * never wakes the tail fails the check (a CheckTimeout) rather than answering at `waitMs` with a
 * fresh read that happens to hold the frame. Every such tail is aborted when its check ends.
 */
const TAIL_WAIT_MS = 2 ** 31 - 1;

/** What a reader can rely on in a frame. */
function contents(frames: readonly Frame[]): { attempt: number; sequence: number; data: unknown }[] {
  return frames.map((frame) => ({ attempt: frame.attempt, sequence: frame.sequence, data: frame.data }));
}

/** A retry policy that makes a failed attempt due again 1 ms later. */
const QUICK_RETRY = { baseMs: 1, factor: 1, maxMs: 1 } as const;

export const checks: Check[] = [
  defineCheck({
    id: "E28.tail-wakes-on-append",
    rule: "E28",
    title: "readFrames with waitMs and nothing after `after` returns the frame another client appends, and only up to `limit`",
    requires: ["leases", "streams", "frameTail"],
    kind: "example",
    async run(ctx) {
      const reader = ctx.backend.engine;
      const writer = (await ctx.connect()).engine;
      const queue = ctx.unique("queue");
      const id = await enqueueTask(writer, { queue });
      const lease = await claimOne(writer, queue, { taskId: id });
      const controller = new AbortController();
      try {
        const first = reader.readFrames(id, { after: 0, waitMs: TAIL_WAIT_MS, signal: controller.signal });
        await yieldToEventLoop();
        await succeeds(writer.appendFrame(lease, { line: "one" }), "appendFrame one");
        same(contents(await within(first, "readFrames(after 0) after another client appended")), [{ attempt: 1, sequence: 1, data: { line: "one" } }], "the tail after the first append");

        const second = reader.readFrames(id, { after: 1, limit: 1, waitMs: TAIL_WAIT_MS, signal: controller.signal });
        await yieldToEventLoop();
        await succeeds(writer.appendFrame(lease, "two"), "appendFrame two");
        same(contents(await within(second, "readFrames(after 1) after another client appended")), [{ attempt: 1, sequence: 2, data: "two" }], "the tail after the second append");
      } finally {
        controller.abort();
      }
    },
  }),
  defineCheck({
    id: "E28.tail-returns-what-is-there",
    rule: "E28",
    title: "readFrames with waitMs returns at once the frames already after `after`, at most `limit`, as a plain read does",
    requires: ["leases", "streams", "frameTail"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const id = await enqueueTask(engine, { queue });
      const lease = await claimOne(engine, queue, { taskId: id });
      for (const line of ["a", "b", "c"]) await succeeds(engine.appendFrame(lease, line), `appendFrame ${line}`);
      const controller = new AbortController();
      const read = async (after: number, limit?: number): Promise<number[]> => {
        const window = limit === undefined ? { after } : { after, limit };
        const frames = await within(engine.readFrames(id, { ...window, waitMs: TAIL_WAIT_MS, signal: controller.signal }), `readFrames(${show(window)}) with a wait`);
        return frames.map((frame) => frame.sequence);
      };
      try {
        same(await read(1), [2, 3], "readFrames({ after: 1, waitMs }) of a stream at 3");
        same(await read(0, 2), [1, 2], "readFrames({ after: 0, limit: 2, waitMs }) of a stream at 3");
        same(await read(2, 5), [3], "readFrames({ after: 2, limit: 5, waitMs }) of a stream at 3");
      } finally {
        controller.abort();
      }
    },
  }),
  defineCheck({
    id: "E28.tail-ends-empty",
    rule: "E28",
    title: "readFrames with waitMs returns [] at waitMs when nothing was appended, on abort (also one aborted before the call), and for an unknown task",
    requires: ["leases", "streams", "frameTail"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const id = await enqueueTask(engine, { queue });
      const lease = await claimOne(engine, queue, { taskId: id });
      await succeeds(engine.appendFrame(lease, "only"), "appendFrame");
      same(await within(engine.readFrames(id, { after: 1, waitMs: 20 }), "readFrames with a 20 ms wait"), [], "readFrames({ after: 1, waitMs: 20 }) of a stream at 1");
      const controller = new AbortController();
      const waiting = engine.readFrames(id, { after: 1, waitMs: TAIL_WAIT_MS, signal: controller.signal });
      await yieldToEventLoop();
      controller.abort();
      same(await within(waiting, "readFrames after abort"), [], "readFrames({ after: 1 }) ended by abort");
      same(await within(engine.readFrames(id, { after: 1, waitMs: TAIL_WAIT_MS, signal: controller.signal }), "readFrames with an aborted signal"), [], "readFrames with a signal aborted before the call");
      same(await within(engine.readFrames(ctx.unique("task"), { waitMs: 20 }), "readFrames of an unknown task with a 20 ms wait"), [], "readFrames of an unknown task");
    },
  }),
  defineCheck({
    id: "E28.tail-is-its-own-stream",
    rule: "E28",
    title: "a tail is answered only by its own task's frames: an append to another task does not end it; one of another attempt does not count for an explicit attempt",
    requires: ["leases", "streams", "frameTail"],
    kind: "example",
    async run(ctx) {
      const reader = ctx.backend.engine;
      const writer = (await ctx.connect()).engine;
      const queue = ctx.unique("queue");
      const watched = await enqueueTask(writer, { queue, backoff: QUICK_RETRY });
      const other = await enqueueTask(writer, { queue });
      const watchedLease = await claimOne(writer, queue, { taskId: watched });
      const otherLease = await claimOne(writer, queue, { taskId: other });
      const controller = new AbortController();
      try {
        const tail = reader.readFrames(watched, { after: 0, waitMs: TAIL_WAIT_MS, signal: controller.signal });
        await yieldToEventLoop();
        await succeeds(writer.appendFrame(otherLease, "not yours"), "appendFrame to another task");
        await yieldToEventLoop();
        await succeeds(writer.appendFrame(watchedLease, "yours"), "appendFrame to the watched task");
        same(contents(await within(tail, "the tail of the watched task")), [{ attempt: 1, sequence: 1, data: "yours" }], "a tail after another task's append, then its own");

        const retry = await succeeds(writer.fail(watchedLease, { error: "again" }), "fail attempt 1");
        ensure(retry.outcome === "retry", `fail at attempt 1 of 3 must retry, got ${show(retry)}`);
        ctx.clock.advance(1);
        const secondLease = await claimOne(writer, queue, { taskId: watched });
        const ofAttemptOne = reader.readFrames(watched, { attempt: 1, after: 1, waitMs: 50 });
        const ofLatest = reader.readFrames(watched, { after: 0, waitMs: TAIL_WAIT_MS, signal: controller.signal });
        await yieldToEventLoop();
        await succeeds(writer.appendFrame(secondLease, "second attempt"), "appendFrame in attempt 2");
        same(await within(ofAttemptOne, "a tail of attempt 1"), [], "a tail of attempt 1 when only attempt 2 grew");
        same(contents(await within(ofLatest, "a tail of the latest attempt")), [{ attempt: 2, sequence: 1, data: "second attempt" }], "a tail without attempt when attempt 2 grew");
      } finally {
        controller.abort();
      }
    },
  }),
  defineCheck({
    id: "E28.tail-ends-on-close",
    rule: "E28",
    title: "close() ends a waiting tail at once: it answers [] (as at its waitMs) and never rejects on the closed connection",
    requires: ["leases", "streams", "frameTail"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const reader = await ctx.connect();
      const queue = ctx.unique("queue");
      const id = await enqueueTask(engine, { queue });
      await claimOne(engine, queue, { taskId: id });
      const tail = reader.engine.readFrames(id, { after: 0, waitMs: TAIL_WAIT_MS });
      await yieldToEventLoop();
      await succeeds(reader.close(), "close() of the client whose tail waits");
      same(await succeeds(within(tail, "a tail after its client closed"), "a tail its client's close() ended"), [], "what a tail ended by close() answers");
    },
  }),
  defineCheck({
    id: "E28.summary-per-attempt",
    rule: "E28",
    title: "setSummary replaces the attempt's summary (stored as a copy, stamped with the clock); getSummary reads the latest attempt's by default, any attempt's by number, null where there is none",
    requires: ["leases", "frameTail"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const id = await enqueueTask(engine, { queue, backoff: QUICK_RETRY });
      same(await succeeds(engine.getSummary(id), "getSummary before any lease"), null, "the summary of a task never leased");
      same(await succeeds(engine.getSummary(ctx.unique("task")), "getSummary of an unknown task"), null, "the summary of an unknown task");
      const first = await claimOne(engine, queue, { taskId: id });
      same(await succeeds(engine.getSummary(id), "getSummary before setSummary"), null, "the summary of attempt 1 before any setSummary");
      await succeeds(engine.setSummary(first, { step: 1 }), "setSummary step 1");
      ctx.clock.advance(5);
      const input: { step: number; items: Json[] } = { step: 2, items: ["a", { b: null }] };
      await succeeds(engine.setSummary(first, input), "setSummary step 2");
      const stampedAt = ctx.clock.now();
      input.items.push("changed by the caller after the call");
      const expected = { taskId: id, attempt: 1, summary: { step: 2, items: ["a", { b: null }] }, updatedAt: stampedAt };
      const read = await succeeds(engine.getSummary(id), "getSummary");
      same(read, expected, "the summary after two setSummary calls (the second replaces the first; the caller's later change is not stored)");
      (read?.summary as { items: Json[] }).items.push("changed by the reader");
      same(await succeeds(engine.getSummary(id, { attempt: 1 }), "getSummary of attempt 1"), expected, "the summary read again after the reader changed its copy");

      const retry = await succeeds(engine.fail(first, { error: "again" }), "fail attempt 1");
      ensure(retry.outcome === "retry", `fail at attempt 1 of 3 must retry, got ${show(retry)}`);
      ctx.clock.advance(1);
      const second = await claimOne(engine, queue, { taskId: id });
      same(await succeeds(engine.getSummary(id), "getSummary in attempt 2"), null, "the latest attempt's summary when attempt 2 has none yet");
      same(await succeeds(engine.getSummary(id, { attempt: 1 }), "getSummary of attempt 1 in attempt 2"), expected, "attempt 1's summary once attempt 2 began");
      await succeeds(engine.setSummary(second, "attempt two"), "setSummary in attempt 2");
      await succeeds(engine.complete(second), "complete");
      same(await succeeds(engine.getSummary(id), "getSummary after complete"), { taskId: id, attempt: 2, summary: "attempt two", updatedAt: ctx.clock.now() }, "the latest summary of a completed task");
      same(await succeeds(engine.getSummary(id, { attempt: 1 }), "getSummary of attempt 1 after complete"), expected, "attempt 1's summary of a completed task");
      same(await succeeds(engine.getSummary(id, { attempt: 3 }), "getSummary of an attempt never made"), null, "the summary of attempt 3 of a task that ran 2");
    },
  }),
];
