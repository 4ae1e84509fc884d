/**
 * Checks of event ids and run-scoped unique keys (SPEC W15): an event id is unique within its run
 * (a repeat is CONFLICT and writes nothing, so an append can be retried safely) and found by
 * `getEvent`; a key claimed by `commit` or `createRun` is unique within the tenant, found by
 * `lookupKey`, and released by `releaseKeys`, by deleting the run, or at a terminal status when
 * claimed `untilTerminal`. A race: of several clients claiming one key for different runs, exactly
 * one wins.
 */
import { type Check, defineCheck } from "../../registry.js";
import { connectClients, ensureOneWinner, newRun, rejectsWith, rejectsWithDetails, same } from "../support/index.js";

export const checks: Check[] = [
  defineCheck({
    id: "W15.duplicate-event-id",
    rule: "W15",
    title: "appending an event id the run already has is CONFLICT (details: runId, eventId, sequence) and writes nothing, also from a batch with new events",
    requires: ["runs", "events", "runEvents"],
    kind: "example",
    async run(ctx) {
      const { workflows } = ctx.backend;
      const run = await newRun(ctx);
      same(await workflows.appendEvents(run.id, [{ type: "a", id: "evt-1" }, { type: "b" }, { type: "c", id: "evt-3" }]), [1, 2, 3], "appendEvents with ids");
      await rejectsWithDetails(
        workflows.appendEvents(run.id, [{ type: "a", id: "evt-1" }]),
        "CONFLICT",
        { runId: run.id, eventId: "evt-1", sequence: 1 },
        "appendEvents repeating id evt-1",
      );
      await rejectsWithDetails(
        workflows.appendEvents(run.id, [{ type: "new", id: "evt-4" }, { type: "c", id: "evt-3" }]),
        "CONFLICT",
        { runId: run.id, eventId: "evt-3", sequence: 3 },
        "appendEvents of a new id then a repeated one",
      );
      same(await workflows.latestSequence(run.id), 3, "latestSequence after the rejected appends (nothing written)");
      same(await workflows.getEvent(run.id, "evt-4"), null, "getEvent of the new id of the rejected batch");
      same(await workflows.appendEvents(run.id, [{ type: "new", id: "evt-4" }]), [4], "the new id alone appends");
    },
  }),
  defineCheck({
    id: "W15.duplicate-id-in-batch",
    rule: "W15",
    title: "a batch that repeats an event id within itself is VALIDATION and writes nothing",
    requires: ["runs", "events", "runEvents"],
    kind: "example",
    async run(ctx) {
      const { workflows } = ctx.backend;
      const run = await newRun(ctx);
      await rejectsWith(workflows.appendEvents(run.id, [{ type: "a", id: "same" }, { type: "b", id: "same" }]), "VALIDATION", "appendEvents repeating an id within the batch");
      same(await workflows.latestSequence(run.id), 0, "latestSequence after the rejected batch");
    },
  }),
  defineCheck({
    id: "W15.get-event",
    rule: "W15",
    title: "getEvent returns the event with the caller's id (with its id), null for an unknown id or run; ids are per run",
    requires: ["runs", "events", "runEvents"],
    kind: "example",
    async run(ctx) {
      const { workflows } = ctx.backend;
      const now = ctx.clock.now();
      const run = await newRun(ctx);
      const other = await newRun(ctx);
      await workflows.appendEvents(run.id, [{ type: "plain" }, { type: "step_completed", id: "step-1/done", payload: { ok: true } }]);
      same(await workflows.appendEvents(other.id, [{ type: "other", id: "step-1/done" }]), [1], "the same id in another run appends");
      const expected = { runId: run.id, sequence: 2, type: "step_completed", payload: { ok: true }, id: "step-1/done", createdAt: now };
      same(await workflows.getEvent(run.id, "step-1/done"), expected, "getEvent(run, step-1/done)");
      same((await workflows.readEvents(run.id))[1], expected, "readEvents' event with an id");
      same("id" in ((await workflows.readEvents(run.id))[0] ?? {}), false, "readEvents' event without an id has an id field");
      same((await workflows.getEvent(other.id, "step-1/done"))?.type, "other", "getEvent of the same id in the other run");
      same(await workflows.getEvent(run.id, "missing"), null, "getEvent of an unknown id");
      same(await workflows.getEvent(ctx.unique("no-run"), "step-1/done"), null, "getEvent of an unknown run");
    },
  }),
  defineCheck({
    id: "W15.commit-event-id",
    rule: "W15",
    title: "a commit whose event repeats an id is CONFLICT and writes none of its parts",
    requires: ["runs", "events", "commit", "runEvents"],
    kind: "example",
    async run(ctx) {
      const { workflows } = ctx.backend;
      const run = await newRun(ctx);
      await workflows.appendEvents(run.id, [{ type: "a", id: "once" }]);
      await rejectsWithDetails(
        workflows.commit(run.id, { events: [{ type: "b", id: "once" }], context: { changed: true }, status: "running", claimKeys: [{ key: ctx.unique("key") }] }),
        "CONFLICT",
        { runId: run.id, eventId: "once", sequence: 1 },
        "commit repeating an event id",
      );
      const after = await workflows.getRun(run.id);
      same([after?.status, after?.context, await workflows.latestSequence(run.id)], ["pending", {}, 1], "[status, context, latestSequence] after the rejected commit");
    },
  }),
  defineCheck({
    id: "W15.claim-and-lookup",
    rule: "W15",
    title: "a claimed key is found by lookupKey; another run's claim is CONFLICT (details: runId, key, heldBy) and writes nothing; the holder may claim again",
    requires: ["runs", "events", "commit", "runEvents"],
    kind: "example",
    async run(ctx) {
      const { workflows } = ctx.backend;
      const holder = await newRun(ctx);
      const other = await newRun(ctx);
      const key = ctx.unique("hook");
      same(await workflows.lookupKey(key), null, "lookupKey of an unclaimed key");
      await workflows.commit(holder.id, { events: [{ type: "hook_created" }], claimKeys: [{ key, value: { url: "/hook/1" } }] });
      same(await workflows.lookupKey(key), { runId: holder.id, value: { url: "/hook/1" } }, "lookupKey after the claim");
      await rejectsWithDetails(
        workflows.commit(other.id, { events: [{ type: "hook_created" }], context: { took: true }, claimKeys: [{ key: ctx.unique("free") }, { key }] }),
        "CONFLICT",
        { runId: other.id, key, heldBy: holder.id },
        "commit claiming a key another run holds",
      );
      same(await workflows.latestSequence(other.id), 0, "the rejected run's latestSequence (nothing written)");
      same((await workflows.getRun(other.id))?.context, {}, "the rejected run's context (nothing written)");
      await workflows.commit(holder.id, { claimKeys: [{ key, value: 2 }] });
      same(await workflows.lookupKey(key), { runId: holder.id, value: 2 }, "lookupKey after the holder claimed again with another value");
    },
  }),
  defineCheck({
    id: "W15.release-keys",
    rule: "W15",
    title: "releaseKeys frees a key for another run; releasing a key the run does not hold changes nothing",
    requires: ["runs", "commit", "runEvents"],
    kind: "example",
    async run(ctx) {
      const { workflows } = ctx.backend;
      const first = await newRun(ctx);
      const second = await newRun(ctx);
      const key = ctx.unique("key");
      await workflows.commit(first.id, { claimKeys: [{ key }] });
      await workflows.commit(second.id, { releaseKeys: [key] });
      same(await workflows.lookupKey(key), { runId: first.id, value: null }, "lookupKey after another run released the key it does not hold");
      await workflows.commit(first.id, { releaseKeys: [key] });
      same(await workflows.lookupKey(key), null, "lookupKey after the holder released it");
      await workflows.commit(second.id, { claimKeys: [{ key, value: "mine" }] });
      same(await workflows.lookupKey(key), { runId: second.id, value: "mine" }, "lookupKey after the other run claimed the released key");
    },
  }),
  defineCheck({
    id: "W15.released-with-run",
    rule: "W15",
    title: "deleting a run releases its keys; a terminal status releases the keys claimed untilTerminal and keeps the others",
    requires: ["runs", "commit", "runEvents"],
    kind: "example",
    async run(ctx) {
      const { workflows } = ctx.backend;
      const deleted = await newRun(ctx);
      const gone = ctx.unique("gone");
      await workflows.commit(deleted.id, { claimKeys: [{ key: gone }] });
      same(await workflows.deleteRun(deleted.id), true, "deleteRun");
      same(await workflows.lookupKey(gone), null, "lookupKey of a deleted run's key");

      const finished = await newRun(ctx);
      const temporary = ctx.unique("temporary");
      const kept = ctx.unique("kept");
      await workflows.commit(finished.id, { status: "running", claimKeys: [{ key: temporary, untilTerminal: true }, { key: kept }] });
      same(await workflows.lookupKey(temporary), { runId: finished.id, value: null }, "lookupKey of an untilTerminal key while running");
      await workflows.setRunStatus(finished.id, "completed");
      same(await workflows.lookupKey(temporary), null, "lookupKey of an untilTerminal key after the run completed");
      same(await workflows.lookupKey(kept), { runId: finished.id, value: null }, "lookupKey of a key without untilTerminal after the run completed");

      const atOnce = await newRun(ctx);
      const claimedAtEnd = ctx.unique("at-end");
      await workflows.commit(atOnce.id, { status: "cancelled", claimKeys: [{ key: claimedAtEnd, untilTerminal: true }] });
      same(await workflows.lookupKey(claimedAtEnd), null, "lookupKey of an untilTerminal key claimed by the commit that made the run terminal");
    },
  }),
  defineCheck({
    id: "W15.replaced-run-keys",
    rule: "W15",
    title: "createRun with ifExists replace releases the old run's keys; createRun may claim keys for the new run",
    requires: ["runs", "commit", "runEvents"],
    kind: "example",
    async run(ctx) {
      const { workflows } = ctx.backend;
      const run = await newRun(ctx);
      const old = ctx.unique("old");
      const fresh = ctx.unique("fresh");
      await workflows.commit(run.id, { claimKeys: [{ key: old }] });
      await workflows.createRun({ id: run.id, workflowId: run.workflowId, version: "2" }, { ifExists: "replace", claimKeys: [{ key: fresh, value: "v" }] });
      same(await workflows.lookupKey(old), null, "lookupKey of the replaced run's key");
      same(await workflows.lookupKey(fresh), { runId: run.id, value: "v" }, "lookupKey of the key the new run claimed");
    },
  }),
  defineCheck({
    id: "W15.concurrent-claimers",
    rule: "W15",
    title: "of several clients committing a claim of one key for different runs at once, exactly one wins; the others are CONFLICT and wrote nothing",
    requires: ["runs", "events", "commit", "runEvents"],
    kind: "race",
    async run(ctx) {
      const clients = await connectClients(ctx, 4);
      for (let round = 0; round < 5; round++) {
        const key = ctx.unique(`key-${round}`);
        const runs = await Promise.all(clients.map((client) => newRun(ctx, {}, client)));
        const outcomes = await Promise.allSettled(
          clients.map((client, index) => client.workflows.commit(runs[index]!.id, { events: [{ type: "claimed" }], claimKeys: [{ key, value: index }] })),
        );
        const winner = await ensureOneWinner(outcomes, "CONFLICT", `round ${round}: commits claiming ${key}`);
        same(await ctx.backend.workflows.lookupKey(key), { runId: runs[winner]!.id, value: winner }, `round ${round}: lookupKey names the winner`);
        const sequences = await Promise.all(runs.map((run) => ctx.backend.workflows.latestSequence(run.id)));
        same(sequences, runs.map((_, index) => (index === winner ? 1 : 0)), `round ${round}: latestSequence of each run (only the winner's commit wrote)`);
        await ctx.progress();
      }
    },
  }),
];
