/**
 * Unit tests of the reference model itself, for the rules where a model is easiest to get wrong:
 * the fence order, attempt counting, backoff, dependency cascades, signal modes, TTL and commit.
 */
import { DEFAULTS, executionKey, type Lease } from "@mooring/core";
import { describe, expect, it } from "vitest";
import { ReferenceModel, type TasksModel, canonicalText, jsonEqual, valueOf } from "../src/model/index.js";

const T0 = Date.UTC(2030, 0, 1);

function engine(): TasksModel {
  return new ReferenceModel().tenant("t").tasks;
}

function claimOne(tasks: TasksModel, now: number, leaseMs = 1000, queue = "q"): Lease {
  const [lease] = tasks.claim({ workerId: "w", queues: [queue], leaseMs }, now);
  if (!lease) throw new Error("nothing claimed");
  return lease;
}

describe("fence order (SPEC E5, docs/decisions.md)", () => {
  it("E5: unknown task is NOT_FOUND before anything else", () => {
    const tasks = engine();
    expect(tasks.complete({ ...fakeLease(), taskId: "nope" }, undefined, T0)).toEqual({ ok: false, code: "NOT_FOUND" });
  });

  it("E5: a lease that was never granted (epoch 0, or ahead) is INVALID_STATE", () => {
    const tasks = engine();
    const { id } = valueOf(tasks.enqueue({ queue: "q" }, T0));
    expect(tasks.complete({ ...fakeLease(), taskId: id, epoch: 0 }, undefined, T0)).toEqual({ ok: false, code: "INVALID_STATE" });
    const lease = claimOne(tasks, T0);
    expect(tasks.renew({ ...lease, epoch: 2 }, undefined, T0)).toEqual({ ok: false, code: "INVALID_STATE" });
    // Step 2 comes before step 3: once a lease was granted, epoch 0 is merely older.
    expect(tasks.renew({ ...lease, epoch: 0 }, undefined, T0)).toEqual({ ok: false, code: "STALE_LEASE" });
  });

  it("E5: a newer lease makes the old one STALE_LEASE, even when it is also revoked or expired", () => {
    const tasks = engine();
    valueOf(tasks.enqueue({ queue: "q" }, T0));
    const first = claimOne(tasks, T0);
    expect(valueOf(tasks.revokeLease(first.taskId, T0))).toBe(true);
    const second = claimOne(tasks, T0);
    expect(second.epoch).toBe(first.epoch + 1);
    expect(second.attempt).toBe(first.attempt);
    expect(tasks.complete(first, undefined, T0)).toEqual({ ok: false, code: "STALE_LEASE" });
    // The second lease expires and is reclaimed (retry after 1000 ms); a third lease makes it stale.
    expect(tasks.reclaimExpired(undefined, T0 + 1000)).toEqual({ retried: [second.taskId], deadLettered: [] });
    expect(tasks.fail(second, { error: "x" }, T0 + 1000)).toEqual({ ok: false, code: "LEASE_EXPIRED" });
    const third = claimOne(tasks, T0 + 2000);
    expect(third).toMatchObject({ epoch: 3, attempt: 2 });
    expect(tasks.fail(second, { error: "x" }, T0 + 2000)).toEqual({ ok: false, code: "STALE_LEASE" });
  });

  it("T4: the latest epoch with another lease's leaseId is STALE_LEASE in every state, the E7 repeat included", () => {
    const tasks = engine();
    valueOf(tasks.enqueue({ queue: "q" }, T0));
    const lease = claimOne(tasks, T0);
    const forged = { ...lease, leaseId: "forged" };
    expect(tasks.progress(forged, { percent: 1 }, T0)).toEqual({ ok: false, code: "STALE_LEASE" });
    // A guesser learns nothing of the task's state: expired, revoked or settled alike.
    expect(tasks.renew(forged, undefined, T0 + 1000)).toEqual({ ok: false, code: "STALE_LEASE" });
    expect(valueOf(tasks.renew(lease, undefined, T0)).leaseId).toBe(lease.leaseId);
    expect(tasks.complete(lease, undefined, T0).ok).toBe(true);
    expect(tasks.complete(forged, undefined, T0)).toEqual({ ok: false, code: "STALE_LEASE" });
    expect(tasks.complete(lease, undefined, T0).ok).toBe(true);
    expect(tasks.getTask(lease.taskId, T0)?.state).toBe("completed");
  });

  it("E5: revoked beats expired, expired beats not-leased", () => {
    const tasks = engine();
    const { id } = valueOf(tasks.enqueue({ queue: "q" }, T0));
    const lease = claimOne(tasks, T0);
    // Expired but not reclaimed yet: LEASE_EXPIRED exactly at expiresAt.
    expect(tasks.renew(lease, undefined, T0 + 999).ok).toBe(true);
    expect(tasks.renew(lease, undefined, T0 + 999 + 1000)).toEqual({ ok: false, code: "LEASE_EXPIRED" });
    // Revoking the expired lease makes every later call of its holder LEASE_REVOKED.
    expect(valueOf(tasks.revokeLease(id, T0 + 3000))).toBe(true);
    expect(tasks.complete(lease, undefined, T0 + 3000)).toEqual({ ok: false, code: "LEASE_REVOKED" });
    expect(tasks.getTask(id, T0 + 3000)).toMatchObject({ state: "ready", attempt: 1, epoch: 1, runAt: T0 + 3000 });
  });

  it("E5: a reclaimed lease stays LEASE_EXPIRED after the task moved on; cancel turns it LEASE_REVOKED", () => {
    const tasks = engine();
    const { id } = valueOf(tasks.enqueue({ queue: "q" }, T0));
    const lease = claimOne(tasks, T0);
    expect(tasks.reclaimExpired(undefined, T0 + 1000)).toEqual({ retried: [id], deadLettered: [] });
    expect(tasks.release(lease, undefined, T0 + 1000)).toEqual({ ok: false, code: "LEASE_EXPIRED" });
    expect(valueOf(tasks.cancel(id, "stop", T0 + 1000))).toBe(true);
    expect(tasks.release(lease, undefined, T0 + 1000)).toEqual({ ok: false, code: "LEASE_REVOKED" });
  });

  it("E5: a lease that ended normally is INVALID_STATE; E7: complete repeats idempotently", () => {
    const tasks = engine();
    valueOf(tasks.enqueue({ queue: "q" }, T0));
    const lease = claimOne(tasks, T0);
    expect(tasks.release(lease, undefined, T0).ok).toBe(true);
    expect(tasks.complete(lease, undefined, T0)).toEqual({ ok: false, code: "INVALID_STATE" });
    const next = claimOne(tasks, T0);
    expect(tasks.complete(next, { result: 1 }, T0).ok).toBe(true);
    expect(tasks.complete(next, { result: 2 }, T0 + 5000)).toEqual({ ok: true, value: undefined });
    expect(tasks.getTask(next.taskId, T0 + 5000)).toMatchObject({ state: "completed", result: 1 });
    expect(tasks.fail(next, { error: "late" }, T0)).toEqual({ ok: false, code: "INVALID_STATE" });
  });

  it("E5: a rejected holder call changes nothing", () => {
    const tasks = engine();
    const { id } = valueOf(tasks.enqueue({ queue: "q" }, T0));
    const lease = claimOne(tasks, T0);
    const before = tasks.getTask(id, T0 + 2000);
    expect(tasks.fail(lease, { error: "x" }, T0 + 2000)).toEqual({ ok: false, code: "LEASE_EXPIRED" });
    expect(tasks.getTask(id, T0 + 2000)).toEqual(before);
  });
});

describe("attempts and backoff (SPEC E8, E9, E10, docs/decisions.md)", () => {
  it("E8: fail retries at now + backoffDelay until attempt = maxAttempts, then dead-letters", () => {
    const tasks = engine();
    const { id } = valueOf(tasks.enqueue({ queue: "q", maxAttempts: 3, backoff: { baseMs: 100, factor: 3, maxMs: 250 } }, T0));
    let now = T0;
    const lease1 = claimOne(tasks, now);
    expect(lease1.attempt).toBe(1);
    expect(valueOf(tasks.fail(lease1, { error: "e1" }, now))).toEqual({ outcome: "retry", runAt: now + 100 });
    expect(tasks.getTask(id, now)).toMatchObject({ state: "scheduled", attempt: 1, lastError: "e1" });
    expect(tasks.claim({ workerId: "w", queues: ["q"], leaseMs: 1000 }, now + 99)).toEqual([]);
    now += 100;
    const lease2 = claimOne(tasks, now);
    expect(lease2).toMatchObject({ attempt: 2, epoch: 2 });
    // 100 · 3 = 300, capped at maxMs 250.
    expect(valueOf(tasks.fail(lease2, { error: "e2" }, now))).toEqual({ outcome: "retry", runAt: now + 250 });
    now += 250;
    const lease3 = claimOne(tasks, now);
    expect(lease3.attempt).toBe(3);
    expect(valueOf(tasks.fail(lease3, { error: "e3" }, now))).toEqual({ outcome: "dead" });
    expect(tasks.listDeadLetters(undefined, now).map((task) => task.id)).toEqual([id]);
  });

  it("E8: retryable false dead-letters at once", () => {
    const tasks = engine();
    valueOf(tasks.enqueue({ queue: "q" }, T0));
    const lease = claimOne(tasks, T0);
    expect(valueOf(tasks.fail(lease, { error: "fatal", retryable: false }, T0))).toEqual({ outcome: "dead" });
  });

  it("E9, E13, E14: release, revoke and suspend keep the attempt; expiry consumes it", () => {
    const tasks = engine();
    const { id } = valueOf(tasks.enqueue({ queue: "q", maxAttempts: 2 }, T0));
    const a = claimOne(tasks, T0);
    valueOf(tasks.release(a, { runAt: T0 + 10 }, T0));
    expect(tasks.getTask(id, T0)).toMatchObject({ state: "scheduled", runAt: T0 + 10 });
    const b = claimOne(tasks, T0 + 10);
    expect(b).toMatchObject({ attempt: 1, epoch: 2 });
    valueOf(tasks.revokeLease(id, T0 + 10));
    const c = claimOne(tasks, T0 + 10);
    expect(c).toMatchObject({ attempt: 1, epoch: 3 });
    expect(valueOf(tasks.suspend(c, { keys: ["k"], timeoutAt: T0 + 20 }, T0 + 10))).toEqual({ suspended: true });
    const d = claimOne(tasks, T0 + 20);
    expect(d).toMatchObject({ attempt: 1, epoch: 4, timedOut: true, signals: [] });
    // The lease expires: claim reclaims it lazily, consuming attempt 1 (retry after 1000 ms).
    expect(tasks.claim({ workerId: "w", queues: ["q"], leaseMs: 1000 }, T0 + 1020)).toEqual([]);
    expect(tasks.getTask(id, T0 + 1020)).toMatchObject({ state: "scheduled", attempt: 1, lastError: DEFAULTS.leaseExpiredError, runAt: T0 + 2020 });
    const e = claimOne(tasks, T0 + 2020);
    expect(e).toMatchObject({ attempt: 2, epoch: 5 });
    // Expiry of the last attempt dead-letters it.
    expect(tasks.reclaimExpired(undefined, T0 + 3020)).toEqual({ retried: [], deadLettered: [id] });
  });

  it("E12: retryDeadLetter grants one more attempt, or restarts counting with resetAttempts", () => {
    const tasks = engine();
    const { id } = valueOf(tasks.enqueue({ queue: "q", maxAttempts: 1 }, T0));
    valueOf(tasks.fail(claimOne(tasks, T0), { error: "x" }, T0));
    expect(tasks.retryDeadLetter(id, undefined, T0)).toEqual({ ok: true, value: undefined });
    expect(tasks.retryDeadLetter(id, undefined, T0)).toEqual({ ok: false, code: "INVALID_STATE" });
    const second = claimOne(tasks, T0);
    expect(second.attempt).toBe(2);
    expect(valueOf(tasks.fail(second, { error: "y" }, T0))).toEqual({ outcome: "dead" });
    valueOf(tasks.retryDeadLetter(id, { resetAttempts: true }, T0));
    expect(claimOne(tasks, T0).attempt).toBe(1);
    expect(tasks.retryDeadLetter("task-99", undefined, T0)).toEqual({ ok: false, code: "NOT_FOUND" });
  });

  it("E10: claim-side reclaim only touches the claimed queues; reclaimExpired takes oldest expiry first", () => {
    const tasks = engine();
    const a = valueOf(tasks.enqueue({ queue: "a" }, T0)).id;
    const b = valueOf(tasks.enqueue({ queue: "b" }, T0)).id;
    claimOne(tasks, T0, 500, "a");
    claimOne(tasks, T0, 100, "b");
    tasks.claim({ workerId: "w", queues: ["a"], leaseMs: 10 }, T0 + 600);
    expect(tasks.getTask(a, T0 + 600)?.state).toBe("scheduled");
    expect(tasks.getTask(b, T0 + 600)?.state).toBe("leased");
    const c = valueOf(tasks.enqueue({ queue: "c" }, T0 + 600)).id;
    claimOne(tasks, T0 + 600, 10, "c");
    expect(tasks.reclaimExpired({ limit: 1 }, T0 + 700)).toEqual({ retried: [b], deadLettered: [] });
    expect(tasks.reclaimExpired(undefined, T0 + 700)).toEqual({ retried: [c], deadLettered: [] });
  });
});

describe("claim order and queue control (SPEC E3, E17)", () => {
  it("E3: priority, then ready time, then enqueue order; only due tasks", () => {
    const tasks = engine();
    const late = valueOf(tasks.enqueue({ queue: "q", runAt: T0 + 50 }, T0)).id;
    const low = valueOf(tasks.enqueue({ queue: "q", priority: -1 }, T0)).id;
    const first = valueOf(tasks.enqueue({ queue: "q" }, T0)).id;
    const high = valueOf(tasks.enqueue({ queue: "q", priority: 5, runAt: T0 + 10 }, T0)).id;
    const second = valueOf(tasks.enqueue({ queue: "q" }, T0)).id;
    const claimed = tasks.claim({ workerId: "w", queues: ["q"], leaseMs: 1000, limit: 10 }, T0 + 20).map((l) => l.taskId);
    expect(claimed).toEqual([high, first, second, low]);
    expect(tasks.getTask(late, T0 + 20)?.state).toBe("scheduled");
  });

  it("E17: concurrency counts unexpired leases; a paused queue grants nothing", () => {
    const tasks = engine();
    for (let i = 0; i < 3; i++) valueOf(tasks.enqueue({ queue: "q" }, T0));
    expect(tasks.setQueue("q", { concurrency: 2 })).toEqual({ queue: "q", concurrency: 2, paused: false });
    expect(tasks.claim({ workerId: "w", queues: ["q"], leaseMs: 100, limit: 3 }, T0)).toHaveLength(2);
    expect(tasks.claim({ workerId: "w", queues: ["q"], leaseMs: 100, limit: 3 }, T0 + 99)).toHaveLength(0);
    expect(tasks.setQueue("q", { paused: true })).toEqual({ queue: "q", concurrency: 2, paused: true });
    expect(tasks.claim({ workerId: "w", queues: ["q"], leaseMs: 100, limit: 3 }, T0 + 100)).toHaveLength(0);
    const stats = tasks.queueStats("q", T0 + 100);
    expect(stats.counts).toMatchObject({ ready: 1, scheduled: 2, leased: 0 });
    expect(stats.oldestReadyAgeMs).toBe(100);
    expect(tasks.setQueue("q", { paused: false, concurrency: null })).toEqual({ queue: "q", concurrency: null, paused: false });
  });

  it("E2: idempotency keys dedupe per queue for dedupTtlMs", () => {
    const tasks = engine();
    const first = valueOf(tasks.enqueue({ queue: "q", idempotencyKey: "k" }, T0));
    expect(valueOf(tasks.enqueue({ queue: "q", idempotencyKey: "k" }, T0 + 1))).toEqual({ id: first.id, created: false });
    expect(valueOf(tasks.enqueue({ queue: "other", idempotencyKey: "k" }, T0 + 1)).created).toBe(true);
    expect(valueOf(tasks.enqueue({ queue: "q", idempotencyKey: "k" }, T0 + DEFAULTS.dedupTtlMs)).created).toBe(true);
    const batch = valueOf(tasks.enqueueMany([{ queue: "b", idempotencyKey: "x" }, { queue: "b", idempotencyKey: "x" }], T0));
    expect(batch[1]).toEqual({ id: batch[0]?.id, created: false });
  });

  it("E1: enqueueMany is all or nothing", () => {
    const tasks = engine();
    expect(tasks.enqueueMany([{ queue: "q" }, { queue: "q", dependsOn: ["missing"] }], T0)).toEqual({ ok: false, code: "NOT_FOUND" });
    expect(tasks.taskIds()).toEqual([]);
  });
});

describe("dependencies (SPEC E16)", () => {
  it("E16: blocked until every dependency completes; ready no earlier than its runAt", () => {
    const tasks = engine();
    const a = valueOf(tasks.enqueue({ queue: "q", priority: 1 }, T0)).id;
    const b = valueOf(tasks.enqueue({ queue: "q", priority: 1 }, T0)).id;
    const c = valueOf(tasks.enqueue({ queue: "q", dependsOn: [a, b, a], runAt: T0 + 500 }, T0)).id;
    expect(tasks.getTask(c, T0)).toMatchObject({ state: "blocked", pendingDependencies: [a, b] });
    valueOf(tasks.complete(claimOne(tasks, T0), undefined, T0));
    expect(tasks.getTask(c, T0)).toMatchObject({ state: "blocked", pendingDependencies: [b] });
    valueOf(tasks.complete(claimOne(tasks, T0 + 100), undefined, T0 + 100));
    expect(tasks.getTask(c, T0 + 100)).toMatchObject({ state: "scheduled", pendingDependencies: [], runAt: T0 + 500 });
    const d = valueOf(tasks.enqueue({ queue: "q", dependsOn: [a] }, T0 + 100)).id;
    expect(tasks.getTask(d, T0 + 100)?.state).toBe("ready");
  });

  it("E16: a dead or cancelled dependency cancels dependents transitively, even at enqueue", () => {
    const tasks = engine();
    const a = valueOf(tasks.enqueue({ queue: "q", maxAttempts: 1 }, T0)).id;
    const b = valueOf(tasks.enqueue({ queue: "q", dependsOn: [a] }, T0)).id;
    const c = valueOf(tasks.enqueue({ queue: "q", dependsOn: [b] }, T0)).id;
    const other = valueOf(tasks.enqueue({ queue: "q" }, T0)).id;
    const d = valueOf(tasks.enqueue({ queue: "q", dependsOn: [other, c] }, T0)).id;
    valueOf(tasks.fail(claimOne(tasks, T0), { error: "boom" }, T0));
    for (const id of [b, c, d]) expect(tasks.getTask(id, T0)).toMatchObject({ state: "cancelled", cancelReason: "dependency_failed" });
    expect(tasks.getTask(other, T0)?.state).toBe("ready");
    const late = valueOf(tasks.enqueue({ queue: "q", dependsOn: [c] }, T0)).id;
    expect(tasks.getTask(late, T0)).toMatchObject({ state: "cancelled", cancelReason: "dependency_failed" });
    expect(tasks.enqueue({ queue: "q", dependsOn: ["task-404"] }, T0)).toEqual({ ok: false, code: "NOT_FOUND" });
    expect(valueOf(tasks.cancel(b, undefined, T0))).toBe(false);
  });
});

describe("signals (SPEC E14, E15)", () => {
  it("E14: mode any resumes on one key; the next lease carries the signals and a new epoch", () => {
    const tasks = engine();
    const { id } = valueOf(tasks.enqueue({ queue: "q" }, T0));
    const lease = claimOne(tasks, T0);
    expect(valueOf(tasks.suspend(lease, { keys: ["a", "b"] }, T0))).toEqual({ suspended: true });
    expect(tasks.getTask(id, T0)?.state).toBe("suspended");
    expect(tasks.complete(lease, undefined, T0)).toEqual({ ok: false, code: "INVALID_STATE" });
    const sent = tasks.signal({ key: "b", payload: 7 }, T0 + 5);
    expect(sent).toEqual({ signalId: "signal-1", duplicate: false, deliveredTo: [id] });
    expect(tasks.getTask(id, T0 + 5)).toMatchObject({ state: "ready", runAt: T0 + 5 });
    const resumed = claimOne(tasks, T0 + 5);
    expect(resumed).toMatchObject({ attempt: 1, epoch: 2, signals: [{ signalId: "signal-1", key: "b", payload: 7, createdAt: T0 + 5 }] });
    expect(resumed.timedOut).toBeUndefined();
  });

  it("E14: mode all waits for every key; buffered signals count; satisfied at suspend keeps the lease", () => {
    const tasks = engine();
    valueOf(tasks.enqueue({ queue: "q" }, T0));
    tasks.signal({ key: "a" }, T0);
    const lease = claimOne(tasks, T0);
    expect(valueOf(tasks.suspend(lease, { keys: ["a", "b"], mode: "all" }, T0))).toEqual({ suspended: true });
    tasks.signal({ key: "a", payload: 2 }, T0 + 1);
    expect(tasks.getTask(lease.taskId, T0 + 1)?.state).toBe("suspended");
    tasks.signal({ key: "b" }, T0 + 2);
    const resumed = claimOne(tasks, T0 + 2);
    expect(resumed.signals?.map((s) => [s.key, s.signalId])).toEqual([
      ["a", "signal-1"],
      ["a", "signal-2"],
      ["b", "signal-3"],
    ]);
    // Buffered signals that already satisfy the suspension are returned; the lease stays valid.
    tasks.signal({ key: "c", payload: "x" }, T0 + 3);
    const result = valueOf(tasks.suspend(resumed, { keys: ["c"] }, T0 + 3));
    expect(result).toEqual({ suspended: false, signals: [{ signalId: "signal-4", key: "c", payload: "x", createdAt: T0 + 3 }] });
    expect(tasks.complete(resumed, undefined, T0 + 3).ok).toBe(true);
  });

  it("E14: timeout resumes with timedOut and the partial signals; later signals are buffered", () => {
    const tasks = engine();
    const { id } = valueOf(tasks.enqueue({ queue: "q" }, T0));
    valueOf(tasks.suspend(claimOne(tasks, T0), { keys: ["a", "b"], mode: "all", timeoutAt: T0 + 100 }, T0));
    expect(tasks.signal({ key: "a" }, T0 + 50).deliveredTo).toEqual([id]);
    expect(tasks.getTask(id, T0 + 100)).toMatchObject({ state: "ready", runAt: T0 + 100 });
    expect(tasks.signal({ key: "b" }, T0 + 150).deliveredTo).toEqual([]);
    const resumed = claimOne(tasks, T0 + 150);
    expect(resumed).toMatchObject({ timedOut: true, signals: [{ key: "a" }] });
  });

  it("E14: every lease until the next suspension carries the resumption, so a dead worker loses no signal", () => {
    const tasks = engine();
    valueOf(tasks.enqueue({ queue: "q" }, T0));
    valueOf(tasks.suspend(claimOne(tasks, T0), { keys: ["k"] }, T0));
    tasks.signal({ key: "k", payload: 1 }, T0);
    const resumed = claimOne(tasks, T0, 100);
    expect(resumed.signals).toHaveLength(1);
    // The worker dies: the lease expires, a claim reclaims it (retry in 1000 ms); the retry still carries it.
    expect(tasks.claim({ workerId: "w", queues: ["q"], leaseMs: 100 }, T0 + 100)).toEqual([]);
    const retried = claimOne(tasks, T0 + 1100, 100);
    expect(retried).toMatchObject({ attempt: 2, epoch: 3, signals: [{ key: "k", payload: 1 }] });
    valueOf(tasks.release(retried, undefined, T0 + 1100));
    const again = claimOne(tasks, T0 + 1100);
    expect(again.signals).toHaveLength(1);
    // Suspending again starts a new wait: the old resumption is gone.
    valueOf(tasks.suspend(again, { keys: ["other"], timeoutAt: T0 + 1200 }, T0 + 1100));
    const timedOut = claimOne(tasks, T0 + 1200);
    expect(timedOut).toMatchObject({ timedOut: true, signals: [] });
  });

  it("E15: a signal goes to every waiter; idempotency keys dedupe; buffers expire", () => {
    const tasks = engine();
    const x = valueOf(tasks.enqueue({ queue: "q" }, T0)).id;
    const y = valueOf(tasks.enqueue({ queue: "q" }, T0)).id;
    const [lx, ly] = tasks.claim({ workerId: "w", queues: ["q"], leaseMs: 1000, limit: 2 }, T0);
    if (!lx || !ly) throw new Error("claim failed");
    valueOf(tasks.suspend(ly, { keys: ["k"] }, T0));
    valueOf(tasks.suspend(lx, { keys: ["k"] }, T0));
    const first = tasks.signal({ key: "k", idempotencyKey: "once" }, T0);
    expect(first.deliveredTo).toEqual([x, y]);
    expect(tasks.signal({ key: "k", idempotencyKey: "once" }, T0 + 1)).toEqual({ signalId: first.signalId, duplicate: true, deliveredTo: [] });
    tasks.signal({ key: "late" }, T0);
    const z = valueOf(tasks.enqueue({ queue: "z" }, T0)).id;
    const lz = claimOne(tasks, T0 + DEFAULTS.signalTtlMs, 1000, "z");
    expect(lz.taskId).toBe(z);
    expect(valueOf(tasks.suspend(lz, { keys: ["late"] }, T0 + DEFAULTS.signalTtlMs))).toEqual({ suspended: true });
  });
});

describe("workflow store and state store", () => {
  it("W3: the status graph: terminal CONFLICT, expected mismatch CONFLICT, other moves INVALID_STATE", () => {
    const runs = new ReferenceModel().tenant("t").runs;
    valueOf(runs.createRun({ id: "r", workflowId: "w", version: "1" }, undefined, T0));
    expect(runs.setRunStatus("r", "completed", undefined, T0)).toEqual({ ok: false, code: "INVALID_STATE" });
    expect(runs.setRunStatus("r", "running", { expected: "running" }, T0)).toEqual({ ok: false, code: "CONFLICT" });
    expect(valueOf(runs.setRunStatus("r", "running", { expected: "pending" }, T0 + 1))).toMatchObject({ status: "running", completedAt: null });
    expect(runs.setRunStatus("r", "running", undefined, T0)).toEqual({ ok: false, code: "INVALID_STATE" });
    expect(valueOf(runs.setRunStatus("r", "completed", undefined, T0 + 2))).toMatchObject({ completedAt: T0 + 2, updatedAt: T0 + 2 });
    expect(runs.setRunStatus("r", "failed", { expected: "pending" }, T0)).toEqual({ ok: false, code: "CONFLICT" });
    expect(runs.setRunStatus("x", "running", undefined, T0)).toEqual({ ok: false, code: "NOT_FOUND" });
  });

  it("W7, W8, W10: sequences, expectedSequence and snapshot bounds", () => {
    const runs = new ReferenceModel().tenant("t").runs;
    expect(runs.appendEvents("r", [{ type: "a" }], undefined, T0)).toEqual({ ok: false, code: "NOT_FOUND" });
    valueOf(runs.createRun({ id: "r", workflowId: "w", version: "1" }, undefined, T0));
    expect(valueOf(runs.appendEvents("r", [{ type: "a" }, { type: "b" }], undefined, T0))).toEqual([1, 2]);
    expect(runs.appendEvents("r", [{ type: "c" }], { expectedSequence: 1 }, T0)).toEqual({ ok: false, code: "SEQUENCE_CONFLICT" });
    expect(valueOf(runs.appendEvents("r", [{ type: "c" }], { expectedSequence: 2 }, T0))).toEqual([3]);
    expect(runs.writeSnapshot("r", { atSequence: 4, state: null }, T0)).toEqual({ ok: false, code: "INVALID_STATE" });
    valueOf(runs.writeSnapshot("r", { atSequence: 3, state: "s3" }, T0));
    valueOf(runs.writeSnapshot("r", { atSequence: 1, state: "s1" }, T0));
    expect(runs.latestSnapshot("r")?.state).toBe("s3");
    expect(runs.readEvents("r", { after: 1, limit: 1 }).map((e) => e.type)).toEqual(["b"]);
    // Replace keeps nothing of the old run.
    valueOf(runs.createRun({ id: "r", workflowId: "w", version: "2" }, { ifExists: "replace" }, T0 + 1));
    expect(runs.latestSequence("r")).toBe(0);
    expect(runs.latestSnapshot("r")).toBeNull();
  });

  it("W11: commit checks everything before writing anything, and settles the leased task", () => {
    const tenant = new ReferenceModel().tenant("t");
    valueOf(tenant.runs.createRun({ id: "r", workflowId: "w", version: "1" }, undefined, T0));
    valueOf(tenant.tasks.enqueue({ queue: "q", runId: "r" }, T0));
    const lease = claimOne(tenant.tasks, T0);
    const bad = tenant.commit("r", { lease, events: [{ type: "x" }], status: "completed" }, T0);
    expect(bad).toEqual({ ok: false, code: "INVALID_STATE" });
    expect(tenant.runs.latestSequence("r")).toBe(0);
    valueOf(tenant.runs.setRunStatus("r", "running", undefined, T0));
    const good = valueOf(
      tenant.commit("r", { lease, events: [{ type: "x" }, { type: "y" }], snapshot: { state: "s" }, status: "completed", settle: { complete: { result: 1 } } }, T0),
    );
    expect(good).toMatchObject({ sequences: [1, 2], latestSequence: 2, run: { status: "completed" } });
    expect(tenant.runs.latestSnapshot("r")?.atSequence).toBe(2);
    expect(tenant.tasks.getTask(lease.taskId, T0)).toMatchObject({ state: "completed", result: 1 });
    expect(tenant.commit("r", { lease, events: [{ type: "z" }] }, T0)).toEqual({ ok: false, code: "INVALID_STATE" });
  });

  it("S2, S4: TTL is exact; deleteExecutionState removes only the execution's own entries", () => {
    const cache = new ReferenceModel().tenant("t").cache;
    cache.set("k", new Uint8Array([1]), { ttlMs: 10 }, T0);
    expect(cache.get("k", T0 + 9)).toEqual(new Uint8Array([1]));
    expect(cache.get("k", T0 + 10)).toBeNull();
    expect(cache.setIfAbsent("k", new Uint8Array([2]), undefined, T0 + 10)).toBe(true);
    expect(cache.compareAndSet("k", null, new Uint8Array([3]), undefined, T0 + 10)).toBe(false);
    expect(cache.compareAndSet("k", new Uint8Array([2]), new Uint8Array([3]), { ttlMs: 5 }, T0 + 10)).toBe(true);
    expect(cache.exists("k", T0 + 15)).toBe(false);
    cache.set(executionKey("e", "a"), new Uint8Array(), undefined, T0);
    cache.set(executionKey("e", "b"), new Uint8Array(), { ttlMs: 1 }, T0);
    cache.set(executionKey("e2", "a"), new Uint8Array(), undefined, T0);
    cache.saveSnapshot({ executionId: "e", sequence: 1, state: null }, T0);
    expect(cache.deleteExecutionState("e", T0 + 5)).toBe(2);
    expect(cache.liveKeys(T0 + 5)).toEqual(["k", executionKey("e2", "a")]);
  });

  it("T1: tenants are independent worlds", () => {
    const model = new ReferenceModel();
    valueOf(model.tenant("a").tasks.enqueue({ queue: "q" }, T0));
    expect(model.tenant("b").tasks.claim({ workerId: "w", queues: ["q"], leaseMs: 10 }, T0)).toEqual([]);
    expect(model.tenant("b").tasks.getTask("task-1", T0)).toBeNull();
  });
});

function fakeLease(): Lease {
  return { taskId: "task-1", queue: "q", payload: null, attempt: 1, epoch: 1, leaseId: "task-1@1", workerId: "w", expiresAt: T0 };
}

describe("the model's JSON rules (W1 equality, W13 bytes)", () => {
  const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

  it("tells bytes from every string and object a caller could write in their place", () => {
    for (const lookAlike of ["bytes:0001", "bytes(0001)", { hex: "0001" }, [0, 1]]) {
      expect(jsonEqual(bytes(0, 1), lookAlike)).toBe(false);
      expect(canonicalText(bytes(0, 1))).not.toBe(canonicalText(lookAlike));
    }
  });

  it("equates the same bytes wherever they sit, and values whose members differ only in order", () => {
    expect(jsonEqual({ a: bytes(255), b: [1] }, { b: [1], a: bytes(255) })).toBe(true);
    expect(canonicalText({ a: bytes(255), b: [1] })).toBe(canonicalText({ b: [1], a: bytes(255) }));
    expect(jsonEqual(bytes(1), bytes(2))).toBe(false);
    expect(canonicalText(bytes())).not.toBe(canonicalText(""));
  });
});
