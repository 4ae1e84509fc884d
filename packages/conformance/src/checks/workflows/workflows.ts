/**
 * Checks of definitions, runs, the run status graph, contexts and steps (SPEC W1–W6).
 */
import { type Json, type JsonObject, RUN_STATUSES, RUN_TRANSITIONS, type RunRecord, type RunStatus, TERMINAL_RUN_STATUSES } from "@mooring/core";
import { type Check, type CheckContext, defineCheck } from "../../registry.js";
import { connectClients, differs, ensure, newRun, rejectsWith, same } from "../support/index.js";

// ---------------------------------------------------------------------------------------------
// W1: definitions

const putAndGetDefinition = defineCheck({
  id: "W1.put-get-definition",
  rule: "W1",
  title: "putDefinition stores a definition that getDefinition returns; other versions stay null",
  requires: ["runs"],
  kind: "example",
  async run(ctx) {
    const { workflows } = ctx.backend;
    const id = ctx.unique("def");
    const steps: JsonObject[] = [{ name: "fetch", retries: 3 }, { name: "store" }];
    const spec: JsonObject = { steps, "quotes \"and\" emoji 🚢": null };
    const { definition, created } = await workflows.putDefinition({ id, version: "1.0.0", spec });
    same(created, true, "the first putDefinition of (id, version) reports created: true");
    same(definition, { id, version: "1.0.0", spec, createdAt: ctx.clock.now() }, "definition");
    same(await workflows.getDefinition(id, "1.0.0"), definition, "getDefinition returns the stored definition");
    same(await workflows.getDefinition(id, "1.0.1"), null, "another version of the id is absent");
    const stored = structuredClone(spec);
    steps.push({ name: "mutated after put" });
    same((await workflows.getDefinition(id, "1.0.0"))?.spec, stored, "mutating the caller's object after put changes nothing stored");
  },
});

const idempotentDefinition = defineCheck({
  id: "W1.equal-spec-idempotent",
  rule: "W1",
  title: "putDefinition of an existing (id, version) with an equal spec succeeds with created: false and changes nothing",
  requires: ["runs"],
  kind: "example",
  async run(ctx) {
    const { workflows } = ctx.backend;
    const id = ctx.unique("def");
    const first = await workflows.putDefinition({ id, version: "1", spec: { a: 1, b: [1, 2], c: { d: true } } });
    ctx.clock.advance(1000);
    // Member order differs: specs compare as JSON values (decisions.md).
    const again = await workflows.putDefinition({ id, version: "1", spec: { c: { d: true }, b: [1, 2], a: 1 } });
    same(again.created, false, "an equal re-put reports created: false");
    same(again.definition, first.definition, "an equal re-put returns the stored definition (first createdAt)");
    same(await workflows.listDefinitions(id), [first.definition], "an equal re-put adds no version");
  },
});

const conflictingDefinition = defineCheck({
  id: "W1.different-spec-conflict",
  rule: "W1",
  title: "putDefinition of an existing (id, version) with a different spec is CONFLICT and keeps the first",
  requires: ["runs"],
  kind: "example",
  async run(ctx) {
    const { workflows } = ctx.backend;
    const id = ctx.unique("def");
    const first = await workflows.putDefinition({ id, version: "1", spec: { steps: ["a", "b"], retries: 3 } });
    // Each differs from the first in one place only: one array item, one member's value, one
    // member's name, order inside an array, one member more, or the kind of value.
    const others: Json[] = [
      { steps: ["a", "c"], retries: 3 },
      { steps: ["a", "b"], retries: 4 },
      { steps: ["a", "b"], tries: 3 },
      { steps: ["b", "a"], retries: 3 },
      { steps: ["a", "b"], retries: 3, extra: null },
      { steps: ["a", "b", "c"], retries: 3 },
      null,
      "a",
      [{ steps: ["a", "b"], retries: 3 }],
    ];
    for (const spec of others) {
      await rejectsWith(workflows.putDefinition({ id, version: "1", spec }), "CONFLICT", `putDefinition with spec ${JSON.stringify(spec)}`);
    }
    same(await workflows.getDefinition(id, "1"), first.definition, "the first definition stays");
    // Array items whose texts run together when written without separators: [1, 2] is not [12].
    await workflows.putDefinition({ id, version: "2", spec: { sizes: [1, 2] } });
    await rejectsWith(workflows.putDefinition({ id, version: "2", spec: { sizes: [12] } }), "CONFLICT", "putDefinition of { sizes: [12] } over { sizes: [1, 2] }");
  },
});

const listDefinitionVersions = defineCheck({
  id: "W1.list-versions-insertion-order",
  rule: "W1",
  title: "listDefinitions lists an id's versions in insertion order, and only that id's",
  requires: ["runs"],
  kind: "example",
  async run(ctx) {
    const { workflows } = ctx.backend;
    const id = ctx.unique("def");
    const other = `${id}-other`;
    const versions = ["2", "10", "1", "b", "a", "1.0"];
    for (const version of versions) {
      await workflows.putDefinition({ id, version, spec: { version } });
      await workflows.putDefinition({ id: other, version: `x${version}`, spec: null });
    }
    await workflows.putDefinition({ id, version: "10", spec: { version: "10" } });
    const listed = await workflows.listDefinitions(id);
    same(listed.map((definition) => definition.version), versions, "versions in insertion order, not sorted, re-puts not repeated");
    ensure(listed.every((definition) => definition.id === id), "only the id's own versions");
    same(listed.map((definition) => definition.spec), versions.map((version) => ({ version })), "listed.map((definition) => definition.spec)");
  },
});

// ---------------------------------------------------------------------------------------------
// W2: createRun

const createRunDefaults = defineCheck({
  id: "W2.create-run",
  rule: "W2",
  title: "createRun makes a pending run with the given or a generated id; defaults: input null, context {}",
  requires: ["runs"],
  kind: "example",
  async run(ctx) {
    const { workflows } = ctx.backend;
    const now = ctx.clock.now();
    const workflowId = ctx.unique("wf");
    const generated = await workflows.createRun({ workflowId, version: "3" });
    same(generated.created, true, "generated.created");
    ensure(typeof generated.run.id === "string" && generated.run.id.length > 0, "a run created without id gets a generated id");
    same(generated.run, {
      id: generated.run.id,
      workflowId,
      version: "3",
      status: "pending",
      input: null,
      context: {},
      createdAt: now,
      updatedAt: now,
      completedAt: null,
    }, "generated.run");
    same(await workflows.getRun(generated.run.id), generated.run, "getRun returns the created run");

    const id = ctx.unique("run");
    const input = { order: 42, lines: ["a", "b"] };
    const context = { attempts: [], note: "x" };
    const explicit = await workflows.createRun({ id, workflowId, version: "3", input, context });
    same(explicit.run.id, id, "a given id is used");
    same(explicit.run.input, input, "explicit.run.input");
    same(explicit.run.context, context, "explicit.run.context");
    same(explicit.run.status, "pending", "explicit.run.status");

    const ids = new Set<string>();
    for (let i = 0; i < 20; i++) ids.add((await workflows.createRun({ workflowId, version: "3" })).run.id);
    same(ids.size, 20, "generated run ids are unique");
  },
});

/** A run with one step, one event and (when declared) one snapshot, to see what survives. */
async function runWithHistory(ctx: CheckContext, withSnapshot: boolean): Promise<RunRecord> {
  const { workflows } = ctx.backend;
  const run = await newRun(ctx, { input: { old: true }, context: { old: [1] } });
  await workflows.setRunStatus(run.id, "running");
  await workflows.upsertStep(run.id, { id: "old-step", status: "completed" });
  await workflows.appendEvents(run.id, [{ type: "old-event" }]);
  if (withSnapshot) await workflows.writeSnapshot(run.id, { atSequence: 1, state: { old: true } });
  const current = await workflows.getRun(run.id);
  ensure(current, `getRun(${run.id}) of the run just created returned null`);
  return current;
}

const ifExistsReturn = defineCheck({
  id: "W2.if-exists-return",
  rule: "W2",
  title: "createRun of an existing id returns it untouched with created: false (the default, and \"return\")",
  requires: ["runs", "events"],
  kind: "example",
  async run(ctx) {
    const { workflows } = ctx.backend;
    const existing = await runWithHistory(ctx, false);
    ctx.clock.advance(1000);
    for (const options of [undefined, { ifExists: "return" as const }]) {
      const again = await workflows.createRun({ id: existing.id, workflowId: "other", version: "9", input: { new: true }, context: { new: [] } }, options);
      same(again.created, false, `ifExists ${options?.ifExists ?? "(default)"} reports created: false`);
      same(again.run, existing, "the existing run is returned untouched");
    }
    same(await workflows.getRun(existing.id), existing, "workflows.getRun(existing.id)");
    same(await workflows.latestSequence(existing.id), 1, "its events stay");
    same((await workflows.listSteps(existing.id)).length, 1, "its steps stay");
  },
});

const ifExistsReplace = defineCheck({
  id: "W2.if-exists-replace",
  rule: "W2",
  title: "createRun with ifExists \"replace\" overwrites the run and drops its steps, events and snapshots",
  requires: ["runs", "events", "snapshots"],
  kind: "example",
  async run(ctx) {
    const { workflows } = ctx.backend;
    const existing = await runWithHistory(ctx, true);
    const now = ctx.clock.advance(1000);
    const replaced = await workflows.createRun({ id: existing.id, workflowId: "other", version: "9", input: { new: true } }, { ifExists: "replace" });
    same(replaced.created, true, "a replace reports created: true (decisions.md)");
    same(replaced.run, {
      id: existing.id,
      workflowId: "other",
      version: "9",
      status: "pending",
      input: { new: true },
      context: {},
      createdAt: now,
      updatedAt: now,
      completedAt: null,
    }, "nothing of the old run is kept");
    same(await workflows.getRun(existing.id), replaced.run, "workflows.getRun(existing.id)");
    same(await workflows.listSteps(existing.id), [], "the old steps are dropped");
    same(await workflows.getStep(existing.id, "old-step"), null, "workflows.getStep(existing.id, \"old-step\")");
    same(await workflows.readEvents(existing.id), [], "the old events are dropped");
    same(await workflows.latestSequence(existing.id), 0, "workflows.latestSequence(existing.id)");
    same(await workflows.latestSnapshot(existing.id), null, "the old snapshots are dropped");
    same(await workflows.appendEvents(existing.id, [{ type: "new" }]), [1], "the new run's log starts at 1");
  },
});

const ifExistsError = defineCheck({
  id: "W2.if-exists-error",
  rule: "W2",
  title: "createRun with ifExists \"error\" of an existing id is CONFLICT and changes nothing",
  requires: ["runs", "events"],
  kind: "example",
  async run(ctx) {
    const { workflows } = ctx.backend;
    const existing = await runWithHistory(ctx, false);
    await rejectsWith(
      workflows.createRun({ id: existing.id, workflowId: "other", version: "9" }, { ifExists: "error" }),
      "CONFLICT",
      "createRun of an existing id with ifExists: error",
    );
    same(await workflows.getRun(existing.id), existing, "workflows.getRun(existing.id)");
    same(await workflows.latestSequence(existing.id), 1, "workflows.latestSequence(existing.id)");
    const fresh = await workflows.createRun({ id: ctx.unique("run"), workflowId: "w", version: "1" }, { ifExists: "error" });
    same(fresh.created, true, "ifExists: error creates a run whose id is free");
  },
});

// ---------------------------------------------------------------------------------------------
// W3: the status graph

/** The moves from `pending` that reach `status` (every status is reachable from pending). */
function pathTo(status: RunStatus): RunStatus[] {
  switch (status) {
    case "pending":
      return [];
    case "running":
      return ["running"];
    case "suspended":
      return ["running", "suspended"];
    case "completed":
      return ["running", "completed"];
    case "failed":
    case "cancelled":
      return [status];
  }
}

/** A new run moved along the graph to `status`. */
export async function runIn(ctx: CheckContext, status: RunStatus): Promise<RunRecord> {
  let run = await newRun(ctx);
  for (const step of pathTo(status)) run = await ctx.backend.workflows.setRunStatus(run.id, step);
  same(run.status, status, "run.status");
  return run;
}

const allowedMoves = defineCheck({
  id: "W3.allowed-moves",
  rule: "W3",
  title: "every move of the status graph succeeds; updatedAt changes on every move, completedAt is set on becoming terminal",
  requires: ["runs"],
  kind: "example",
  async run(ctx) {
    const { workflows } = ctx.backend;
    for (const from of RUN_STATUSES) {
      for (const to of RUN_TRANSITIONS[from]) {
        const run = await runIn(ctx, from);
        const now = ctx.clock.advance(1000);
        const moved = await workflows.setRunStatus(run.id, to, { expected: from });
        const what = `${from} → ${to}`;
        same(moved.status, to, what);
        same(moved.updatedAt, now, `${what}: updatedAt is the time of the move`);
        same(moved.createdAt, run.createdAt, `${what}: createdAt never changes`);
        same(moved.completedAt, TERMINAL_RUN_STATUSES.has(to) ? now : null, `${what}: completedAt is set exactly when the run becomes terminal`);
        same(await workflows.getRun(run.id), moved, `${what}: getRun sees the move`);
      }
    }
    // The full cycle, twice round suspended ⇄ running.
    const run = await newRun(ctx);
    for (const status of ["running", "suspended", "running", "suspended", "running", "completed"] as const) {
      same((await workflows.setRunStatus(run.id, status)).status, status, "workflows.setRunStatus(run.id, status).status");
    }
  },
});

const forbiddenMoves = defineCheck({
  id: "W3.forbidden-moves",
  rule: "W3",
  title: "every move outside the graph is rejected (CONFLICT from a terminal run, else INVALID_STATE) and changes nothing",
  requires: ["runs"],
  kind: "example",
  async run(ctx) {
    const { workflows } = ctx.backend;
    for (const from of RUN_STATUSES) {
      const run = await runIn(ctx, from);
      ctx.clock.advance(1000);
      for (const to of RUN_STATUSES) {
        if (RUN_TRANSITIONS[from].includes(to)) continue;
        const code = TERMINAL_RUN_STATUSES.has(from) ? "CONFLICT" : "INVALID_STATE";
        await rejectsWith(workflows.setRunStatus(run.id, to), code, `setRunStatus ${from} → ${to}`);
      }
      same(await workflows.getRun(run.id), run, `rejected moves from ${from} leave the run untouched`);
    }
  },
});

const expectedStatus = defineCheck({
  id: "W3.expected-status",
  rule: "W3",
  title: "setRunStatus with expected moves only from that status; a mismatch is CONFLICT",
  requires: ["runs"],
  kind: "example",
  async run(ctx) {
    const { workflows } = ctx.backend;
    const run = await newRun(ctx);
    await rejectsWith(workflows.setRunStatus(run.id, "running", { expected: "suspended" }), "CONFLICT", "expected suspended while pending");
    await rejectsWith(workflows.setRunStatus(run.id, "cancelled", { expected: "running" }), "CONFLICT", "expected running while pending");
    same(await workflows.getRun(run.id), run, "workflows.getRun(run.id)");
    const running = await workflows.setRunStatus(run.id, "running", { expected: "pending" });
    same(running.status, "running", "running.status");
    await rejectsWith(workflows.setRunStatus(run.id, "completed", { expected: "pending" }), "CONFLICT", "expected pending while running");
    same((await workflows.getRun(run.id))?.status, "running", "workflows.getRun(run.id)?.status");
  },
});

const terminalIsFinal = defineCheck({
  id: "W3.terminal-final",
  rule: "W3",
  title: "a terminal run never changes status again and keeps its completedAt",
  requires: ["runs"],
  kind: "example",
  async run(ctx) {
    const { workflows } = ctx.backend;
    for (const terminal of ["completed", "failed", "cancelled"] as const) {
      const run = await runIn(ctx, terminal);
      const completedAt = run.completedAt;
      differs(completedAt, null, `a ${terminal} run has completedAt`);
      ctx.clock.advance(5000);
      for (const to of RUN_STATUSES) {
        await rejectsWith(workflows.setRunStatus(run.id, to), "CONFLICT", `setRunStatus on a ${terminal} run to ${to}`);
        await rejectsWith(workflows.setRunStatus(run.id, to, { expected: terminal }), "CONFLICT", `setRunStatus on a ${terminal} run to ${to}, expected ${terminal}`);
      }
      const after = await workflows.setContext(run.id, { late: true });
      same(after.status, terminal, "context may change on a terminal run, its status may not");
      same(after.completedAt, completedAt, "completedAt is set once");
    }
  },
});

// ---------------------------------------------------------------------------------------------
// W4: context

const setContextReplaces = defineCheck({
  id: "W4.set-context",
  rule: "W4",
  title: "setContext replaces the whole context and changes no other field but updatedAt",
  requires: ["runs"],
  kind: "example",
  async run(ctx) {
    const { workflows } = ctx.backend;
    const run = await newRun(ctx, { input: { i: 1 }, context: { a: 1, b: [1, 2] } });
    const now = ctx.clock.advance(1000);
    const context = { c: { nested: ["x", null, true, 1.5] } };
    const updated = await workflows.setContext(run.id, context);
    same(updated, { ...run, context, updatedAt: now }, "only context and updatedAt change");
    same(await workflows.getRun(run.id), updated, "workflows.getRun(run.id)");
    context.c.nested.push("mutated");
    same((await workflows.getRun(run.id))?.context, { c: { nested: ["x", null, true, 1.5] } }, "the stored context does not alias the caller's object");
    same((await workflows.setContext(run.id, {})).context, {}, "an empty context replaces too");
  },
});

const appendToContext = defineCheck({
  id: "W4.append-to-context",
  rule: "W4",
  title: "appendToContext creates the array at a top-level key and appends any JSON value as one element",
  requires: ["runs"],
  kind: "example",
  async run(ctx) {
    const { workflows } = ctx.backend;
    const run = await newRun(ctx, { context: { other: "kept", list: ["a"] } });
    const now = ctx.clock.advance(1000);
    const first = await workflows.appendToContext(run.id, "fresh", { n: 1 });
    same(first.context, { other: "kept", list: ["a"], fresh: [{ n: 1 }] }, "appending to a missing key creates [value]");
    same(first.updatedAt, now, "first.updatedAt");
    await workflows.appendToContext(run.id, "fresh", null);
    await workflows.appendToContext(run.id, "fresh", [1, 2]);
    await workflows.appendToContext(run.id, "list", "b");
    const key = "a.b \"quoted\" 🚢";
    await workflows.appendToContext(run.id, key, 0);
    const context = (await workflows.getRun(run.id))?.context;
    same(context, { other: "kept", list: ["a", "b"], fresh: [{ n: 1 }, null, [1, 2]], [key]: [0] }, "an array value is one element; a key is a top-level key, never a path");
    // Keys that name members of Object.prototype are ordinary keys of the context.
    for (const inherited of ["toString", "constructor", "__proto__", "hasOwnProperty"]) {
      const updated = await workflows.appendToContext(run.id, inherited, inherited);
      ensure(Object.hasOwn(updated.context, inherited), `appendToContext(${inherited}) creates an own key`);
      same(updated.context[inherited], [inherited], `appendToContext(${inherited}) creates [value]`);
    }
  },
});

const appendToNonArray = defineCheck({
  id: "W4.append-to-non-array",
  rule: "W4",
  title: "appendToContext on a key holding a non-array is INVALID_STATE and changes nothing",
  requires: ["runs"],
  kind: "example",
  async run(ctx) {
    const { workflows } = ctx.backend;
    const run = await newRun(ctx, { context: { n: 1, s: "x", o: { a: [] }, z: null } });
    ctx.clock.advance(1000);
    for (const key of ["n", "s", "o", "z"]) {
      await rejectsWith(workflows.appendToContext(run.id, key, 1), "INVALID_STATE", `appendToContext on key ${key}`);
    }
    same(await workflows.getRun(run.id), run, "workflows.getRun(run.id)");
  },
});

const concurrentAppends = defineCheck({
  id: "W4.concurrent-appends",
  rule: "W4",
  title: "N concurrent appendToContext calls from several clients yield N elements (no lost update)",
  requires: ["runs"],
  kind: "race",
  async run(ctx) {
    const clients = await connectClients(ctx, 4);
    const run = await newRun(ctx);
    const perClient = 8;
    const rounds = 3;
    const expected: string[] = [];
    for (let round = 0; round < rounds; round++) {
      const calls: Promise<unknown>[] = [];
      clients.forEach((client, index) => {
        for (let i = 0; i < perClient; i++) {
          const value = `r${round}-c${index}-${i}`;
          expected.push(value);
          calls.push(client.workflows.appendToContext(run.id, "log", value));
        }
      });
      // Writes to another key at the same time must not be lost either.
      calls.push(clients[1]!.workflows.appendToContext(run.id, `other-${round}`, round));
      await Promise.all(calls);
    }
    const context = (await ctx.backend.workflows.getRun(run.id))?.context ?? {};
    const log = context.log;
    ensure(Array.isArray(log), "the appended key holds an array");
    same(log.length, expected.length, `${expected.length} concurrent appends must yield ${expected.length} elements`);
    same([...log].sort(), [...expected].sort(), "each appended value appears exactly once");
    for (let round = 0; round < rounds; round++) same(context[`other-${round}`], [round], "a concurrent append to another key is kept");
  },
});

// ---------------------------------------------------------------------------------------------
// W5: listRuns and deleteRun

const listRunsOrder = defineCheck({
  id: "W5.list-runs-creation-order",
  rule: "W5",
  title: "listRuns lists runs in creation order (not id or time order), optionally of one status",
  requires: ["runs"],
  kind: "example",
  async run(ctx) {
    const { workflows } = ctx.backend;
    const created: RunRecord[] = [];
    // Same clock time and ids against their lexical order: only creation order can be right.
    for (const label of ["z", "y", "x", "b", "a"]) created.push(await newRun(ctx, { id: `${label}-${ctx.unique("run")}` }));
    ctx.clock.advance(1);
    created.push(await newRun(ctx, { id: `0-${ctx.unique("run")}` }));
    await workflows.setRunStatus(created[2]!.id, "running");
    await workflows.setRunStatus(created[4]!.id, "cancelled");
    const page = await workflows.listRuns({ limit: 100 });
    same(page.items.map((run) => run.id), created.map((run) => run.id), "creation order");
    same(page.cursor, null, "a page holding everything has a null cursor");
    same(page.items[2]?.status, "running", "listed runs are current");
    const cancelled = await workflows.listRuns({ limit: 100, status: "cancelled" });
    same(cancelled.items.map((run) => run.id), [created[4]!.id], "cancelled.items.map((run) => run.id)");
    same((await workflows.listRuns({ limit: 100, status: "suspended" })).items, [], "workflows.listRuns({ limit: 100, status: \"suspended\" }).items");
  },
});

const deleteRunCascades = defineCheck({
  id: "W5.delete-run-cascade",
  rule: "W5",
  title: "deleteRun removes the run with its steps, events and snapshots, returns whether it existed, and touches no other run",
  requires: ["runs", "events", "snapshots"],
  kind: "example",
  async run(ctx) {
    const { workflows } = ctx.backend;
    const fill = async (run: RunRecord): Promise<void> => {
      await workflows.upsertStep(run.id, { id: "step", status: "completed", output: 1 });
      await workflows.appendEvents(run.id, [{ type: "a" }, { type: "b" }]);
      await workflows.writeSnapshot(run.id, { atSequence: 2, state: { n: 2 } });
    };
    const doomed = await newRun(ctx);
    const kept = await newRun(ctx);
    await fill(doomed);
    await fill(kept);
    same(await workflows.deleteRun(doomed.id), true, "deleteRun of an existing run returns true");
    same(await workflows.getRun(doomed.id), null, "workflows.getRun(doomed.id)");
    same(await workflows.listSteps(doomed.id), [], "workflows.listSteps(doomed.id)");
    same(await workflows.getStep(doomed.id, "step"), null, "workflows.getStep(doomed.id, \"step\")");
    same(await workflows.readEvents(doomed.id), [], "workflows.readEvents(doomed.id)");
    same(await workflows.latestSequence(doomed.id), 0, "workflows.latestSequence(doomed.id)");
    same(await workflows.latestSnapshot(doomed.id), null, "workflows.latestSnapshot(doomed.id)");
    ensure(!(await workflows.listRuns({ limit: 100 })).items.some((run) => run.id === doomed.id), "a deleted run is not listed");
    same(await workflows.deleteRun(doomed.id), false, "a second deleteRun returns false");

    same(await workflows.latestSequence(kept.id), 2, "another run's events stay");
    same((await workflows.listSteps(kept.id)).length, 1, "another run's steps stay");
    same((await workflows.latestSnapshot(kept.id))?.atSequence, 2, "another run's snapshot stays");

    const { run: again } = await workflows.createRun({ id: doomed.id, workflowId: "w", version: "1" }, { ifExists: "error" });
    same(again.status, "pending", "the id can be used again after deleteRun");
    same(await workflows.appendEvents(doomed.id, [{ type: "new" }]), [1], "a recreated run's log starts again at 1");
    same(await workflows.listSteps(doomed.id), [], "a recreated run has none of the old steps");
  },
});

// ---------------------------------------------------------------------------------------------
// W6: steps

const stepsInsertionOrder = defineCheck({
  id: "W6.steps-insertion-order",
  rule: "W6",
  title: "upsertStep inserts or replaces; a replaced step keeps its first position; listSteps is in first-insertion order",
  requires: ["runs"],
  kind: "example",
  async run(ctx) {
    const { workflows } = ctx.backend;
    const run = await newRun(ctx);
    const start = ctx.clock.now();
    const ids = ["zeta", "alpha", "mid", "10", "9"];
    for (const id of ids) {
      const step = await workflows.upsertStep(run.id, { id, status: "pending", name: `step ${id}`, input: { id } });
      same(step.runId, run.id, "step.runId");
      same(step.name, `step ${id}`, "step.name");
    }
    const later = ctx.clock.advance(1000);
    const replaced = await workflows.upsertStep(run.id, { id: "alpha", status: "completed", output: { ok: true } });
    same(replaced, { runId: run.id, id: "alpha", status: "completed", name: null, input: null, output: { ok: true }, error: null, position: 1, createdAt: replaced.createdAt, updatedAt: later }, "a replaced step takes the new fields whole, keeps position 1, and updatedAt is the time of the replace");
    ensure(replaced.createdAt === start || replaced.createdAt === later, "createdAt is a clock time");
    await workflows.upsertStep(run.id, { id: "zeta", status: "failed", error: { message: "x" } });
    await workflows.upsertStep(run.id, { id: "new", status: "running" });
    const listed = await workflows.listSteps(run.id);
    same(listed.map((step) => step.id), [...ids, "new"], "first-insertion order, replacements in place");
    same(listed.map((step) => step.position), [0, 1, 2, 3, 4, 5], "positions are 0-based first-insertion positions");
    same(listed[0]?.status, "failed", "listed[0]?.status");
    same(listed[0]?.error, { message: "x" }, "listed[0]?.error");
    same(listed[1], replaced, "listed[1]");
  },
});

const getStep = defineCheck({
  id: "W6.get-step",
  rule: "W6",
  title: "getStep returns one step or null; the same step id in two runs names two steps",
  requires: ["runs"],
  kind: "example",
  async run(ctx) {
    const { workflows } = ctx.backend;
    const first = await newRun(ctx);
    const second = await newRun(ctx);
    const stepId = "shared / id : with {braces} %";
    const a = await workflows.upsertStep(first.id, { id: stepId, status: "completed", output: "first" });
    const b = await workflows.upsertStep(second.id, { id: stepId, status: "failed", error: "second" });
    same(await workflows.getStep(first.id, stepId), a, "workflows.getStep(first.id, stepId)");
    same(await workflows.getStep(second.id, stepId), b, "workflows.getStep(second.id, stepId)");
    same((await workflows.getStep(first.id, stepId))?.output, "first", "a step of another run with the same id does not overwrite it");
    same(await workflows.getStep(first.id, "absent"), null, "workflows.getStep(first.id, \"absent\")");
    same((await workflows.listSteps(first.id)).map((step) => step.id), [stepId], "workflows.listSteps(first.id).map((step) => step.id)");
  },
});

const stepUnknownRun = defineCheck({
  id: "W6.unknown-run",
  rule: "W6",
  title: "upsertStep for an unknown run is NOT_FOUND and writes nothing",
  requires: ["runs"],
  kind: "example",
  async run(ctx) {
    const { workflows } = ctx.backend;
    const missing = ctx.unique("missing-run");
    await rejectsWith(workflows.upsertStep(missing, { id: "s", status: "pending" }), "NOT_FOUND", "upsertStep of an unknown run");
    same(await workflows.listSteps(missing), [], "workflows.listSteps(missing)");
    await workflows.createRun({ id: missing, workflowId: "w", version: "1" });
    same(await workflows.listSteps(missing), [], "a run created after a rejected upsertStep has no step");
  },
});

export const checks: Check[] = [
  putAndGetDefinition,
  idempotentDefinition,
  conflictingDefinition,
  listDefinitionVersions,
  createRunDefaults,
  ifExistsReturn,
  ifExistsReplace,
  ifExistsError,
  allowedMoves,
  forbiddenMoves,
  expectedStatus,
  terminalIsFinal,
  setContextReplaces,
  appendToContext,
  appendToNonArray,
  concurrentAppends,
  listRunsOrder,
  deleteRunCascades,
  stepsInsertionOrder,
  getStep,
  stepUnknownRun,
];
