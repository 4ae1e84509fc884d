/**
 * Checks of creating a run with its first events (SPEC W12): the run and events 1..n are one
 * write; an existing run returned by `ifExists: "return"` gets nothing appended; a create that is
 * rejected (a held key, `ifExists: "error"`) leaves neither run nor events.
 */
import type { EventInput } from "@mooring/core";
import { type Check, defineCheck } from "../../registry.js";
import { newRun, rejectsWith, same } from "../support/index.js";

const FIRST_EVENTS: EventInput[] = [
  { type: "run_created", payload: { input: 1 } },
  { type: "run_started" },
  { type: "step_created", payload: ["a", null] },
];

export const checks: Check[] = [
  defineCheck({
    id: "W12.created-with-events",
    rule: "W12",
    title: "createRun with events creates the run and its events 1..n together and returns their sequences",
    requires: ["runs", "events", "runEvents"],
    kind: "example",
    async run(ctx) {
      const { workflows } = ctx.backend;
      const now = ctx.clock.now();
      const id = ctx.unique("run");
      const result = await workflows.createRun({ id, workflowId: ctx.unique("wf"), version: "1" }, { events: FIRST_EVENTS });
      same(result.created, true, "createRun with events: created");
      same(result.sequences, [1, 2, 3], "createRun with 3 events: sequences");
      same(result.run.id, id, "createRun with events: run.id");
      same(
        await workflows.readEvents(id),
        [
          { runId: id, sequence: 1, type: "run_created", payload: { input: 1 }, createdAt: now },
          { runId: id, sequence: 2, type: "run_started", payload: null, createdAt: now },
          { runId: id, sequence: 3, type: "step_created", payload: ["a", null], createdAt: now },
        ],
        "readEvents of a run created with events",
      );
      same(await workflows.latestSequence(id), 3, "latestSequence of a run created with 3 events");
      same(await workflows.appendEvents(id, [{ type: "next" }]), [4], "the next append continues at 4");
    },
  }),
  defineCheck({
    id: "W12.existing-run-untouched",
    rule: "W12",
    title: "createRun with events on an existing run (ifExists return) appends nothing and says created: false",
    requires: ["runs", "events", "runEvents"],
    kind: "example",
    async run(ctx) {
      const { workflows } = ctx.backend;
      const run = await newRun(ctx);
      await workflows.appendEvents(run.id, [{ type: "first" }]);
      const again = await workflows.createRun({ id: run.id, workflowId: run.workflowId, version: "1" }, { events: FIRST_EVENTS });
      same(again.created, false, "createRun with events of an existing id: created");
      same(again.sequences, [], "createRun with events of an existing id: sequences (nothing appended)");
      same(again.run, run, "createRun with events of an existing id: the run untouched");
      same((await workflows.readEvents(run.id)).map((event) => event.type), ["first"], "the existing run's log after createRun with events");
    },
  }),
  defineCheck({
    id: "W12.sequences-only-with-events",
    rule: "W12",
    title: "createRun without events returns no sequences field; with ifExists replace and events the new run's log is exactly them",
    requires: ["runs", "events", "runEvents"],
    kind: "example",
    async run(ctx) {
      const { workflows } = ctx.backend;
      const run = await newRun(ctx);
      same("sequences" in (await workflows.createRun({ id: run.id, workflowId: run.workflowId, version: "1" })), false, "createRun without events: has a sequences field");
      await workflows.appendEvents(run.id, [{ type: "old-1" }, { type: "old-2" }]);
      const replaced = await workflows.createRun({ id: run.id, workflowId: run.workflowId, version: "2" }, { ifExists: "replace", events: [{ type: "new" }] });
      same([replaced.created, replaced.sequences], [true, [1]], "createRun replace with one event: [created, sequences]");
      same((await workflows.readEvents(run.id)).map((event) => [event.sequence, event.type]), [[1, "new"]], "the replaced run's log");
    },
  }),
  defineCheck({
    id: "W12.rejected-create-writes-nothing",
    rule: "W12",
    title: "a createRun with events that is rejected (ifExists error, a key another run holds) leaves neither run nor events",
    requires: ["runs", "events", "commit", "runEvents"],
    kind: "example",
    async run(ctx) {
      const { workflows } = ctx.backend;
      const holder = await newRun(ctx);
      await workflows.appendEvents(holder.id, [{ type: "mine" }]);
      await rejectsWith(
        workflows.createRun({ id: holder.id, workflowId: holder.workflowId, version: "1" }, { ifExists: "error", events: FIRST_EVENTS }),
        "CONFLICT",
        "createRun with events and ifExists error of an existing id",
      );
      same((await workflows.readEvents(holder.id)).map((event) => event.type), ["mine"], "the existing run's log after the rejected create");

      const key = ctx.unique("key");
      await workflows.commit(holder.id, { claimKeys: [{ key }] });
      const id = ctx.unique("run");
      await rejectsWith(
        workflows.createRun({ id, workflowId: ctx.unique("wf"), version: "1" }, { events: FIRST_EVENTS, claimKeys: [{ key }] }),
        "CONFLICT",
        "createRun with events claiming a key another run holds",
      );
      same(await workflows.getRun(id), null, "getRun after the rejected createRun (the run must not exist)");
      same(await workflows.readEvents(id), [], "readEvents after the rejected createRun");
      same(await workflows.lookupKey(key), { runId: holder.id, value: null }, "lookupKey after the rejected createRun");
    },
  }),
];
