/**
 * Checks of the rules common to every call (SPEC C2–C6), and the small assertion helpers every
 * check file shares. Checks assert with `node:assert/strict` so that the runner needs no test
 * framework; helpers here add what it lacks: expecting a MooringError by code, walking pages,
 * comparing bytes.
 */
import assert from "node:assert/strict";
import {
  type Backend,
  compareCodePoints,
  type CreateRunInput,
  type ErrorCode,
  type EventInput,
  type Lease,
  MooringError,
  type Page,
  type RunRecord,
} from "@mooring/core";
import { type BackendClockContext, type Check, type CheckContext, defineCheck } from "../registry.js";

// ---------------------------------------------------------------------------------------------
// Helpers shared by the check files

/**
 * Awaits `action` and asserts that it rejected with a MooringError of `code`; returns the error.
 * `what` names the call in the failure message, e.g. "appendEvents with a stale expectedSequence".
 */
export async function expectError(action: Promise<unknown> | (() => Promise<unknown>), code: ErrorCode, what: string): Promise<MooringError> {
  let outcome: { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };
  try {
    outcome = { ok: true, value: await (typeof action === "function" ? action() : action) };
  } catch (error) {
    outcome = { ok: false, error };
  }
  if (outcome.ok) assert.fail(`${what}: expected ${code}, but the call succeeded and returned ${preview(outcome.value)}`);
  const { error } = outcome;
  if (!MooringError.is(error)) assert.fail(`${what}: expected a MooringError ${code}, got ${describeThrown(error)}`);
  if (error.code !== code) assert.fail(`${what}: expected ${code}, got ${error.code}: ${error.message}`);
  return error;
}

/** A short JSON preview of a value for failure messages. */
export function preview(value: unknown, limit = 300): string {
  let text: string;
  try {
    text = value instanceof Uint8Array ? `Uint8Array(${value.byteLength})` : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > limit ? `${text.slice(0, limit)}…` : text;
}

function describeThrown(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return preview(error);
}

/** Creates a run with a unique id (and definition coordinates) on `backend`. */
export async function newRun(context: BackendClockContext, input: Partial<CreateRunInput> = {}, backend: Backend = context.backend): Promise<RunRecord> {
  const { run, created } = await backend.workflows.createRun({
    id: context.unique("run"),
    workflowId: context.unique("wf"),
    version: "1",
    ...input,
  });
  assert.equal(created, true, `createRun of a fresh id ${run.id} must report created: true`);
  return run;
}

/** Enqueues one task in a fresh queue and claims it; asserts the claim got exactly that task. */
export async function leaseNewTask(
  context: BackendClockContext,
  options: { readonly leaseMs?: number; readonly maxAttempts?: number; readonly queue?: string } = {},
  backend: Backend = context.backend,
): Promise<Lease> {
  const queue = options.queue ?? context.unique("queue");
  const { id } = await backend.engine.enqueue({ queue, payload: { for: "lease" }, ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }) });
  const leases = await backend.engine.claim({ workerId: context.unique("worker"), queues: [queue], leaseMs: options.leaseMs ?? 30_000 });
  assert.equal(leases.length, 1, `claim on queue ${queue} after one enqueue must return one lease, got ${leases.length}`);
  const lease = leases[0]!;
  assert.equal(lease.taskId, id, "claim must lease the only task of the queue");
  return lease;
}

/** `count` clients of the check's store: the check's backend and `count − 1` more from `connect()`. */
export async function connectClients(context: CheckContext, count: number): Promise<Backend[]> {
  const others = await Promise.all(Array.from({ length: count - 1 }, () => context.connect()));
  return [context.backend, ...others];
}

/**
 * Asserts that exactly one of concurrent attempts succeeded and every other one was rejected with
 * `code` (the optimistic-concurrency contract of SPEC W8, W11); returns the winner's index.
 */
export async function assertOneWinner(outcomes: readonly PromiseSettledResult<unknown>[], code: ErrorCode, what: string): Promise<number> {
  const winners = outcomes.flatMap((outcome, index) => (outcome.status === "fulfilled" ? [index] : []));
  assert.equal(winners.length, 1, `${what}: exactly one of ${outcomes.length} concurrent attempts must win, got ${winners.length}`);
  for (const outcome of outcomes) {
    if (outcome.status === "rejected") await expectError(Promise.reject(outcome.reason), code, `${what}: a losing attempt`);
  }
  return winners[0]!;
}

export interface Walk<T> {
  readonly items: T[];
  readonly pages: number;
}

/**
 * Follows cursors from the first page until the cursor is null, calling `between` after each
 * page but the last (to write during the walk). Fails on a page larger than `limit` and on a walk
 * that does not end within `maxPages`.
 */
export async function walkPages<T>(
  fetch: (cursor: string | null) => Promise<Page<T>>,
  limit: number,
  what: string,
  between?: (pageIndex: number) => Promise<void>,
  maxPages = 1000,
): Promise<Walk<T>> {
  const items: T[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < maxPages; page++) {
    const result: Page<T> = await fetch(cursor);
    assert.ok(Array.isArray(result.items), `${what}: a page must have an items array`);
    assert.ok(result.items.length <= limit, `${what}: page ${page} holds ${result.items.length} items, more than limit ${limit}`);
    assert.ok(result.cursor === null || typeof result.cursor === "string", `${what}: a cursor is a string or null, got ${preview(result.cursor)}`);
    items.push(...result.items);
    if (result.cursor === null) return { items, pages: page + 1 };
    assert.notEqual(result.cursor, cursor, `${what}: page ${page} returned the cursor it was given; the walk would never end`);
    cursor = result.cursor;
    await between?.(page);
  }
  assert.fail(`${what}: the walk did not reach a null cursor within ${maxPages} pages`);
}

/** Asserts that `seen` holds no element twice. */
export function assertNoRepeats(seen: readonly string[], what: string): void {
  const counts = new Map<string, number>();
  for (const item of seen) counts.set(item, (counts.get(item) ?? 0) + 1);
  const repeated = [...counts].filter(([, count]) => count > 1).map(([item]) => item);
  assert.deepEqual(repeated, [], `${what}: items repeated across pages`);
}

/** Asserts byte-for-byte equality; the message says where the first difference is. */
export function assertBytes(actual: Uint8Array | null, expected: Uint8Array, what: string): void {
  assert.ok(actual !== null, `${what}: expected ${expected.byteLength} bytes, got null`);
  assert.ok(actual instanceof Uint8Array, `${what}: expected a Uint8Array, got ${preview(actual)}`);
  assert.equal(actual.byteLength, expected.byteLength, `${what}: length differs`);
  for (let i = 0; i < expected.byteLength; i++) {
    if (actual[i] !== expected[i]) assert.fail(`${what}: byte ${i} is ${actual[i]}, expected ${expected[i]}`);
  }
}

/** UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** Sorted copy in code-point order (the order of every string-keyed list, decisions.md). */
export function byCodePoint(values: readonly string[]): string[] {
  return [...values].sort(compareCodePoints);
}

/** Keeps `items` in order, only those whose key is in `keys`. */
export function only<T>(items: readonly T[], keys: ReadonlySet<string>, key: (item: T) => string): string[] {
  return items.map(key).filter((value) => keys.has(value));
}

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
    assert.deepEqual(await workflows.appendEvents(run.id, [{ type: "first" }]), [1]);
    const badBatches: { readonly label: string; readonly events: unknown[] }[] = [
      { label: "a NaN payload", events: [{ type: "ok" }, { type: "bad", payload: { value: Number.NaN } }] },
      { label: "an empty type", events: [{ type: "ok" }, { type: "" }] },
      { label: "an undefined member", events: [{ type: "ok" }, { type: "bad", payload: { value: undefined } }] },
    ];
    for (const batch of badBatches) {
      await expectError(workflows.appendEvents(run.id, batch.events as unknown as readonly EventInput[]), "VALIDATION", `appendEvents with ${batch.label} last in the batch`);
    }
    await expectError(workflows.appendEvents(run.id, [{ type: "ok" }], { expectedSequence: 0 }), "SEQUENCE_CONFLICT", "appendEvents with a stale expectedSequence");
    assert.equal(await workflows.latestSequence(run.id), 1, "rejected appends must not move latestSequence");
    assert.deepEqual((await workflows.readEvents(run.id)).map((event) => event.type), ["first"], "rejected appends must write no event");
    assert.deepEqual(await workflows.appendEvents(run.id, [{ type: "second" }]), [2], "the next append after rejected ones must get the next sequence (no gap)");
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
    await expectError(
      workflows.commit(run.id, { ...parts, status: "suspended", snapshot: { atSequence: 99, state: { n: 1 } } }),
      "INVALID_STATE",
      "commit whose snapshot atSequence is beyond the log after its events",
    );
    await expectError(workflows.commit(run.id, { ...parts, status: "pending" }), "INVALID_STATE", "commit moving a running run back to pending");
    assert.equal(await workflows.latestSequence(run.id), 1, "a rejected commit must append no event");
    assert.deepEqual((await workflows.readEvents(run.id)).map((event) => event.type), ["started"]);
    assert.deepEqual(await workflows.listSteps(run.id), [], "a rejected commit must write no step");
    assert.equal(await workflows.latestSnapshot(run.id), null, "a rejected commit must write no snapshot");
    assert.deepEqual(await workflows.getRun(run.id), before, "a rejected commit must leave the run (status, context, updatedAt) untouched");
    const committed = await workflows.commit(run.id, { events: [{ type: "c" }] });
    assert.deepEqual(committed.sequences, [2], "the commit after rejected ones must get the next sequence (no gap)");
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
    await expectError(
      engine.enqueueMany([{ queue, payload: 1 }, { queue, payload: 2 }, { queue, payload: { bad: Number.POSITIVE_INFINITY } }]),
      "VALIDATION",
      "enqueueMany with an Infinity payload last",
    );
    const leases = await engine.claim({ workerId: ctx.unique("worker"), queues: [queue], leaseMs: 10_000, limit: 10 });
    assert.deepEqual(leases, [], "a rejected enqueueMany must leave nothing to claim");
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
    await expectError(
      engine.enqueueMany([{ queue, payload: 1 }, { queue, payload: 2, dependsOn: [ctx.unique("missing-task")] }]),
      "NOT_FOUND",
      "enqueueMany with an unknown dependency last",
    );
    const leases = await engine.claim({ workerId: ctx.unique("worker"), queues: [queue], leaseMs: 10_000, limit: 10 });
    assert.deepEqual(leases, [], "a rejected enqueueMany must leave nothing to claim");
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
    await expectError(
      workflows.createRun({ id: run.id, workflowId: "other", version: "9", input: { replaced: true } }, { ifExists: "error" }),
      "CONFLICT",
      "createRun of an existing id with ifExists: error",
    );
    await expectError(workflows.setRunStatus(run.id, "completed"), "INVALID_STATE", "setRunStatus pending → completed");
    await expectError(workflows.setRunStatus(run.id, "running", { expected: "suspended" }), "CONFLICT", "setRunStatus with a wrong expected status");
    await expectError(workflows.appendToContext(run.id, "scalar", 2), "INVALID_STATE", "appendToContext on a key holding a number");
    assert.deepEqual(await workflows.getRun(run.id), run, "rejected calls must leave the run exactly as created (updatedAt included)");

    const definition = { id: ctx.unique("def"), version: "1", spec: { steps: ["a"] } };
    await workflows.putDefinition(definition);
    await expectError(workflows.putDefinition({ ...definition, spec: { steps: ["b"] } }), "CONFLICT", "putDefinition with a different spec");
    assert.deepEqual((await workflows.getDefinition(definition.id, "1"))?.spec, definition.spec, "a rejected putDefinition keeps the first spec");
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
    await expectError(state.set(key, utf8("after"), { ttlMs: 0 }), "VALIDATION", "set with ttlMs 0");
    await expectError(state.set(key, "not bytes" as unknown as Uint8Array), "VALIDATION", "set with a string value");
    await expectError(state.saveSnapshot({ executionId, sequence: 4, state: { bad: Number.NaN } }), "VALIDATION", "saveSnapshot with a NaN in its state");
    assertBytes(await state.get(key), utf8("before"), "the value after rejected sets");
    const snapshot = await state.loadSnapshot(executionId);
    assert.equal(snapshot?.sequence, 3, "the snapshot after a rejected saveSnapshot");
    assert.deepEqual(snapshot?.state, { before: true });
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
    assert.equal(definition.createdAt, start, "putDefinition createdAt must be the injected clock's now");
    const run = await newRun(ctx);
    assert.equal(run.createdAt, start, "createRun createdAt must be the injected clock's now");
    assert.equal(run.updatedAt, start, "createRun updatedAt must be the injected clock's now");
    const later = ctx.clock.advance(12_345);
    const running = await workflows.setRunStatus(run.id, "running");
    assert.equal(running.updatedAt, later, "setRunStatus updatedAt must follow the advanced clock");
    assert.equal(running.createdAt, start);
    const step = await workflows.upsertStep(run.id, { id: "s", status: "running" });
    assert.equal(step.createdAt, later, "upsertStep createdAt must follow the clock");
    await workflows.appendEvents(run.id, [{ type: "e" }]);
    const [event] = await workflows.readEvents(run.id);
    assert.equal(event?.createdAt, later, "event createdAt must follow the clock");
    const end = ctx.clock.advance(60_000);
    const completed = await workflows.setRunStatus(run.id, "completed");
    assert.equal(completed.completedAt, end, "completedAt must be the clock's time when the run became terminal");
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
    assert.equal((await state.loadSnapshot(executionId))?.savedAt, ctx.clock.now(), "savedAt must be the injected clock's now");
    ctx.clock.advance(59_999);
    assert.equal(await state.exists(key), true, "a value must live until its TTL on the injected clock");
    assert.notEqual(await state.loadSnapshot(executionId), null, "a snapshot must live until its TTL on the injected clock");
    ctx.clock.advance(1);
    assert.equal(await state.get(key), null, "a value must be gone once the injected clock reaches its TTL, whatever real time says");
    assert.equal(await state.loadSnapshot(executionId), null, "a snapshot must be gone once the injected clock reaches its TTL");
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
    assert.deepEqual(claimedNow.map((lease) => lease.taskId), [now.id], "a task enqueued without runAt is due at the injected clock's now");
    const later = await engine.enqueue({ queue, payload: "later", runAt: ctx.clock.now() + 10_000 });
    ctx.clock.advance(9_999);
    assert.deepEqual(await engine.claim({ workerId: worker, queues: [queue], leaseMs: 10_000 }), [], "a task is not claimable before its runAt");
    ctx.clock.advance(1);
    const claimedLater = await engine.claim({ workerId: worker, queues: [queue], leaseMs: 10_000 });
    assert.deepEqual(claimedLater.map((lease) => lease.taskId), [later.id], "a task is claimable once the injected clock reaches its runAt");
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
    assert.equal(lease.expiresAt, ctx.clock.now() + 30_000, "expiresAt must be the injected clock's now + leaseMs");
    assert.equal((await engine.getTask(lease.taskId))?.leaseExpiresAt, lease.expiresAt);
    ctx.clock.advance(29_999);
    const renewed = await engine.renew(lease);
    assert.equal(renewed.expiresAt, ctx.clock.now() + 30_000, "renew without leaseMs extends by the claim's lease duration from the clock's now");
    ctx.clock.advance(30_000);
    await expectError(engine.complete(renewed), "LEASE_EXPIRED", "complete once the injected clock reached expiresAt");
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
    assert.ok(lease, "the task must be claimable");
    const failure = await engine.fail(lease, { error: "boom" });
    assert.deepEqual(failure, { outcome: "retry", runAt: ctx.clock.now() + 5_000 }, "the retry runAt must be the clock's now + baseMs");
    ctx.clock.advance(4_999);
    assert.deepEqual(await engine.claim({ workerId: worker, queues: [queue], leaseMs: 10_000 }), [], "no retry before its backoff ends");
    ctx.clock.advance(1);
    const [retry] = await engine.claim({ workerId: worker, queues: [queue], leaseMs: 10_000 });
    assert.equal(retry?.taskId, id, "the retry is claimable when the clock reaches its runAt");
    assert.equal(retry?.attempt, 2);
  },
});

// ---------------------------------------------------------------------------------------------
// C4: errors are typed

async function assertTyped(backend: Backend, action: Promise<unknown>, code: ErrorCode, method: string): Promise<void> {
  const error = await expectError(action, code, method);
  assert.ok(error instanceof Error, `${method}: a MooringError is an Error`);
  // Through `unknown`, as a caller holding a caught error would call it (and without narrowing `error`).
  const caught: unknown = error;
  const matchesOwnCode = MooringError.is(caught, code);
  const matchesOtherCode = MooringError.is(caught, code === "CONFLICT" ? "NOT_FOUND" : "CONFLICT");
  assert.ok(matchesOwnCode, `${method}: MooringError.is(error, "${code}") must hold`);
  assert.ok(!matchesOtherCode, `${method}: MooringError.is must match by code`);
  assert.equal(error.backend, backend.name, `${method}: error.backend must be the backend's name`);
  assert.ok(error.operation.includes(method), `${method}: error.operation must name the operation, got "${error.operation}"`);
  assert.ok(error.message.length > 0, `${method}: error.message must not be empty`);
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
    const error = await expectError(other.workflows.getRun(run.id), "CLOSED", "getRun after close");
    assert.equal(error.backend, other.name);
    await expectError(other.ping(), "CLOSED", "ping after close");
    assert.equal((await ctx.backend.workflows.getRun(run.id))?.id, run.id, "closing one client must not affect another client of the same store");
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
      assertNoRepeats(ids, `listRuns limit ${limit}`);
      assert.deepEqual(only(walk.items, mine, (run) => run.id), created, `listRuns limit ${limit} must list every run once in creation order`);
      const filtered = await walkPages((cursor) => workflows.listRuns({ limit, cursor, status: "running" }), limit, `listRuns running limit ${limit}`);
      assert.ok(filtered.items.every((run) => run.status === "running"), "a status filter must return only runs of that status");
      assert.deepEqual(
        only(filtered.items, mine, (run) => run.id),
        created.filter((id) => running.has(id)),
        `listRuns status running limit ${limit} must list the running runs in creation order`,
      );
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
    assertNoRepeats(ids, "listRuns during writes");
    const survivors = created.filter((id) => !deleted.has(id));
    assert.deepEqual(only(walk.items, new Set(survivors), (run) => run.id), survivors, "every run that existed for the whole walk appears once, in order");
    const seenAdded = only(walk.items, new Set(added), (run) => run.id);
    assert.deepEqual(seenAdded, added.filter((id) => seenAdded.includes(id)), "runs added during the walk appear at most once, in creation order");
    const order = ids.filter((id) => created.includes(id) || added.includes(id));
    assert.deepEqual(order, [...created, ...added].filter((id) => order.includes(id)), "the walk follows creation order throughout");
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
      assertNoRepeats(walk.items, `listSnapshots limit ${limit}`);
      assert.deepEqual(only(walk.items, mine, (id) => id), expected, `listSnapshots limit ${limit} must list every execution once in code-point order`);
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
    assertNoRepeats(walk.items, "listSnapshots during writes");
    const survivors = expected.filter((id) => id !== removed);
    assert.deepEqual(only(walk.items, new Set(survivors), (id) => id), survivors, "every execution that existed for the whole walk appears once, in order");
    const seen = walk.items.filter((id) => mine.has(id) || added.includes(id));
    assert.deepEqual(seen, byCodePoint(seen), "the walk follows code-point order throughout");
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
      assert.deepEqual(await engine.fail(lease, { error: "fatal", retryable: false }), { outcome: "dead" });
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
      assertNoRepeats(walk.items.map((task) => task.id), `listDeadLetters limit ${limit}`);
      assert.ok(walk.items.every((task) => task.state === "dead"), "listDeadLetters lists dead tasks only");
      assert.deepEqual(only(walk.items, mine, (task) => task.id), died.map((task) => task.id), `listDeadLetters limit ${limit} must follow the order of death`);
      const queue = queues[0]!;
      const filtered = await walkPages((cursor) => engine.listDeadLetters({ limit, cursor, queue }), limit, `listDeadLetters queue limit ${limit}`);
      assert.ok(filtered.items.every((task) => task.queue === queue), "a queue filter returns that queue's tasks only");
      assert.deepEqual(
        filtered.items.map((task) => task.id),
        died.filter((task) => task.queue === queue).map((task) => task.id),
        `listDeadLetters of one queue, limit ${limit}`,
      );
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
    assertNoRepeats(ids, "listDeadLetters during writes");
    const survivors = died.map((task) => task.id).filter((id) => id !== retried);
    assert.deepEqual(only(walk.items, new Set(survivors), (task) => task.id), survivors, "every task dead for the whole walk appears once, in order");
    const seenAdded = ids.filter((id) => added.includes(id));
    assert.deepEqual(seenAdded, added.filter((id) => seenAdded.includes(id)), "tasks that died during the walk appear at most once, in order");
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
      assertNoRepeats(walk.items.map((tenant) => tenant.id), `tenants.list limit ${limit}`);
      assert.deepEqual(only(walk.items, mine, (tenant) => tenant.id), expected, `tenants.list limit ${limit} must list every tenant once in code-point order`);
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
    assertNoRepeats(walk.items.map((tenant) => tenant.id), "tenants.list during writes");
    assert.deepEqual(only(walk.items, mine, (tenant) => tenant.id), expected, "every tenant that existed for the whole walk appears once, in order");
    const seen = walk.items.map((tenant) => tenant.id).filter((id) => mine.has(id) || added.includes(id));
    assert.deepEqual(seen, byCodePoint(seen), "the walk follows code-point order throughout");
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
    assert.equal(await workflows.getDefinition(missing, "1"), null, "getDefinition of an absent definition");
    assert.deepEqual(await workflows.listDefinitions(missing), [], "listDefinitions of an absent id");
    assert.equal(await workflows.getRun(missing), null, "getRun of an absent run");
    assert.equal(await workflows.getStep(missing, "step"), null, "getStep of an absent run");
    assert.deepEqual(await workflows.listSteps(missing), [], "listSteps of an absent run");
    assert.deepEqual(await workflows.readEvents(missing), [], "readEvents of an absent run");
    assert.equal(await workflows.latestSequence(missing), 0, "latestSequence of an absent run");
    assert.equal(await workflows.latestSnapshot(missing), null, "latestSnapshot of an absent run");
    assert.equal(await workflows.deleteRun(missing), false, "deleteRun of an absent run");
    const run = await newRun(ctx);
    assert.equal(await workflows.getStep(run.id, "absent-step"), null, "getStep of an absent step of an existing run");
    assert.equal(await workflows.latestSnapshot(run.id), null, "latestSnapshot of a run without snapshots");
    assert.equal(await workflows.getDefinition(run.workflowId, "2"), null, "getDefinition of an absent version");
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
    assert.equal(await state.get(missing), null, "get of an absent key");
    assert.equal(await state.exists(missing), false, "exists of an absent key");
    assert.equal(await state.delete(missing), false, "delete of an absent key");
    assert.equal(await state.loadSnapshot(missing), null, "loadSnapshot of an absent execution");
    assert.equal(await state.deleteSnapshot(missing), false, "deleteSnapshot of an absent execution");
    assert.equal(await state.deleteExecutionState(missing), 0, "deleteExecutionState of an execution without state");
  },
});

const engineReadsNull = defineCheck({
  id: "C6.engine-reads-null",
  rule: "C6",
  title: "getTask of an absent task returns null",
  requires: ["leases"],
  kind: "example",
  async run(ctx) {
    assert.equal(await ctx.backend.engine.getTask(ctx.unique("missing-task")), null, "getTask of an absent task");
  },
});

const tenantReadsNull = defineCheck({
  id: "C6.tenant-reads-null",
  rule: "C6",
  title: "tenants.get of an absent tenant returns null",
  requires: ["tenancy"],
  kind: "example",
  async run(ctx) {
    assert.equal(await ctx.backend.tenants.get(ctx.unique("missing-tenant")), null, "tenants.get of an absent tenant");
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
    assert.equal(await tokens.validate(`mrt_${ctx.unique("unknown")}`), null, "validate of an unknown token");
    assert.equal(await tokens.revoke(ctx.unique("missing-token")), false, "revoke of an unknown token id");
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
    await expectError(workflows.setRunStatus(missing, "running"), "NOT_FOUND", "setRunStatus of an absent run");
    await expectError(workflows.setContext(missing, { a: 1 }), "NOT_FOUND", "setContext of an absent run");
    await expectError(workflows.appendToContext(missing, "list", 1), "NOT_FOUND", "appendToContext of an absent run");
    await expectError(workflows.upsertStep(missing, { id: "s", status: "pending" }), "NOT_FOUND", "upsertStep of an absent run");
    assert.equal(await workflows.getRun(missing), null, "a rejected write must not create the run");
    assert.deepEqual(await workflows.listSteps(missing), [], "a rejected upsertStep must write no step");
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
    await expectError(workflows.appendEvents(missing, [{ type: "e" }]), "NOT_FOUND", "appendEvents of an absent run");
    await expectError(workflows.writeSnapshot(missing, { atSequence: 0, state: null }), "NOT_FOUND", "writeSnapshot of an absent run");
    await expectError(workflows.commit(missing, { events: [{ type: "e" }] }), "NOT_FOUND", "commit of an absent run");
    await expectError(workflows.commit(missing, {}), "NOT_FOUND", "an empty commit of an absent run");
    assert.equal(await workflows.latestSequence(missing), 0, "rejected writes must leave no event");
    assert.equal(await workflows.getRun(missing), null, "rejected writes must not create the run");
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
    const forged = { taskId: missing, queue: "q", payload: null, attempt: 1, epoch: 1, workerId: "w", expiresAt: ctx.clock.now() + 60_000 };
    await expectError(engine.cancel(missing), "NOT_FOUND", "cancel of an absent task");
    await expectError(engine.revokeLease(missing), "NOT_FOUND", "revokeLease of an absent task");
    await expectError(engine.renew(forged), "NOT_FOUND", "renew of a lease on an absent task");
    await expectError(engine.complete(forged), "NOT_FOUND", "complete of a lease on an absent task");
    await expectError(engine.fail(forged, { error: "x" }), "NOT_FOUND", "fail of a lease on an absent task");
    await expectError(engine.release(forged), "NOT_FOUND", "release of a lease on an absent task");
    assert.equal(await engine.getTask(missing), null, "rejected writes must not create the task");
  },
});

const deadLetterNotFound = defineCheck({
  id: "C6.dead-letter-not-found",
  rule: "C6",
  title: "retryDeadLetter of an absent task throws NOT_FOUND",
  requires: ["deadLetter"],
  kind: "example",
  async run(ctx) {
    await expectError(ctx.backend.engine.retryDeadLetter(ctx.unique("missing-task")), "NOT_FOUND", "retryDeadLetter of an absent task");
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
    await expectError(ctx.backend.tenants.update(missing, { name: "x" }), "NOT_FOUND", "tenants.update of an absent tenant");
    assert.equal(await ctx.backend.tenants.get(missing), null, "a rejected update must not create the tenant");
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
  listRunsPages,
  listRunsWhileWriting,
  listSnapshotsPages,
  listDeadLettersPages,
  tenantListPages,
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
