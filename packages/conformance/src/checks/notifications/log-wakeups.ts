/**
 * Checks of log-growth wake-ups (SPEC W16): `waitForEvents` resolves true as soon as the run has
 * an event after `after` (at once when it has one already), pushed by the store when another
 * client appends, commits or creates the run with events; false at the timeout or on abort. As
 * E19's checks, these wait on the wall clock, each wait bounded (`within`) and ended by its first
 * success, so a correct store never makes them slow.
 */
import { type Check, defineCheck } from "../../registry.js";
import { LONG_WAIT_MS, newRun, same, within, yieldToEventLoop } from "../support/index.js";

export const checks: Check[] = [
  defineCheck({
    id: "W16.wake-on-append",
    rule: "W16",
    title: "waitForEvents resolves true when another client appends to the run, and when it commits events",
    requires: ["runs", "events", "commit", "runEvents"],
    kind: "example",
    async run(ctx) {
      const { workflows } = ctx.backend;
      const other = (await ctx.connect()).workflows;
      const run = await newRun(ctx);
      const controller = new AbortController();
      try {
        const woken = workflows.waitForEvents(run.id, { after: 0, timeoutMs: LONG_WAIT_MS, signal: controller.signal });
        await yieldToEventLoop();
        await other.appendEvents(run.id, [{ type: "grown" }]);
        same(await within(woken, "waitForEvents after another client appended"), true, "waitForEvents(after 0) after an append");
        const byCommit = workflows.waitForEvents(run.id, { after: 1, timeoutMs: LONG_WAIT_MS, signal: controller.signal });
        await yieldToEventLoop();
        await other.commit(run.id, { events: [{ type: "committed" }] });
        same(await within(byCommit, "waitForEvents after another client committed events"), true, "waitForEvents(after 1) after a commit with events");
      } finally {
        controller.abort();
      }
    },
  }),
  defineCheck({
    id: "W16.wake-on-create",
    rule: "W16",
    title: "waitForEvents on a run that does not exist yet resolves true when another client creates it with events",
    requires: ["runs", "events", "runEvents"],
    kind: "example",
    async run(ctx) {
      const other = (await ctx.connect()).workflows;
      const id = ctx.unique("run");
      const controller = new AbortController();
      try {
        const woken = ctx.backend.workflows.waitForEvents(id, { after: 0, timeoutMs: LONG_WAIT_MS, signal: controller.signal });
        await yieldToEventLoop();
        await other.createRun({ id, workflowId: ctx.unique("wf"), version: "1" }, { events: [{ type: "started" }] });
        same(await within(woken, "waitForEvents after the run was created with events"), true, "waitForEvents after createRun with events");
      } finally {
        controller.abort();
      }
    },
  }),
  defineCheck({
    id: "W16.at-once",
    rule: "W16",
    title: "waitForEvents resolves true at once when the run already has an event after `after`",
    requires: ["runs", "events", "runEvents"],
    kind: "example",
    async run(ctx) {
      const { workflows } = ctx.backend;
      const run = await newRun(ctx);
      await workflows.appendEvents(run.id, [{ type: "a" }, { type: "b" }]);
      same(await within(workflows.waitForEvents(run.id, { after: 1, timeoutMs: LONG_WAIT_MS }), "waitForEvents(after 1) of a log at 2"), true, "waitForEvents(after 1) of a log at 2");
    },
  }),
  defineCheck({
    id: "W16.timeout-and-abort",
    rule: "W16",
    title: "waitForEvents resolves false at its timeout when the log has nothing after `after`, and on abort (also one aborted before the call)",
    requires: ["runs", "events", "runEvents"],
    kind: "example",
    async run(ctx) {
      const { workflows } = ctx.backend;
      const run = await newRun(ctx);
      await workflows.appendEvents(run.id, [{ type: "a" }]);
      same(await within(workflows.waitForEvents(run.id, { after: 1, timeoutMs: 20 }), "waitForEvents with a 20 ms timeout"), false, "waitForEvents(after 1) of a log at 1 with a 20 ms timeout");
      const controller = new AbortController();
      const waiting = workflows.waitForEvents(run.id, { after: 1, timeoutMs: LONG_WAIT_MS, signal: controller.signal });
      await yieldToEventLoop();
      controller.abort();
      same(await within(waiting, "waitForEvents after abort"), false, "waitForEvents after abort");
      same(await within(workflows.waitForEvents(run.id, { after: 1, timeoutMs: LONG_WAIT_MS, signal: controller.signal }), "waitForEvents with an aborted signal"), false, "waitForEvents with a signal aborted before the call");
    },
  }),
  defineCheck({
    id: "W16.other-waiters-keep-waiting",
    rule: "W16",
    title: "when one waitForEvents ends, the others keep waiting (on the same run and on another) and wake on their run's append",
    requires: ["runs", "events", "runEvents"],
    kind: "example",
    async run(ctx) {
      const { workflows } = ctx.backend;
      const shared = await newRun(ctx);
      const other = await newRun(ctx);
      const controller = new AbortController();
      const leaving = new AbortController();
      try {
        // The waiters that stay start first, so that the one that leaves is the last registered.
        const sameRun = workflows.waitForEvents(shared.id, { after: 0, timeoutMs: LONG_WAIT_MS, signal: controller.signal });
        const otherRun = workflows.waitForEvents(other.id, { after: 0, timeoutMs: LONG_WAIT_MS, signal: controller.signal });
        const ended = workflows.waitForEvents(shared.id, { after: 0, timeoutMs: LONG_WAIT_MS, signal: leaving.signal });
        await yieldToEventLoop();
        leaving.abort();
        same(await within(ended, "the aborted waitForEvents"), false, "the waitForEvents that was aborted");
        await workflows.appendEvents(shared.id, [{ type: "grown" }]);
        same(await within(sameRun, "the other waitForEvents on the same run"), true, "a waitForEvents on the run after another waiter on it was aborted");
        await workflows.appendEvents(other.id, [{ type: "grown" }]);
        same(await within(otherRun, "the waitForEvents on another run"), true, "a waitForEvents on another run after a waiter was aborted");
      } finally {
        controller.abort();
        leaving.abort();
      }
    },
  }),
  defineCheck({
    id: "W16.close-ends-only-its-own",
    rule: "W16",
    title: "close() ends the closing client's waitForEvents with false; another client's wait on the same run keeps waiting and wakes on the append",
    requires: ["runs", "events", "runEvents"],
    kind: "example",
    async run(ctx) {
      const { workflows } = ctx.backend;
      const closing = await ctx.connect();
      const run = await newRun(ctx);
      const controller = new AbortController();
      try {
        const staying = workflows.waitForEvents(run.id, { after: 0, timeoutMs: LONG_WAIT_MS, signal: controller.signal });
        const closed = closing.workflows.waitForEvents(run.id, { after: 0, timeoutMs: LONG_WAIT_MS, signal: controller.signal });
        await yieldToEventLoop();
        await closing.close();
        same(await within(closed, "the closed client's waitForEvents"), false, "the waitForEvents of the client that closed");
        await workflows.appendEvents(run.id, [{ type: "grown" }]);
        same(await within(staying, "the other client's waitForEvents"), true, "the waitForEvents of the client that stays, after another client closed");
      } finally {
        controller.abort();
      }
    },
  }),
  defineCheck({
    id: "W16.writes-without-events-do-not-wake",
    rule: "W16",
    title: "a commit and a replacing createRun that add no event do not wake a waitForEvents; the run's next append does",
    requires: ["runs", "events", "commit", "runEvents"],
    kind: "example",
    async run(ctx) {
      const { workflows } = ctx.backend;
      const run = await newRun(ctx);
      const controller = new AbortController();
      try {
        let settled: boolean | undefined;
        const waiting = workflows.waitForEvents(run.id, { after: 0, timeoutMs: LONG_WAIT_MS, signal: controller.signal }).then((value) => (settled = value));
        await yieldToEventLoop();
        await workflows.commit(run.id, { context: { step: 1 } });
        await workflows.createRun({ id: run.id, workflowId: run.workflowId, version: run.version }, { ifExists: "replace" });
        // The run's own append is the marker: the wait must still be open until it.
        await yieldToEventLoop(10);
        same(settled, undefined, "waitForEvents after a commit and a replacing createRun without events (it must still wait)");
        await workflows.appendEvents(run.id, [{ type: "here" }]);
        same(await within(waiting, "waitForEvents after the run's append"), true, "waitForEvents after the run's append");
      } finally {
        controller.abort();
      }
    },
  }),
  defineCheck({
    id: "W16.other-runs-do-not-wake",
    rule: "W16",
    title: "an append to another run does not wake a waitForEvents; the run's own append then does",
    requires: ["runs", "events", "runEvents"],
    kind: "example",
    async run(ctx) {
      const { workflows } = ctx.backend;
      const watched = await newRun(ctx);
      const other = await newRun(ctx);
      const controller = new AbortController();
      try {
        let settled: boolean | undefined;
        const waiting = workflows.waitForEvents(watched.id, { after: 0, timeoutMs: LONG_WAIT_MS, signal: controller.signal }).then((value) => (settled = value));
        await yieldToEventLoop();
        await workflows.appendEvents(other.id, [{ type: "elsewhere" }]);
        // The watched run's own append is the marker: the wait must still be open until it.
        await yieldToEventLoop(10);
        same(settled, undefined, "waitForEvents of one run after an append to another (it must still wait)");
        await workflows.appendEvents(watched.id, [{ type: "here" }]);
        same(await within(waiting, "waitForEvents after the watched run's append"), true, "waitForEvents after the watched run's append");
      } finally {
        controller.abort();
      }
    },
  }),
];
