/** Checks of the rules common to every call (SPEC C2–C6). */
import {
  type Backend,
  type ErrorCode,
  type EventInput,
  MooringError,
} from "@mooring/core";
import { type Check, defineCheck } from "../../registry.js";
import {
  byCodePoint,
  differs,
  ensure,
  ensureNoRepeats,
  forgedLease,
  leaseNewTask,
  newRun,
  only,
  rejectsWith,
  rejectsWithDetails,
  same,
  sameBytes,
  succeeds,
  utf8,
  walkPages,
} from "../support/index.js";

// ---------------------------------------------------------------------------------------------
// C2: a call that throws writes nothing

const appendBatchWithBadEvent = defineCheck({
  id: "C2.append-rejected-batch",
  rule: "C2",
  title: "appendEvents with one bad event in the batch writes none of it and burns no sequence",
  requires: ["runs", "events"],
  kind: "example",
  async run(ctx) {
    const { workflows } = ctx.backend;
    const run = await newRun(ctx);
    same(await workflows.appendEvents(run.id, [{ type: "first" }]), [1], "workflows.appendEvents(run.id, [{ type: \"first\" }])");
    const badBatches: { readonly label: string; readonly events: unknown[] }[] = [
      { label: "a NaN payload", events: [{ type: "ok" }, { type: "bad", payload: { value: Number.NaN } }] },
      { label: "an empty type", events: [{ type: "ok" }, { type: "" }] },
      { label: "an undefined member", events: [{ type: "ok" }, { type: "bad", payload: { value: undefined } }] },
    ];
    for (const batch of badBatches) {
      await rejectsWith(workflows.appendEvents(run.id, batch.events as unknown as readonly EventInput[]), "VALIDATION", `appendEvents with ${batch.label} last in the batch`);
    }
    await rejectsWith(workflows.appendEvents(run.id, [{ type: "ok" }], { expectedSequence: 0 }), "SEQUENCE_CONFLICT", "appendEvents with a stale expectedSequence");
    same(await workflows.latestSequence(run.id), 1, "rejected appends must not move latestSequence");
    same((await workflows.readEvents(run.id)).map((event) => event.type), ["first"], "rejected appends must write no event");
    same(await workflows.appendEvents(run.id, [{ type: "second" }]), [2], "the next append after rejected ones must get the next sequence (no gap)");
  },
});

const commitRejectedOnLastPart = defineCheck({
  id: "C2.commit-rejected-last-part",
  rule: "C2",
  title: "commit rejected by its last part (snapshot beyond the log, forbidden status) writes none of its parts",
  requires: ["runs", "events", "snapshots", "commit"],
  kind: "example",
  async run(ctx) {
    const { workflows } = ctx.backend;
    const run = await newRun(ctx, { context: { kept: true } });
    await workflows.setRunStatus(run.id, "running");
    await workflows.appendEvents(run.id, [{ type: "started" }]);
    const before = await workflows.getRun(run.id);
    ctx.clock.advance(1000);
    const parts = {
      events: [{ type: "a" }, { type: "b" }],
      context: { replaced: 1 },
      steps: [{ id: "step-1", status: "completed" as const }],
    };
    await rejectsWith(
      workflows.commit(run.id, { ...parts, status: "suspended", snapshot: { atSequence: 99, state: { n: 1 } } }),
      "INVALID_STATE",
      "commit whose snapshot atSequence is beyond the log after its events",
    );
    await rejectsWith(workflows.commit(run.id, { ...parts, status: "pending" }), "INVALID_STATE", "commit moving a running run back to pending");
    same(await workflows.latestSequence(run.id), 1, "a rejected commit must append no event");
    same((await workflows.readEvents(run.id)).map((event) => event.type), ["started"], "workflows.readEvents(run.id).map((event) => event.type)");
    same(await workflows.listSteps(run.id), [], "a rejected commit must write no step");
    same(await workflows.latestSnapshot(run.id), null, "a rejected commit must write no snapshot");
    same(await workflows.getRun(run.id), before, "a rejected commit must leave the run (status, context, updatedAt) untouched");
    const committed = await workflows.commit(run.id, { events: [{ type: "c" }] });
    same(committed.sequences, [2], "the commit after rejected ones must get the next sequence (no gap)");
  },
});

const enqueueManyInvalidItem = defineCheck({
  id: "C2.enqueue-many-invalid-item",
  rule: "C2",
  title: "enqueueMany with one invalid task enqueues none of the batch",
  requires: ["leases"],
  kind: "example",
  async run(ctx) {
    const { engine } = ctx.backend;
    const queue = ctx.unique("queue");
    await rejectsWith(
      engine.enqueueMany([{ queue, payload: 1 }, { queue, payload: 2 }, { queue, payload: { bad: Number.POSITIVE_INFINITY } }]),
      "VALIDATION",
      "enqueueMany with an Infinity payload last",
    );
    const leases = await engine.claim({ workerId: ctx.unique("worker"), queues: [queue], leaseMs: 10_000, limit: 10 });
    same(leases, [], "a rejected enqueueMany must leave nothing to claim");
  },
});

const enqueueManyUnknownDependency = defineCheck({
  id: "C2.enqueue-many-unknown-dependency",
  rule: "C2",
  title: "enqueueMany whose last task depends on an unknown task (NOT_FOUND) enqueues none of the batch",
  requires: ["leases", "dependencies"],
  kind: "example",
  async run(ctx) {
    const { engine } = ctx.backend;
    const queue = ctx.unique("queue");
    await rejectsWith(
      engine.enqueueMany([{ queue, payload: 1 }, { queue, payload: 2, dependsOn: [ctx.unique("missing-task")] }]),
      "NOT_FOUND",
      "enqueueMany with an unknown dependency last",
    );
    const leases = await engine.claim({ workerId: ctx.unique("worker"), queues: [queue], leaseMs: 10_000, limit: 10 });
    same(leases, [], "a rejected enqueueMany must leave nothing to claim");
  },
});

const rejectedRunCallsWriteNothing = defineCheck({
  id: "C2.rejected-run-calls",
  rule: "C2",
  title: "rejected createRun, setRunStatus, appendToContext and putDefinition leave what exists untouched",
  requires: ["runs"],
  kind: "example",
  async run(ctx) {
    const { workflows } = ctx.backend;
    const run = await newRun(ctx, { input: { original: true }, context: { scalar: 1, list: [1] } });
    ctx.clock.advance(500);
    await rejectsWith(
      workflows.createRun({ id: run.id, workflowId: "other", version: "9", input: { replaced: true } }, { ifExists: "error" }),
      "CONFLICT",
      "createRun of an existing id with ifExists: error",
    );
    await rejectsWith(workflows.setRunStatus(run.id, "completed"), "INVALID_STATE", "setRunStatus pending → completed");
    await rejectsWith(workflows.setRunStatus(run.id, "running", { expected: "suspended" }), "CONFLICT", "setRunStatus with a wrong expected status");
    await rejectsWith(workflows.appendToContext(run.id, "scalar", 2), "INVALID_STATE", "appendToContext on a key holding a number");
    same(await workflows.getRun(run.id), run, "rejected calls must leave the run exactly as created (updatedAt included)");

    const definition = { id: ctx.unique("def"), version: "1", spec: { steps: ["a"] } };
    await workflows.putDefinition(definition);
    await rejectsWith(workflows.putDefinition({ ...definition, spec: { steps: ["b"] } }), "CONFLICT", "putDefinition with a different spec");
    same((await workflows.getDefinition(definition.id, "1"))?.spec, definition.spec, "a rejected putDefinition keeps the first spec");
  },
});

const rejectedStateCallsWriteNothing = defineCheck({
  id: "C2.rejected-state-calls",
  rule: "C2",
  title: "rejected set and saveSnapshot leave the previous value and snapshot in place",
  requires: ["kv"],
  kind: "example",
  async run(ctx) {
    const { state } = ctx.backend;
    const key = ctx.unique("key");
    const executionId = ctx.unique("exec");
    await state.set(key, utf8("before"));
    await state.saveSnapshot({ executionId, sequence: 3, state: { before: true } });
    await rejectsWith(state.set(key, utf8("after"), { ttlMs: 0 }), "VALIDATION", "set with ttlMs 0");
    await rejectsWith(state.set(key, "not bytes" as unknown as Uint8Array), "VALIDATION", "set with a string value");
    await rejectsWith(state.saveSnapshot({ executionId, sequence: 4, state: { bad: Number.NaN } }), "VALIDATION", "saveSnapshot with a NaN in its state");
    sameBytes(await state.get(key), utf8("before"), "the value after rejected sets");
    const snapshot = await state.loadSnapshot(executionId);
    same(snapshot?.sequence, 3, "the snapshot after a rejected saveSnapshot");
    same(snapshot?.state, { before: true }, "snapshot?.state");
  },
});

// ---------------------------------------------------------------------------------------------
// C3: time comes from the injected clock

const timestampsFollowClock = defineCheck({
  id: "C3.timestamps-follow-clock",
  rule: "C3",
  title: "createdAt, updatedAt and completedAt of definitions, runs, steps and events are the injected clock's time",
  requires: ["runs", "events"],
  kind: "example",
  async run(ctx) {
    const { workflows } = ctx.backend;
    const start = ctx.clock.now();
    const { definition } = await workflows.putDefinition({ id: ctx.unique("def"), version: "1", spec: null });
    same(definition.createdAt, start, "putDefinition createdAt must be the injected clock's now");
    const run = await newRun(ctx);
    same(run.createdAt, start, "createRun createdAt must be the injected clock's now");
    same(run.updatedAt, start, "createRun updatedAt must be the injected clock's now");
    const later = ctx.clock.advance(12_345);
    const running = await workflows.setRunStatus(run.id, "running");
    same(running.updatedAt, later, "setRunStatus updatedAt must follow the advanced clock");
    same(running.createdAt, start, "running.createdAt");
    const step = await workflows.upsertStep(run.id, { id: "s", status: "running" });
    same(step.createdAt, later, "upsertStep createdAt must follow the clock");
    await workflows.appendEvents(run.id, [{ type: "e" }]);
    const [event] = await workflows.readEvents(run.id);
    same(event?.createdAt, later, "event createdAt must follow the clock");
    const end = ctx.clock.advance(60_000);
    const completed = await workflows.setRunStatus(run.id, "completed");
    same(completed.completedAt, end, "completedAt must be the clock's time when the run became terminal");
  },
});

const ttlFollowsClock = defineCheck({
  id: "C3.ttl-follows-clock",
  rule: "C3",
  title: "TTLs of values and cached snapshots run on the injected clock, not on real time",
  requires: ["kv"],
  kind: "example",
  async run(ctx) {
    const { state } = ctx.backend;
    const key = ctx.unique("key");
    const executionId = ctx.unique("exec");
    await state.set(key, utf8("v"), { ttlMs: 60_000 });
    await state.saveSnapshot({ executionId, sequence: 1, state: 1, ttlMs: 60_000 });
    same((await state.loadSnapshot(executionId))?.savedAt, ctx.clock.now(), "savedAt must be the injected clock's now");
    ctx.clock.advance(59_999);
    same(await state.exists(key), true, "a value must live until its TTL on the injected clock");
    differs(await state.loadSnapshot(executionId), null, "a snapshot must live until its TTL on the injected clock");
    ctx.clock.advance(1);
    same(await state.get(key), null, "a value must be gone once the injected clock reaches its TTL, whatever real time says");
    same(await state.loadSnapshot(executionId), null, "a snapshot must be gone once the injected clock reaches its TTL");
  },
});

const runAtFollowsClock = defineCheck({
  id: "C3.run-at-follows-clock",
  rule: "C3",
  title: "runAt and the default ready time are decided by the injected clock",
  requires: ["leases", "delays"],
  kind: "example",
  async run(ctx) {
    const { engine } = ctx.backend;
    const queue = ctx.unique("queue");
    const worker = ctx.unique("worker");
    // The kit's clock is years ahead of real time: a backend that reads the real clock sees neither task as due.
    const now = await engine.enqueue({ queue, payload: "now" });
    const claimedNow = await engine.claim({ workerId: worker, queues: [queue], leaseMs: 10_000 });
    same(claimedNow.map((lease) => lease.taskId), [now.id], "a task enqueued without runAt is due at the injected clock's now");
    const later = await engine.enqueue({ queue, payload: "later", runAt: ctx.clock.now() + 10_000 });
    ctx.clock.advance(9_999);
    same(await engine.claim({ workerId: worker, queues: [queue], leaseMs: 10_000 }), [], "a task is not claimable before its runAt");
    ctx.clock.advance(1);
    const claimedLater = await engine.claim({ workerId: worker, queues: [queue], leaseMs: 10_000 });
    same(claimedLater.map((lease) => lease.taskId), [later.id], "a task is claimable once the injected clock reaches its runAt");
  },
});

const leasesFollowClock = defineCheck({
  id: "C3.lease-expiry-follows-clock",
  rule: "C3",
  title: "lease expiresAt, renewal and expiry are decided by the injected clock",
  requires: ["leases"],
  kind: "example",
  async run(ctx) {
    const { engine } = ctx.backend;
    const lease = await leaseNewTask(ctx, { leaseMs: 30_000 });
    same(lease.expiresAt, ctx.clock.now() + 30_000, "expiresAt must be the injected clock's now + leaseMs");
    same((await engine.getTask(lease.taskId))?.leaseExpiresAt, lease.expiresAt, "engine.getTask(lease.taskId)?.leaseExpiresAt");
    ctx.clock.advance(29_999);
    const renewed = await engine.renew(lease);
    same(renewed.expiresAt, ctx.clock.now() + 30_000, "renew without leaseMs extends by the claim's lease duration from the clock's now");
    ctx.clock.advance(30_000);
    await rejectsWith(engine.complete(renewed), "LEASE_EXPIRED", "complete once the injected clock reached expiresAt");
  },
});

const backoffFollowsClock = defineCheck({
  id: "C3.backoff-follows-clock",
  rule: "C3",
  title: "a retry is scheduled by backoff on the injected clock",
  requires: ["leases"],
  kind: "example",
  async run(ctx) {
    const { engine } = ctx.backend;
    const queue = ctx.unique("queue");
    const worker = ctx.unique("worker");
    const { id } = await engine.enqueue({ queue, maxAttempts: 3, backoff: { baseMs: 5_000, factor: 2, maxMs: 60_000 } });
    const [lease] = await engine.claim({ workerId: worker, queues: [queue], leaseMs: 10_000 });
    ensure(lease, "the task must be claimable");
    const failure = await engine.fail(lease, { error: "boom" });
    same(failure, { outcome: "retry", runAt: ctx.clock.now() + 5_000 }, "the retry runAt must be the clock's now + baseMs");
    ctx.clock.advance(4_999);
    same(await engine.claim({ workerId: worker, queues: [queue], leaseMs: 10_000 }), [], "no retry before its backoff ends");
    ctx.clock.advance(1);
    const [retry] = await engine.claim({ workerId: worker, queues: [queue], leaseMs: 10_000 });
    same(retry?.taskId, id, "the retry is claimable when the clock reaches its runAt");
    same(retry?.attempt, 2, "retry?.attempt");
  },
});

// ---------------------------------------------------------------------------------------------
// C4: errors are typed

async function assertTyped(backend: Backend, action: Promise<unknown>, code: ErrorCode, method: string): Promise<void> {
  const error = await rejectsWith(action, code, method);
  ensure(error instanceof Error, `${method}: a MooringError is an Error`);
  // Through `unknown`, as a caller holding a caught error would call it (and without narrowing `error`).
  const caught: unknown = error;
  const matchesOwnCode = MooringError.is(caught, code);
  const matchesOtherCode = MooringError.is(caught, code === "CONFLICT" ? "NOT_FOUND" : "CONFLICT");
  ensure(matchesOwnCode, `${method}: MooringError.is(error, "${code}") must hold`);
  ensure(!matchesOtherCode, `${method}: MooringError.is must match by code`);
  same(error.backend, backend.name, `${method}: error.backend must be the backend's name`);
  ensure(error.operation.includes(method), `${method}: error.operation must name the operation, got "${error.operation}"`);
  ensure(error.message.length > 0, `${method}: error.message must not be empty`);
}

const typedWorkflowErrors = defineCheck({
  id: "C4.typed-errors",
  rule: "C4",
  title: "failures are MooringErrors with a stable code, the backend's name and the operation",
  requires: ["runs", "events"],
  kind: "example",
  async run(ctx) {
    const backend = ctx.backend;
    const { workflows } = backend;
    const run = await newRun(ctx);
    await assertTyped(backend, workflows.getRun(""), "VALIDATION", "getRun");
    await assertTyped(backend, workflows.setContext(ctx.unique("missing-run"), {}), "NOT_FOUND", "setContext");
    await assertTyped(backend, workflows.createRun({ id: run.id, workflowId: "w", version: "1" }, { ifExists: "error" }), "CONFLICT", "createRun");
    await assertTyped(backend, workflows.appendEvents(run.id, [{ type: "e" }], { expectedSequence: 5 }), "SEQUENCE_CONFLICT", "appendEvents");
    await assertTyped(backend, workflows.setRunStatus(run.id, "suspended"), "INVALID_STATE", "setRunStatus");
  },
});

const typedEngineErrors = defineCheck({
  id: "C4.typed-engine-errors",
  rule: "C4",
  title: "engine failures (unknown task, expired lease) are typed MooringErrors",
  requires: ["leases"],
  kind: "example",
  async run(ctx) {
    const backend = ctx.backend;
    await assertTyped(backend, backend.engine.cancel(ctx.unique("missing-task")), "NOT_FOUND", "cancel");
    const lease = await leaseNewTask(ctx, { leaseMs: 1_000 });
    ctx.clock.advance(1_000);
    await assertTyped(backend, backend.engine.complete(lease), "LEASE_EXPIRED", "complete");
  },
});

const closedClient = defineCheck({
  id: "C4.closed-client",
  rule: "C4",
  title: "close() is idempotent and every later call on that client rejects with CLOSED; other clients go on",
  requires: ["runs"],
  kind: "example",
  async run(ctx) {
    const other = await ctx.connect();
    const run = await newRun(ctx, {}, other);
    await other.close();
    await other.close();
    const error = await rejectsWith(other.workflows.getRun(run.id), "CLOSED", "getRun after close");
    same(error.backend, other.name, "error.backend");
    await rejectsWith(other.ping(), "CLOSED", "ping after close");
    same((await ctx.backend.workflows.getRun(run.id))?.id, run.id, "closing one client must not affect another client of the same store");
  },
});

const closedTenantView = defineCheck({
  id: "C4.closed-tenant-view",
  rule: "C4",
  title: "closing a tenant view closes that view alone (its calls reject with CLOSED naming the backend and the call); closing the root closes its views; forTenant names itself in its errors",
  requires: ["runs", "tenancy"],
  kind: "example",
  async run(ctx) {
    const root = await ctx.connect();
    const view = root.forTenant(ctx.unique("tenant"));
    const sibling = root.forTenant(ctx.unique("tenant"));
    const run = await newRun(ctx, {}, view);
    const siblingRun = await newRun(ctx, {}, sibling);
    const invalid = await rejectsWith(Promise.resolve().then(() => root.forTenant("")), "VALIDATION", "forTenant with an empty id");
    same([invalid.operation, invalid.details["field"]], ["forTenant", "tenantId"], "error.operation and details.field of forTenant with an empty id");

    await view.close();
    const closed = await rejectsWith(view.workflows.getRun(run.id), "CLOSED", "getRun on a closed tenant view");
    same([closed.backend, closed.operation], [root.name, "workflows.getRun"], "error.backend and error.operation of a call on a closed view");
    await rejectsWith(Promise.resolve().then(() => view.forTenant(ctx.unique("tenant"))), "CLOSED", "forTenant on a closed tenant view");
    await succeeds(root.ping(), "ping on the root after one of its views closed");
    same((await sibling.workflows.getRun(siblingRun.id))?.id, siblingRun.id, "getRun on another tenant's view after one view closed");

    await root.close();
    const pinged = await rejectsWith(root.ping(), "CLOSED", "ping after the root closed");
    same(pinged.operation, "ping", "error.operation of ping on a closed backend");
    await rejectsWith(sibling.workflows.getRun(siblingRun.id), "CLOSED", "a tenant view's getRun after its root closed");
    const refused = await rejectsWith(Promise.resolve().then(() => root.forTenant(ctx.unique("tenant"))), "CLOSED", "forTenant after the root closed");
    same(refused.operation, "forTenant", "error.operation of forTenant on a closed backend");
  },
});

// ---------------------------------------------------------------------------------------------
// C5: pagination

const PAGE_LIMITS = [1, 2, 3, 5, 100] as const;

const listRunsPages = defineCheck({
  id: "C5.list-runs-pages",
  rule: "C5",
  title: "listRuns walked with small limits returns every run once, in creation order, with or without a status filter",
  requires: ["runs"],
  kind: "example",
  async run(ctx) {
    const { workflows } = ctx.backend;
    const created: string[] = [];
    // Ids deliberately out of lexical order: the order is creation order, not id order.
    for (const label of ["m", "c", "x", "a", "q", "b", "z"]) created.push((await newRun(ctx, { id: `${label}-${ctx.unique("run")}` })).id);
    const running = new Set([created[1]!, created[4]!, created[5]!]);
    for (const id of running) await workflows.setRunStatus(id, "running");
    const mine = new Set(created);
    for (const limit of PAGE_LIMITS) {
      const walk = await walkPages((cursor) => workflows.listRuns({ limit, cursor }), limit, `listRuns limit ${limit}`);
      const ids = walk.items.map((run) => run.id);
      ensureNoRepeats(ids, `listRuns limit ${limit}`);
      same(only(walk.items, mine, (run) => run.id), created, `listRuns limit ${limit} must list every run once in creation order`);
      const filtered = await walkPages((cursor) => workflows.listRuns({ limit, cursor, status: "running" }), limit, `listRuns running limit ${limit}`);
      ensure(filtered.items.every((run) => run.status === "running"), "a status filter must return only runs of that status");
      same(only(filtered.items, mine, (run) => run.id), created.filter((id) => running.has(id)), `listRuns status running limit ${limit} must list the running runs in creation order`);
    }
  },
});

const listRunsWhileWriting = defineCheck({
  id: "C5.list-runs-during-writes",
  rule: "C5",
  title: "runs created or deleted during a listRuns walk never make it repeat or skip a run that existed throughout",
  requires: ["runs"],
  kind: "example",
  async run(ctx) {
    const { workflows } = ctx.backend;
    const created: string[] = [];
    for (let i = 0; i < 8; i++) created.push((await newRun(ctx)).id);
    const deleted = new Set([created[0]!, created[5]!]);
    const added: string[] = [];
    const walk = await walkPages(
      (cursor) => workflows.listRuns({ limit: 2, cursor }),
      2,
      "listRuns during writes",
      async (page) => {
        added.push((await newRun(ctx)).id);
        // Delete one run already seen (offset pagination would then skip one) and one not reached yet.
        if (page === 0) {
          for (const id of deleted) await workflows.deleteRun(id);
        }
      },
    );
    const ids = walk.items.map((run) => run.id);
    ensureNoRepeats(ids, "listRuns during writes");
    const survivors = created.filter((id) => !deleted.has(id));
    same(only(walk.items, new Set(survivors), (run) => run.id), survivors, "every run that existed for the whole walk appears once, in order");
    const seenAdded = only(walk.items, new Set(added), (run) => run.id);
    same(seenAdded, added.filter((id) => seenAdded.includes(id)), "runs added during the walk appear at most once, in creation order");
    const order = ids.filter((id) => created.includes(id) || added.includes(id));
    same(order, [...created, ...added].filter((id) => order.includes(id)), "the walk follows creation order throughout");
  },
});

const SNAPSHOT_IDS = ["b", "a", "ab", "a b", "A", "z", "\uFF5E", "\u{1F600}", "é", "10", "9", "a/b", "a:b"];

const listSnapshotsPages = defineCheck({
  id: "C5.list-snapshots-pages",
  rule: "C5",
  title: "listSnapshots walked with small limits returns every execution once, in code-point order, also while others are added and removed",
  requires: ["kv"],
  kind: "example",
  async run(ctx) {
    const { state } = ctx.backend;
    const prefix = ctx.unique("exec");
    const ids = SNAPSHOT_IDS.map((suffix) => `${prefix}/${suffix}`);
    for (const executionId of ids) await state.saveSnapshot({ executionId, sequence: 1, state: null });
    const expected = byCodePoint(ids);
    const mine = new Set(ids);
    for (const limit of PAGE_LIMITS) {
      const walk = await walkPages((cursor) => state.listSnapshots({ limit, cursor }), limit, `listSnapshots limit ${limit}`);
      ensureNoRepeats(walk.items, `listSnapshots limit ${limit}`);
      same(only(walk.items, mine, (id) => id), expected, `listSnapshots limit ${limit} must list every execution once in code-point order`);
    }

    const removed = expected[0]!;
    const added: string[] = [];
    const walk = await walkPages(
      (cursor) => state.listSnapshots({ limit: 3, cursor }),
      3,
      "listSnapshots during writes",
      async (page) => {
        if (page === 0) await state.deleteSnapshot(removed);
        for (const suffix of [`0-${page}`, `~-${page}`]) {
          const executionId = `${prefix}/${suffix}`;
          added.push(executionId);
          await state.saveSnapshot({ executionId, sequence: 1, state: null });
        }
      },
    );
    ensureNoRepeats(walk.items, "listSnapshots during writes");
    const survivors = expected.filter((id) => id !== removed);
    same(only(walk.items, new Set(survivors), (id) => id), survivors, "every execution that existed for the whole walk appears once, in order");
    const seen = walk.items.filter((id) => mine.has(id) || added.includes(id));
    same(seen, byCodePoint(seen), "the walk follows code-point order throughout");
  },
});

const listDeadLettersPages = defineCheck({
  id: "C5.list-dead-letters-pages",
  rule: "C5",
  title: "listDeadLetters walked with small limits returns every dead task once, in the order they died, also while others die or are retried",
  requires: ["leases", "deadLetter"],
  kind: "example",
  async run(ctx) {
    const { engine } = ctx.backend;
    const queues = [ctx.unique("queue"), ctx.unique("queue")];
    const kill = async (queue: string): Promise<string> => {
      const lease = await leaseNewTask(ctx, { queue, maxAttempts: 1 });
      same(await engine.fail(lease, { error: "fatal", retryable: false }), { outcome: "dead" }, "engine.fail(lease, { error: \"fatal\", retryable: false })");
      return lease.taskId;
    };
    const died: { readonly id: string; readonly queue: string }[] = [];
    for (let i = 0; i < 7; i++) {
      const queue = queues[i % 3 === 0 ? 1 : 0]!;
      died.push({ id: await kill(queue), queue });
    }
    const mine = new Set(died.map((task) => task.id));
    for (const limit of PAGE_LIMITS) {
      const walk = await walkPages((cursor) => engine.listDeadLetters({ limit, cursor }), limit, `listDeadLetters limit ${limit}`);
      ensureNoRepeats(walk.items.map((task) => task.id), `listDeadLetters limit ${limit}`);
      ensure(walk.items.every((task) => task.state === "dead"), "listDeadLetters lists dead tasks only");
      same(only(walk.items, mine, (task) => task.id), died.map((task) => task.id), `listDeadLetters limit ${limit} must follow the order of death`);
      const queue = queues[0]!;
      const filtered = await walkPages((cursor) => engine.listDeadLetters({ limit, cursor, queue }), limit, `listDeadLetters queue limit ${limit}`);
      ensure(filtered.items.every((task) => task.queue === queue), "a queue filter returns that queue's tasks only");
      same(filtered.items.map((task) => task.id), died.filter((task) => task.queue === queue).map((task) => task.id), `listDeadLetters of one queue, limit ${limit}`);
    }

    const retried = died[0]!.id;
    const added: string[] = [];
    const walk = await walkPages(
      (cursor) => engine.listDeadLetters({ limit: 2, cursor }),
      2,
      "listDeadLetters during writes",
      async (page) => {
        if (page === 0) await engine.retryDeadLetter(retried);
        added.push(await kill(queues[0]!));
      },
    );
    const ids = walk.items.map((task) => task.id);
    ensureNoRepeats(ids, "listDeadLetters during writes");
    const survivors = died.map((task) => task.id).filter((id) => id !== retried);
    same(only(walk.items, new Set(survivors), (task) => task.id), survivors, "every task dead for the whole walk appears once, in order");
    const seenAdded = ids.filter((id) => added.includes(id));
    same(seenAdded, added.filter((id) => seenAdded.includes(id)), "tasks that died during the walk appear at most once, in order");
  },
});

const tenantListPages = defineCheck({
  id: "C5.tenants-list-pages",
  rule: "C5",
  title: "tenants.list walked with small limits returns every tenant once, in code-point order, also while tenants are added",
  requires: ["tenancy"],
  kind: "example",
  async run(ctx) {
    const { tenants } = ctx.backend;
    const prefix = ctx.unique("tenant");
    const ids = ["b", "a", "B", "a-1", "\u{1F600}", "\uFF5E", "ä"].map((suffix) => `${prefix}${suffix}`);
    for (const id of ids) await tenants.create({ id, name: `tenant ${id}` });
    const expected = byCodePoint(ids);
    const mine = new Set(ids);
    for (const limit of PAGE_LIMITS) {
      const walk = await walkPages((cursor) => tenants.list({ limit, cursor }), limit, `tenants.list limit ${limit}`);
      ensureNoRepeats(walk.items.map((tenant) => tenant.id), `tenants.list limit ${limit}`);
      same(only(walk.items, mine, (tenant) => tenant.id), expected, `tenants.list limit ${limit} must list every tenant once in code-point order`);
    }
    const added: string[] = [];
    const walk = await walkPages(
      (cursor) => tenants.list({ limit: 2, cursor }),
      2,
      "tenants.list during writes",
      async (page) => {
        for (const suffix of [`0${page}`, `~${page}`]) {
          const id = `${prefix}${suffix}`;
          added.push(id);
          await tenants.create({ id, name: id });
        }
      },
    );
    ensureNoRepeats(walk.items.map((tenant) => tenant.id), "tenants.list during writes");
    same(only(walk.items, mine, (tenant) => tenant.id), expected, "every tenant that existed for the whole walk appears once, in order");
    const seen = walk.items.map((tenant) => tenant.id).filter((id) => mine.has(id) || added.includes(id));
    same(seen, byCodePoint(seen), "the walk follows code-point order throughout");
  },
});

const forgedCursors = defineCheck({
  id: "C5.forged-cursor",
  rule: "C5",
  title: "a cursor no list returned, or one of another list, is VALIDATION with details { field: \"request.cursor\" }, never a page",
  requires: ["runs", "kv"],
  kind: "example",
  async run(ctx) {
    const { workflows, state } = ctx.backend;
    for (let i = 0; i < 2; i++) {
      await newRun(ctx);
      await state.saveSnapshot({ executionId: ctx.unique("exec"), sequence: 1, state: null });
    }
    const runsCursor = (await workflows.listRuns({ limit: 1 })).cursor;
    const snapshotsCursor = (await state.listSnapshots({ limit: 1 })).cursor;
    ensure(runsCursor !== null && snapshotsCursor !== null, "listRuns and listSnapshots with limit 1 over two items return a cursor");
    const field = { field: "request.cursor" };
    for (const [cursor, what] of [
      ["not a cursor", "text no list returned"],
      [Buffer.from("[]", "utf8").toString("base64url"), "base64url of an empty JSON array"],
      [snapshotsCursor, "a cursor of listSnapshots"],
    ] as const) {
      await rejectsWithDetails(workflows.listRuns({ limit: 5, cursor }), "VALIDATION", field, `listRuns with ${what} as its cursor`);
    }
    for (const [cursor, what] of [
      ["not a cursor", "text no list returned"],
      [runsCursor, "a cursor of listRuns"],
    ] as const) {
      await rejectsWithDetails(state.listSnapshots({ limit: 5, cursor }), "VALIDATION", field, `listSnapshots with ${what} as its cursor`);
    }
  },
});

// ---------------------------------------------------------------------------------------------
// C6: absent is null for reads, NOT_FOUND for writes

const workflowReadsNull = defineCheck({
  id: "C6.workflow-reads-null",
  rule: "C6",
  title: "reads of absent definitions, runs, steps, events and snapshots return null, [] or 0, never an error",
  requires: ["runs", "events", "snapshots"],
  kind: "example",
  async run(ctx) {
    const { workflows } = ctx.backend;
    const missing = ctx.unique("missing");
    same(await workflows.getDefinition(missing, "1"), null, "getDefinition of an absent definition");
    same(await workflows.listDefinitions(missing), [], "listDefinitions of an absent id");
    same(await workflows.getRun(missing), null, "getRun of an absent run");
    same(await workflows.getStep(missing, "step"), null, "getStep of an absent run");
    same(await workflows.listSteps(missing), [], "listSteps of an absent run");
    same(await workflows.readEvents(missing), [], "readEvents of an absent run");
    same(await workflows.latestSequence(missing), 0, "latestSequence of an absent run");
    same(await workflows.latestSnapshot(missing), null, "latestSnapshot of an absent run");
    same(await workflows.deleteRun(missing), false, "deleteRun of an absent run");
    const run = await newRun(ctx);
    same(await workflows.getStep(run.id, "absent-step"), null, "getStep of an absent step of an existing run");
    same(await workflows.latestSnapshot(run.id), null, "latestSnapshot of a run without snapshots");
    same(await workflows.getDefinition(run.workflowId, "2"), null, "getDefinition of an absent version");
  },
});

const stateReadsNull = defineCheck({
  id: "C6.state-reads-null",
  rule: "C6",
  title: "reads and deletes of absent keys and snapshots return null, false or 0",
  requires: ["kv"],
  kind: "example",
  async run(ctx) {
    const { state } = ctx.backend;
    const missing = ctx.unique("missing");
    same(await state.get(missing), null, "get of an absent key");
    same(await state.exists(missing), false, "exists of an absent key");
    same(await state.delete(missing), false, "delete of an absent key");
    same(await state.loadSnapshot(missing), null, "loadSnapshot of an absent execution");
    same(await state.deleteSnapshot(missing), false, "deleteSnapshot of an absent execution");
    same(await state.deleteExecutionState(missing), 0, "deleteExecutionState of an execution without state");
  },
});

const engineReadsNull = defineCheck({
  id: "C6.engine-reads-null",
  rule: "C6",
  title: "getTask of an absent task returns null",
  requires: ["leases"],
  kind: "example",
  async run(ctx) {
    same(await ctx.backend.engine.getTask(ctx.unique("missing-task")), null, "getTask of an absent task");
  },
});

const tenantReadsNull = defineCheck({
  id: "C6.tenant-reads-null",
  rule: "C6",
  title: "tenants.get of an absent tenant returns null",
  requires: ["tenancy"],
  kind: "example",
  async run(ctx) {
    same(await ctx.backend.tenants.get(ctx.unique("missing-tenant")), null, "tenants.get of an absent tenant");
  },
});

const tokenReadsNull = defineCheck({
  id: "C6.token-reads-null",
  rule: "C6",
  title: "validate of an unknown token returns null; revoke of an unknown token id returns false",
  requires: ["tokens"],
  kind: "example",
  async run(ctx) {
    const { tokens } = ctx.backend;
    same(await tokens.validate(`mrt_${ctx.unique("unknown")}`), null, "validate of an unknown token");
    same(await tokens.revoke(ctx.unique("missing-token")), false, "revoke of an unknown token id");
  },
});

const runWritesNotFound = defineCheck({
  id: "C6.run-writes-not-found",
  rule: "C6",
  title: "writes to an absent run (status, context, steps) throw NOT_FOUND",
  requires: ["runs"],
  kind: "example",
  async run(ctx) {
    const { workflows } = ctx.backend;
    const missing = ctx.unique("missing-run");
    await rejectsWith(workflows.setRunStatus(missing, "running"), "NOT_FOUND", "setRunStatus of an absent run");
    await rejectsWith(workflows.setContext(missing, { a: 1 }), "NOT_FOUND", "setContext of an absent run");
    await rejectsWith(workflows.appendToContext(missing, "list", 1), "NOT_FOUND", "appendToContext of an absent run");
    await rejectsWith(workflows.upsertStep(missing, { id: "s", status: "pending" }), "NOT_FOUND", "upsertStep of an absent run");
    same(await workflows.getRun(missing), null, "a rejected write must not create the run");
    same(await workflows.listSteps(missing), [], "a rejected upsertStep must write no step");
  },
});

const logWritesNotFound = defineCheck({
  id: "C6.log-writes-not-found",
  rule: "C6",
  title: "appendEvents, writeSnapshot and commit on an absent run throw NOT_FOUND",
  requires: ["runs", "events", "snapshots", "commit"],
  kind: "example",
  async run(ctx) {
    const { workflows } = ctx.backend;
    const missing = ctx.unique("missing-run");
    await rejectsWith(workflows.appendEvents(missing, [{ type: "e" }]), "NOT_FOUND", "appendEvents of an absent run");
    await rejectsWith(workflows.writeSnapshot(missing, { atSequence: 0, state: null }), "NOT_FOUND", "writeSnapshot of an absent run");
    await rejectsWith(workflows.commit(missing, { events: [{ type: "e" }] }), "NOT_FOUND", "commit of an absent run");
    await rejectsWith(workflows.commit(missing, {}), "NOT_FOUND", "an empty commit of an absent run");
    same(await workflows.latestSequence(missing), 0, "rejected writes must leave no event");
    same(await workflows.getRun(missing), null, "rejected writes must not create the run");
  },
});

const engineWritesNotFound = defineCheck({
  id: "C6.engine-writes-not-found",
  rule: "C6",
  title: "cancel, revokeLease and holder calls on an absent task throw NOT_FOUND",
  requires: ["leases"],
  kind: "example",
  async run(ctx) {
    const { engine } = ctx.backend;
    const missing = ctx.unique("missing-task");
    const forged = forgedLease(missing, 1, ctx.clock.now() + 60_000, "q");
    await rejectsWith(engine.cancel(missing), "NOT_FOUND", "cancel of an absent task");
    await rejectsWith(engine.revokeLease(missing), "NOT_FOUND", "revokeLease of an absent task");
    await rejectsWith(engine.renew(forged), "NOT_FOUND", "renew of a lease on an absent task");
    await rejectsWith(engine.complete(forged), "NOT_FOUND", "complete of a lease on an absent task");
    await rejectsWith(engine.fail(forged, { error: "x" }), "NOT_FOUND", "fail of a lease on an absent task");
    await rejectsWith(engine.release(forged), "NOT_FOUND", "release of a lease on an absent task");
    same(await engine.getTask(missing), null, "rejected writes must not create the task");
  },
});

const deadLetterNotFound = defineCheck({
  id: "C6.dead-letter-not-found",
  rule: "C6",
  title: "retryDeadLetter of an absent task throws NOT_FOUND",
  requires: ["deadLetter"],
  kind: "example",
  async run(ctx) {
    await rejectsWith(ctx.backend.engine.retryDeadLetter(ctx.unique("missing-task")), "NOT_FOUND", "retryDeadLetter of an absent task");
  },
});

const tenantUpdateNotFound = defineCheck({
  id: "C6.tenant-update-not-found",
  rule: "C6",
  title: "tenants.update of an absent tenant throws NOT_FOUND and creates nothing",
  requires: ["tenancy"],
  kind: "example",
  async run(ctx) {
    const missing = ctx.unique("missing-tenant");
    await rejectsWith(ctx.backend.tenants.update(missing, { name: "x" }), "NOT_FOUND", "tenants.update of an absent tenant");
    same(await ctx.backend.tenants.get(missing), null, "a rejected update must not create the tenant");
  },
});

export const checks: Check[] = [
  appendBatchWithBadEvent,
  commitRejectedOnLastPart,
  enqueueManyInvalidItem,
  enqueueManyUnknownDependency,
  rejectedRunCallsWriteNothing,
  rejectedStateCallsWriteNothing,
  timestampsFollowClock,
  ttlFollowsClock,
  runAtFollowsClock,
  leasesFollowClock,
  backoffFollowsClock,
  typedWorkflowErrors,
  typedEngineErrors,
  closedClient,
  closedTenantView,
  listRunsPages,
  listRunsWhileWriting,
  listSnapshotsPages,
  listDeadLettersPages,
  tenantListPages,
  forgedCursors,
  workflowReadsNull,
  stateReadsNull,
  engineReadsNull,
  tenantReadsNull,
  tokenReadsNull,
  runWritesNotFound,
  logWritesNotFound,
  engineWritesNotFound,
  deadLetterNotFound,
  tenantUpdateNotFound,
];
