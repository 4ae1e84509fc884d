/**
 * Checks of listing for a UI (SPEC W14): `listRuns` by workflow and newest first, paged without
 * repeats or skips (C5), and `readEvents` backwards and between `after` and `before`.
 */
import type { ReadEventsOptions, RunRecord } from "@mooring/core";
import { type Check, type CheckContext, defineCheck } from "../../registry.js";
import { newRun, rejectsWith, same, walkPages } from "../support/index.js";

/** Creates `count` runs of `workflowId`, advancing the clock between them; returns them oldest first. */
async function runsOf(ctx: Parameters<Check["run"]>[0], workflowId: string, count: number): Promise<RunRecord[]> {
  const runs: RunRecord[] = [];
  for (let i = 0; i < count; i++) runs.push(await newRun(ctx, { workflowId }));
  return runs;
}

/** A new run with ten events; reads its event sequences with the options given. */
async function tenEventReader(ctx: CheckContext): Promise<(options: ReadEventsOptions) => Promise<number[]>> {
  const { workflows } = ctx.backend;
  const run = await newRun(ctx);
  await workflows.appendEvents(run.id, Array.from({ length: 10 }, (_, index) => ({ type: `e${index + 1}` })));
  return async (options) => (await workflows.readEvents(run.id, options)).map((event) => event.sequence);
}

/** Longer than any page, batch or chunk a store is likely to use internally (512, 1,000, 1,024). */
const LONG_LIST = 1_100;

export const checks: Check[] = [
  defineCheck({
    id: "W14.list-runs-newest-first",
    rule: "W14",
    title: "listRuns with order desc walks every run newest first, page by page, without repeats or skips; asc is creation order",
    requires: ["runs", "runEvents"],
    kind: "example",
    async run(ctx) {
      const { workflows } = ctx.backend;
      const a = ctx.unique("wf-a");
      const b = ctx.unique("wf-b");
      const created: RunRecord[] = [];
      for (let i = 0; i < 7; i++) created.push(await newRun(ctx, { workflowId: i % 3 === 0 ? a : b }));
      const ids = created.map((run) => run.id);
      const desc = await walkPages((cursor) => workflows.listRuns({ limit: 3, cursor, order: "desc" }), 3, "listRuns order desc");
      same(desc.items.map((run) => run.id), [...ids].reverse(), "listRuns order desc: run ids, newest first");
      const asc = await walkPages((cursor) => workflows.listRuns({ limit: 2, cursor, order: "asc" }), 2, "listRuns order asc");
      same(asc.items.map((run) => run.id), ids, "listRuns order asc: run ids in creation order");
    },
  }),
  defineCheck({
    id: "W14.list-runs-past-a-thousand",
    rule: "W14",
    title: "1,100 runs, a dozen deleted where a store might cut its pages or chunks, list page by page in both orders without repeats or skips",
    requires: ["runs", "runEvents"],
    kind: "example",
    async run(ctx) {
      const { workflows } = ctx.backend;
      const workflowId = ctx.unique("wf");
      const ids = (await runsOf(ctx, workflowId, LONG_LIST)).map((run) => run.id);
      const deleted = new Set([0, 255, 256, 511, 512, 513, 999, 1000, 1023, 1024, 1025, LONG_LIST - 1].map((i) => ids[i] as string));
      for (const id of deleted) await workflows.deleteRun(id);
      const kept = ids.filter((id) => !deleted.has(id));
      const asc = await walkPages((cursor) => workflows.listRuns({ limit: 97, cursor, workflowId }), 97, `listRuns of ${kept.length} runs`);
      same(asc.items.map((run) => run.id), kept, `listRuns of ${kept.length} runs, oldest first, 97 a page`);
      const desc = await walkPages((cursor) => workflows.listRuns({ limit: 97, cursor, workflowId, order: "desc" }), 97, `listRuns of ${kept.length} runs, desc`);
      same(desc.items.map((run) => run.id), [...kept].reverse(), `listRuns of ${kept.length} runs, newest first, 97 a page`);
      const every = await walkPages((cursor) => workflows.listRuns({ limit: 250, cursor, order: "desc" }), 250, "listRuns of every run, desc");
      same(every.items.map((run) => run.id), [...kept].reverse(), "listRuns of every run of the namespace, newest first, 250 a page");
    },
  }),
  defineCheck({
    id: "W14.desc-cursor-outlives-its-page",
    rule: "W14",
    title: "a newest-first cursor still pages on after its page's runs, and every newer one, were deleted",
    requires: ["runs", "runEvents"],
    kind: "example",
    async run(ctx) {
      const { workflows } = ctx.backend;
      const workflowId = ctx.unique("wf");
      const ids = (await runsOf(ctx, workflowId, 6)).map((run) => run.id);
      const first = await workflows.listRuns({ limit: 2, workflowId, order: "desc" });
      same(first.items.map((run) => run.id), [ids[5], ids[4]], "the first page, newest first");
      for (const id of ids.slice(3)) await workflows.deleteRun(id);
      const rest = await walkPages((cursor) => workflows.listRuns({ limit: 2, cursor: cursor ?? first.cursor, workflowId, order: "desc" }), 2, "listRuns desc from the first page's cursor");
      same(rest.items.map((run) => run.id), [ids[2], ids[1], ids[0]], "the runs older than the deleted ones, newest first, from the first page's cursor");
    },
  }),
  defineCheck({
    id: "W14.list-runs-by-workflow",
    rule: "W14",
    title: "listRuns with workflowId lists only that workflow's runs, in either order, also combined with status",
    requires: ["runs", "runEvents"],
    kind: "example",
    async run(ctx) {
      const { workflows } = ctx.backend;
      const a = ctx.unique("wf-a");
      const b = ctx.unique("wf-b");
      const ofA = await runsOf(ctx, a, 3);
      await runsOf(ctx, b, 2);
      ofA.push(await newRun(ctx, { workflowId: a }));
      const idsOfA = ofA.map((run) => run.id);
      const asc = await walkPages((cursor) => workflows.listRuns({ limit: 2, cursor, workflowId: a }), 2, "listRuns workflowId a");
      same(asc.items.map((run) => run.id), idsOfA, "listRuns of workflow a, oldest first");
      const desc = await walkPages((cursor) => workflows.listRuns({ limit: 3, cursor, workflowId: a, order: "desc" }), 3, "listRuns workflowId a desc");
      same(desc.items.map((run) => run.id), [...idsOfA].reverse(), "listRuns of workflow a, newest first");
      await workflows.setRunStatus(idsOfA[1] as string, "running");
      await workflows.setRunStatus(idsOfA[3] as string, "running");
      const running = await walkPages((cursor) => workflows.listRuns({ limit: 1, cursor, workflowId: a, status: "running", order: "desc" }), 1, "listRuns a running desc");
      same(running.items.map((run) => run.id), [idsOfA[3], idsOfA[1]], "listRuns of workflow a in status running, newest first");
      same(await workflows.listRuns({ limit: 10, workflowId: ctx.unique("wf-none") }), { items: [], cursor: null }, "listRuns of a workflow without runs");
    },
  }),
  defineCheck({
    id: "W14.cursor-keeps-its-order",
    rule: "W14",
    title: "a cursor of one order given with the other order is VALIDATION",
    requires: ["runs", "runEvents"],
    kind: "example",
    async run(ctx) {
      const { workflows } = ctx.backend;
      await runsOf(ctx, ctx.unique("wf"), 3);
      const asc = await workflows.listRuns({ limit: 1 });
      const desc = await workflows.listRuns({ limit: 1, order: "desc" });
      same([typeof asc.cursor, typeof desc.cursor], ["string", "string"], "the first pages' cursors");
      await rejectsWith(workflows.listRuns({ limit: 1, cursor: asc.cursor, order: "desc" }), "VALIDATION", "listRuns order desc with an oldest-first cursor");
      await rejectsWith(workflows.listRuns({ limit: 1, cursor: desc.cursor }), "VALIDATION", "listRuns (asc) with a newest-first cursor");
    },
  }),
  defineCheck({
    id: "W14.before-bounds-a-larger-limit",
    rule: "W14",
    title: "readEvents stops before `before` when the limit would reach past it, in both orders",
    requires: ["runs", "events", "runEvents"],
    kind: "example",
    async run(ctx) {
      const read = await tenEventReader(ctx);
      same(await read({ after: 2, before: 5, limit: 10 }), [3, 4], "readEvents after 2 before 5 limit 10");
      same(await read({ before: 4, limit: 100 }), [1, 2, 3], "readEvents before 4 limit 100");
      same(await read({ order: "desc", after: 2, before: 5, limit: 10 }), [4, 3], "readEvents order desc after 2 before 5 limit 10");
    },
  }),
  defineCheck({
    id: "W14.read-events-backwards",
    rule: "W14",
    title: "readEvents with order desc reads the latest events first; before, after and limit bound it from either end",
    requires: ["runs", "events", "runEvents"],
    kind: "example",
    async run(ctx) {
      const read = await tenEventReader(ctx);
      same(await read({ order: "desc" }), [10, 9, 8, 7, 6, 5, 4, 3, 2, 1], "readEvents order desc");
      same(await read({ order: "desc", limit: 3 }), [10, 9, 8], "readEvents order desc limit 3 (the latest three)");
      same(await read({ order: "desc", before: 4 }), [3, 2, 1], "readEvents order desc before 4");
      same(await read({ order: "desc", before: 8, after: 2, limit: 2 }), [7, 6], "readEvents order desc after 2 before 8 limit 2");
      same(await read({ order: "asc", before: 8, after: 2, limit: 2 }), [3, 4], "readEvents order asc after 2 before 8 limit 2");
      same(await read({ before: 3 }), [1, 2], "readEvents before 3");
      same(await read({ before: 1 }), [], "readEvents before 1");
      same(await read({ after: 5, before: 6 }), [], "readEvents after 5 before 6 (nothing between)");
      same(await read({ after: 7, before: 3 }), [], "readEvents after 7 before 3");
      same(await read({ before: 1000, order: "desc", limit: 1 }), [10], "readEvents before beyond the log, desc, limit 1");
      same(await ctx.backend.workflows.readEvents(ctx.unique("no-run"), { order: "desc" }), [], "readEvents order desc of an unknown run");
    },
  }),
];
