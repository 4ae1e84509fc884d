/**
 * Checks of the atomic transition `commit` (SPEC W11): every part or none, fenced by a lease
 * exactly like a holder call (E5), and a settlement that always agrees with what was written.
 */
import type { Backend, CommitInput, EventRecord, Lease, RunRecord, SnapshotRecord, StepRecord } from "@mooring/core";
import { backoffDelay, DEFAULTS } from "@mooring/core";
import { type Check, type CheckContext, defineCheck } from "../../registry.js";
import { connectClients, ensure, ensureOneWinner, forgedLease as neverGrantedLease, leaseNewTask, newRun, rejectsWith, same } from "../support/index.js";

/** Everything a commit can write to a run, to compare before and after a rejected commit. */
interface RunState {
  readonly run: RunRecord | null;
  readonly events: EventRecord[];
  readonly steps: StepRecord[];
  readonly snapshot: SnapshotRecord | null;
}

async function captureRun(backend: Backend, runId: string): Promise<RunState> {
  const { workflows } = backend;
  return {
    run: await workflows.getRun(runId),
    events: await workflows.readEvents(runId),
    steps: await workflows.listSteps(runId),
    snapshot: await workflows.latestSnapshot(runId),
  };
}

/** A commit with every part, so that a rejected one shows whether any part leaked. */
function everyPart(status: CommitInput["status"]): CommitInput {
  return {
    events: [{ type: "leaked.1" }, { type: "leaked.2", payload: { big: "x".repeat(100) } }],
    snapshot: { state: { leaked: true } },
    context: { leaked: true },
    steps: [{ id: "leaked-step", status: "completed", output: "leaked" }],
    ...(status === undefined ? {} : { status }),
  };
}

/** A running run with one event, one step, a context and a snapshot. */
async function busyRun(ctx: CheckContext): Promise<RunRecord> {
  const { workflows } = ctx.backend;
  const run = await newRun(ctx, { context: { original: true } });
  await workflows.setRunStatus(run.id, "running");
  await workflows.appendEvents(run.id, [{ type: "started" }]);
  await workflows.upsertStep(run.id, { id: "original-step", status: "running" });
  await workflows.writeSnapshot(run.id, { atSequence: 1, state: { original: true } });
  ctx.clock.advance(1000);
  return run;
}

async function assertUnchanged(backend: Backend, before: RunState, what: string): Promise<void> {
  same(await captureRun(backend, before.run?.id ?? ""), before, `${what}: a rejected commit must write none of its parts`);
}

const allParts = defineCheck({
  id: "W11.all-parts",
  rule: "W11",
  title: "commit applies events, snapshot (default atSequence: the latest after its events), context, status and steps together",
  requires: ["runs", "events", "snapshots", "commit"],
  kind: "example",
  async run(ctx) {
    const { workflows } = ctx.backend;
    const run = await newRun(ctx, { context: { before: true } });
    const now = ctx.clock.advance(1000);
    const result = await workflows.commit(run.id, {
      events: [{ type: "a", payload: 1 }, { type: "b", payload: 2 }],
      snapshot: { state: { total: 3 } },
      context: { after: [1] },
      status: "running",
      steps: [
        { id: "s1", status: "completed", output: 1 },
        { id: "s2", status: "running" },
      ],
    });
    same(result.sequences, [1, 2], "result.sequences");
    same(result.latestSequence, 2, "result.latestSequence");
    same(result.failure, undefined, "no failure outcome without settle.fail");
    same(result.run, { ...run, status: "running", context: { after: [1] }, updatedAt: now }, "the returned run reflects the commit");
    same(await workflows.getRun(run.id), result.run, "workflows.getRun(run.id)");
    same((await workflows.readEvents(run.id)).map((event) => [event.sequence, event.type, event.payload]), [
      [1, "a", 1],
      [2, "b", 2],
    ], "workflows.readEvents(run.id).map((event) => [event.sequence, event.type, event.payload])");
    const snapshot = await workflows.latestSnapshot(run.id);
    same(snapshot?.atSequence, 2, "a snapshot without atSequence is at the latest sequence after the commit's events");
    same(snapshot?.state, { total: 3 }, "snapshot?.state");
    same((await workflows.listSteps(run.id)).map((step) => [step.id, step.status, step.position]), [
      ["s1", "completed", 0],
      ["s2", "running", 1],
    ], "workflows.listSteps(run.id).map((step) => [step.id, step.status, step.position])");

    const second = await workflows.commit(run.id, { expectedSequence: 2, events: [{ type: "c" }], snapshot: { atSequence: 1, state: { partial: true } }, steps: [{ id: "s2", status: "completed" }] });
    same(second.sequences, [3], "second.sequences");
    same(second.latestSequence, 3, "second.latestSequence");
    same((await workflows.latestSnapshot(run.id))?.atSequence, 2, "an explicit lower atSequence does not displace the highest snapshot");
    same((await workflows.getStep(run.id, "s2"))?.position, 1, "a step replaced by commit keeps its position");

    const empty = await workflows.commit(run.id, {});
    same(empty.sequences, [], "an empty commit appends nothing");
    same(empty.latestSequence, 3, "empty.latestSequence");
    same(empty.run.id, run.id, "empty.run.id");
    same(empty.run.status, "running", "empty.run.status");
  },
});

const noneOnFailure = defineCheck({
  id: "W11.none-on-failure",
  rule: "W11",
  title: "a commit rejected by expectedSequence, its status move or its snapshot writes none of its parts",
  requires: ["runs", "events", "snapshots", "commit"],
  kind: "example",
  async run(ctx) {
    const { workflows } = ctx.backend;
    const run = await busyRun(ctx);
    const before = await captureRun(ctx.backend, run.id);
    await rejectsWith(workflows.commit(run.id, { ...everyPart("suspended"), expectedSequence: 0 }), "SEQUENCE_CONFLICT", "commit with a stale expectedSequence");
    await assertUnchanged(ctx.backend, before, "stale expectedSequence");
    await rejectsWith(workflows.commit(run.id, everyPart("pending")), "INVALID_STATE", "commit moving running → pending");
    await assertUnchanged(ctx.backend, before, "forbidden status move");
    await rejectsWith(workflows.commit(run.id, { ...everyPart("suspended"), snapshot: { atSequence: 4, state: null } }), "INVALID_STATE", "commit with a snapshot beyond its events");
    await assertUnchanged(ctx.backend, before, "snapshot beyond the log");

    const terminal = await newRun(ctx);
    await workflows.setRunStatus(terminal.id, "cancelled");
    const terminalBefore = await captureRun(ctx.backend, terminal.id);
    await rejectsWith(workflows.commit(terminal.id, everyPart("running")), "CONFLICT", "commit changing the status of a terminal run");
    await assertUnchanged(ctx.backend, terminalBefore, "terminal run");
  },
});

const oneCommitWins = defineCheck({
  id: "W11.one-commit-wins",
  rule: "W11",
  title: "of k clients committing concurrently with the same expectedSequence, exactly one commit is applied, whole",
  requires: ["runs", "events", "snapshots", "commit"],
  kind: "race",
  async run(ctx) {
    const clients = await connectClients(ctx, 4);
    const run = await newRun(ctx);
    await ctx.backend.workflows.setRunStatus(run.id, "running");
    const outcomes = await Promise.allSettled(
      clients.map((client, writer) =>
        client.workflows.commit(run.id, {
          expectedSequence: 0,
          events: [{ type: `w${writer}.a` }, { type: `w${writer}.b` }],
          snapshot: { state: { writer } },
          context: { writer },
          steps: [{ id: `step-${writer}`, status: "completed" }],
        }),
      ),
    );
    const winner = await ensureOneWinner(outcomes, "SEQUENCE_CONFLICT", "commits with expectedSequence 0");
    const state = await captureRun(ctx.backend, run.id);
    same(state.events.map((event) => event.type), [`w${winner}.a`, `w${winner}.b`], "only the winner's events");
    same(state.snapshot?.state, { writer: winner }, "only the winner's snapshot");
    same(state.run?.context, { writer: winner }, "only the winner's context");
    same(state.steps.map((step) => step.id), [`step-${winner}`], "only the winner's steps");
  },
});

// ---------------------------------------------------------------------------------------------
// Fencing

const FENCED = ["runs", "events", "snapshots", "commit", "leases"] as const;
/** What a settling commit without a snapshot exercises. */
const SETTLED = ["runs", "events", "commit", "leases"] as const;

const staleLease = defineCheck({
  id: "W11.stale-lease",
  rule: "W11",
  title: "commit with a lease older than the task's latest is STALE_LEASE and writes nothing",
  requires: [...FENCED],
  kind: "example",
  async run(ctx) {
    const { workflows, engine } = ctx.backend;
    const run = await busyRun(ctx);
    const old = await leaseNewTask(ctx);
    same(await engine.revokeLease(old.taskId), true, "engine.revokeLease(old.taskId)");
    const [current] = await engine.claim({ workerId: ctx.unique("worker"), queues: [old.queue], leaseMs: 30_000 });
    ensure(current && current.taskId === old.taskId && current.epoch > old.epoch, "the task is leased again with a higher epoch");
    const before = await captureRun(ctx.backend, run.id);
    const task = await engine.getTask(old.taskId);
    await rejectsWith(workflows.commit(run.id, { ...everyPart("suspended"), lease: old }), "STALE_LEASE", "commit with the lease before the latest");
    await rejectsWith(workflows.commit(run.id, { ...everyPart("completed"), lease: old, settle: { complete: { result: "stale" } } }), "STALE_LEASE", "commit with a stale lease and settle");
    await assertUnchanged(ctx.backend, before, "stale lease");
    same(await engine.getTask(old.taskId), task, "a stale commit settles nothing");
    const applied = await workflows.commit(run.id, { ...everyPart("suspended"), lease: current });
    same(applied.sequences, [2, 3], "the current lease commits");
  },
});

const expiredLease = defineCheck({
  id: "W11.expired-lease",
  rule: "W11",
  title: "commit with an expired lease is LEASE_EXPIRED and writes nothing, before and after the expiry is reclaimed",
  requires: [...FENCED],
  kind: "example",
  async run(ctx) {
    const { workflows, engine } = ctx.backend;
    const run = await busyRun(ctx);
    const lease = await leaseNewTask(ctx, { leaseMs: 5_000 });
    const before = await captureRun(ctx.backend, run.id);
    ctx.clock.advance(5_000);
    await rejectsWith(workflows.commit(run.id, { ...everyPart("suspended"), lease }), "LEASE_EXPIRED", "commit at exactly expiresAt");
    await rejectsWith(workflows.commit(run.id, { ...everyPart("completed"), lease, settle: { complete: {} } }), "LEASE_EXPIRED", "commit with settle at expiresAt");
    same((await engine.getTask(lease.taskId))?.state, "leased", "an expired, unreclaimed task still reads leased");
    // A claim on the queue reclaims the expiry lazily (E10): the task is retried after backoff.
    same(await engine.claim({ workerId: ctx.unique("worker"), queues: [lease.queue], leaseMs: 5_000 }), [], "the reclaimed task waits for its backoff");
    await rejectsWith(workflows.commit(run.id, { ...everyPart("suspended"), lease }), "LEASE_EXPIRED", "commit with a lease reclaimed after expiry");
    await assertUnchanged(ctx.backend, before, "expired lease");
    const task = await engine.getTask(lease.taskId);
    same(task?.result, null, "an expired commit settles nothing");
  },
});

const revokedLease = defineCheck({
  id: "W11.revoked-lease",
  rule: "W11",
  title: "commit with a revoked lease, or the lease of a cancelled task, is LEASE_REVOKED and writes nothing",
  requires: [...FENCED],
  kind: "example",
  async run(ctx) {
    const { workflows, engine } = ctx.backend;
    const run = await busyRun(ctx);
    const before = await captureRun(ctx.backend, run.id);
    const revoked = await leaseNewTask(ctx);
    same(await engine.revokeLease(revoked.taskId), true, "engine.revokeLease(revoked.taskId)");
    await rejectsWith(workflows.commit(run.id, { ...everyPart("suspended"), lease: revoked }), "LEASE_REVOKED", "commit with a revoked lease");
    const cancelled = await leaseNewTask(ctx);
    same(await engine.cancel(cancelled.taskId, "operator"), true, "engine.cancel(cancelled.taskId, \"operator\")");
    await rejectsWith(
      workflows.commit(run.id, { ...everyPart("completed"), lease: cancelled, settle: { complete: { result: "late" } } }),
      "LEASE_REVOKED",
      "commit with the lease of a cancelled task",
    );
    await assertUnchanged(ctx.backend, before, "revoked lease");
    same((await engine.getTask(cancelled.taskId))?.state, "cancelled", "a rejected settle leaves the task cancelled");
    same((await engine.getTask(revoked.taskId))?.state, "ready", "a rejected commit leaves the revoked task ready");
  },
});

const forgedLease = defineCheck({
  id: "W11.forged-lease",
  rule: "W11",
  title: "commit with a lease never granted (epoch 0, a future epoch, an unknown task) or already settled writes nothing",
  requires: [...FENCED],
  kind: "example",
  async run(ctx) {
    const { workflows, engine } = ctx.backend;
    const run = await busyRun(ctx);
    const before = await captureRun(ctx.backend, run.id);
    const queue = ctx.unique("queue");
    const { id: neverClaimed } = await engine.enqueue({ queue });
    const forged: Lease = neverGrantedLease(neverClaimed, 0, ctx.clock.now() + 60_000, queue);
    await rejectsWith(workflows.commit(run.id, { ...everyPart("suspended"), lease: forged }), "INVALID_STATE", "commit with epoch 0 on a task never claimed");
    const lease = await leaseNewTask(ctx);
    await rejectsWith(workflows.commit(run.id, { ...everyPart("suspended"), lease: { ...lease, epoch: lease.epoch + 1 } }), "INVALID_STATE", "commit with an epoch never granted");
    await rejectsWith(workflows.commit(run.id, { ...everyPart("suspended"), lease: { ...lease, taskId: ctx.unique("missing-task") } }), "NOT_FOUND", "commit with the lease of an unknown task");
    await engine.complete(lease, { result: "done" });
    await rejectsWith(workflows.commit(run.id, { ...everyPart("suspended"), lease }), "INVALID_STATE", "commit with the lease of a completed task");
    await assertUnchanged(ctx.backend, before, "forged or settled lease");
    same((await engine.getTask(neverClaimed))?.state, "ready", "a forged commit does not touch the task");
  },
});

// ---------------------------------------------------------------------------------------------
// Settlement

const settleComplete = defineCheck({
  id: "W11.settle-complete",
  rule: "W11",
  title: "commit with settle.complete completes the leased task in the same transaction as the run's terminal event",
  requires: [...SETTLED],
  kind: "example",
  async run(ctx) {
    const { workflows, engine } = ctx.backend;
    const run = await newRun(ctx);
    await workflows.setRunStatus(run.id, "running");
    const lease = await leaseNewTask(ctx);
    const result = await workflows.commit(run.id, {
      lease,
      events: [{ type: "completed", payload: { ok: true } }],
      status: "completed",
      settle: { complete: { result: { ok: true } } },
    });
    same(result.run.status, "completed", "result.run.status");
    same(result.failure, undefined, "result.failure");
    const task = await engine.getTask(lease.taskId);
    same(task?.state, "completed", "the task is completed with the run");
    same(task?.result, { ok: true }, "the task's result is the settled one");
    same((await workflows.readEvents(run.id)).map((event) => event.type), ["completed"], "workflows.readEvents(run.id).map((event) => event.type)");
    await rejectsWith(workflows.commit(run.id, { lease, events: [{ type: "again" }] }), "INVALID_STATE", "a second commit with the settled lease");
    same(await workflows.latestSequence(run.id), 1, "workflows.latestSequence(run.id)");
  },
});

const settleFail = defineCheck({
  id: "W11.settle-fail",
  rule: "W11",
  title: "commit with settle.fail consumes the attempt like fail: retry with backoff while attempts remain, else dead",
  requires: [...SETTLED],
  kind: "example",
  async run(ctx) {
    const { workflows, engine } = ctx.backend;
    const run = await newRun(ctx);
    await workflows.setRunStatus(run.id, "running");
    const first = await leaseNewTask(ctx, { maxAttempts: 2 });
    const retry = await workflows.commit(run.id, { lease: first, events: [{ type: "attempt-failed" }], settle: { fail: { error: { message: "boom" } } } });
    same(retry.failure, { outcome: "retry", runAt: ctx.clock.now() + backoffDelay(DEFAULTS.backoff, 1) }, "a retryable failure with attempts left is retried after backoff");
    const retried = await engine.getTask(first.taskId);
    same(retried?.state, "scheduled", "retried?.state");
    same(retried?.lastError, { message: "boom" }, "retried?.lastError");
    ctx.clock.advance(backoffDelay(DEFAULTS.backoff, 1));
    const [second] = await engine.claim({ workerId: ctx.unique("worker"), queues: [first.queue], leaseMs: 30_000 });
    ensure(second, "the retry is claimable after its backoff");
    same(second.attempt, 2, "second.attempt");
    const dead = await workflows.commit(run.id, { lease: second, events: [{ type: "failed" }], status: "failed", settle: { fail: { error: "final" } } });
    same(dead.failure, { outcome: "dead" }, "the last attempt's failure dead-letters");
    same((await engine.getTask(first.taskId))?.state, "dead", "engine.getTask(first.taskId)?.state");
    same(dead.run.status, "failed", "dead.run.status");

    const fatal = await leaseNewTask(ctx, { maxAttempts: 5 });
    const fatalResult = await workflows.commit(run.id, { lease: fatal, settle: { fail: { error: "fatal", retryable: false } } });
    same(fatalResult.failure, { outcome: "dead" }, "a non-retryable failure dead-letters at once");
    same((await engine.getTask(fatal.taskId))?.state, "dead", "engine.getTask(fatal.taskId)?.state");
    same((await workflows.readEvents(run.id)).map((event) => event.type), ["attempt-failed", "failed"], "workflows.readEvents(run.id).map((event) => event.type)");
  },
});

const settleAgrees = defineCheck({
  id: "W11.settle-agrees",
  rule: "W11",
  title: "when a commit with settle is rejected, the task stays leased and unsettled: the run and the task never disagree",
  requires: [...FENCED],
  kind: "example",
  async run(ctx) {
    const { workflows, engine } = ctx.backend;
    const run = await newRun(ctx);
    const lease = await leaseNewTask(ctx);
    const before = await captureRun(ctx.backend, run.id);
    const task = await engine.getTask(lease.taskId);
    await rejectsWith(
      workflows.commit(run.id, { lease, events: [{ type: "completed" }], status: "completed", settle: { complete: { result: 1 } } }),
      "INVALID_STATE",
      "commit with settle.complete and a forbidden status move (pending → completed)",
    );
    await rejectsWith(
      workflows.commit(run.id, { lease, expectedSequence: 7, events: [{ type: "failed" }], settle: { fail: { error: "x" } } }),
      "SEQUENCE_CONFLICT",
      "commit with settle.fail and a stale expectedSequence",
    );
    await rejectsWith(
      workflows.commit(run.id, { lease, events: [{ type: "e" }], snapshot: { atSequence: 9, state: null }, settle: { complete: {} } }),
      "INVALID_STATE",
      "commit with settle.complete and a snapshot beyond the log",
    );
    await assertUnchanged(ctx.backend, before, "rejected settle");
    same(await engine.getTask(lease.taskId), task, "a rejected commit leaves the task leased, unsettled, attempt unconsumed");
    await rejectsWith(workflows.commit(run.id, { settle: { complete: {} } }), "VALIDATION", "settle without a lease");
    await engine.complete(lease, { result: "after" });
    same((await engine.getTask(lease.taskId))?.state, "completed", "the lease is still good after the rejected commits");
  },
});

export const checks: Check[] = [allParts, noneOnFailure, oneCommitWins, staleLease, expiredLease, revokedLease, forgedLease, settleComplete, settleFail, settleAgrees];
