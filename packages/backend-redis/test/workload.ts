/**
 * A workload that runs every script of lua/ at least once, through the public API only, so that
 * tests can watch what each script touches (MONITOR) or check every key it leaves.
 */
import { type Backend, executionKey, type ManualClock } from "@mooring/core";
import { expect } from "vitest";

/** Runs every contract call that has a script behind it, in tenant `tenantId` (and its root). */
export async function exerciseEveryScript(root: Backend, clock: ManualClock, tenantId: string): Promise<void> {
  await root.tenants.create({ id: tenantId, name: "hostile {tenant}" });
  await root.tenants.update(tenantId, { name: "renamed" });
  const backend = root.forTenant(tenantId);
  const { workflows, state, engine, tokens } = backend;

  await workflows.putDefinition({ id: "def:{1}", version: "v*1", spec: { b: 1, a: [2] } });
  await workflows.listDefinitions("def:{1}");
  const { run } = await workflows.createRun({ id: "run:{1}\n", workflowId: "def:{1}", version: "v*1" });
  await workflows.setRunStatus(run.id, "running");
  await workflows.setContext(run.id, { k: [] });
  await workflows.appendToContext(run.id, "k", 1);
  await workflows.upsertStep(run.id, { id: "step|1", status: "running" });
  await workflows.listSteps(run.id);
  await workflows.appendEvents(run.id, [{ type: "started" }]);
  await workflows.writeSnapshot(run.id, { atSequence: 1, state: { n: 1 } });
  await workflows.latestSnapshot(run.id);
  await workflows.listRuns({ limit: 10 });
  // Version 2's workflow store (W12, W14, W15): event ids and claimed keys with hash-tag and glob characters.
  const { run: keyed } = await workflows.createRun(
    { id: "run:{2}*", workflowId: "def:{1}", version: "v*1" },
    { events: [{ type: "created", id: "evt:{1}" }], claimKeys: [{ key: "hook:{1}*", value: { url: "/h" }, untilTerminal: true }] },
  );
  await workflows.appendEvents(keyed.id, [{ type: "step", id: "evt:{2}" }]);
  expect((await workflows.getEvent(keyed.id, "evt:{2}"))?.sequence).toBe(2);
  expect(await workflows.lookupKey("hook:{1}*")).toEqual({ runId: keyed.id, value: { url: "/h" } });
  await workflows.commit(keyed.id, { claimKeys: [{ key: "hook:{2}" }], releaseKeys: ["hook:{1}*"] });
  await workflows.listRuns({ limit: 10, order: "desc", workflowId: "def:{1}" });
  await workflows.readEvents(keyed.id, { order: "desc", before: 3, limit: 1 });
  expect(await workflows.waitForEvents(keyed.id, { after: 1, timeoutMs: 1000 })).toBe(true);
  await workflows.deleteRun(keyed.id);

  await state.set("kv:{1}", new Uint8Array([0, 1, 255]), { ttlMs: 60_000 });
  await state.get("kv:{1}");
  await state.exists("kv:{1}");
  await state.setIfAbsent("kv:{2}", new Uint8Array([1]));
  await state.compareAndSet("kv:{2}", new Uint8Array([1]), new Uint8Array([2]));
  await state.delete("kv:{2}");
  await state.set(executionKey("exec}1", "a"), new Uint8Array([3]));
  await state.saveSnapshot({ executionId: "exec}1", sequence: 1, state: { s: 1 }, ttlMs: 60_000 });
  await state.loadSnapshot("exec}1");
  await state.listSnapshots({ limit: 10 });
  await state.saveSnapshot({ executionId: "exec}2", sequence: 1, state: {} });
  await state.deleteSnapshot("exec}2");
  expect(await state.deleteExecutionState("exec}1")).toBe(2);

  const queue = "queue:{1}*";
  const first = await engine.enqueue({ queue, payload: { n: 1 }, idempotencyKey: "idem:{1}", runId: run.id });
  const second = await engine.enqueue({ queue, payload: { n: 2 }, dependsOn: [first.id] });
  await engine.enqueue({ queue, payload: { n: 3 }, priority: 5, runAt: clock.now() + 1000 });
  expect(await engine.waitForWork([queue], { timeoutMs: 1000 })).toBe(true);
  const [lease] = await engine.claim({ workerId: "worker:{1}", queues: [queue], leaseMs: 10_000 });
  if (!lease) throw new Error("nothing claimed");
  const renewed = await engine.renew(lease, { progress: { percent: 10 } });
  await engine.progress(renewed, { message: "half" });
  await engine.appendFrame(renewed, { chunk: 1 });
  await engine.readFrames(lease.taskId, { after: 0, waitMs: 1000 });
  await engine.setSummary(renewed, { step: "half" });
  expect((await engine.getSummary(lease.taskId))?.summary).toEqual({ step: "half" });
  await workflows.commit(run.id, { lease: renewed, events: [{ type: "done" }], settle: { complete: { result: 1 } } });
  await engine.getTask(second.id);

  const [dependent] = await engine.claim({ workerId: "w", queues: [queue], leaseMs: 10_000 });
  if (!dependent) throw new Error("the dependent was not released");
  // E25: a waitpoint's token used before its task waits is buffered for that task alone.
  const waitpoint = await engine.createWaitpoint(dependent, { key: "wp:{1}*", expiresInMs: 60_000 });
  expect((await engine.signal({ token: waitpoint.token, payload: 2, idempotencyKey: "wp-idem" })).deliveredTo).toEqual([]);
  expect((await engine.listWaitpoints(dependent.taskId)).map((info) => info.state)).toEqual(["delivered"]);
  expect((await engine.rotateWaitpointSecret({ graceMs: 1000 })).previousKid).toBe(waitpoint.token.split(".")[1]);
  expect(await engine.suspend(dependent, { keys: ["sig:{1}"], timeoutAt: clock.now() + 60_000 })).toEqual({ suspended: true });
  await engine.signal({ key: "sig:{1}", payload: 1, idempotencyKey: "sig-idem" });
  const [resumed] = await engine.claim({ workerId: "w", queues: [queue], leaseMs: 1000 });
  if (!resumed) throw new Error("the resumed task was not claimed");
  await engine.release(resumed);
  const [again] = await engine.claim({ workerId: "w", queues: [queue], leaseMs: 1000 });
  if (!again) throw new Error("the released task was not claimed");
  await engine.fail(again, { error: "boom" });
  clock.advance(60_000);
  const [third] = await engine.claim({ workerId: "w", queues: [queue], leaseMs: 1000 });
  if (!third) throw new Error("nothing claimable after the backoff");
  await engine.moveToDeadLetter(third, "dead");
  const dead = await engine.listDeadLetters({ limit: 10 });
  const deadTask = dead.items[0];
  if (!deadTask) throw new Error("no dead letter");
  await engine.retryDeadLetter(deadTask.id, { resetAttempts: true });
  const [fourth] = await engine.claim({ workerId: "w", queues: [queue], leaseMs: 1000 });
  if (!fourth) throw new Error("the retried dead letter was not claimed");
  clock.advance(2000);
  await engine.reclaimExpired();
  await engine.revokeLease(fourth.taskId);
  await engine.cancel(fourth.taskId, "operator");
  await engine.setQueue(queue, { concurrency: 2, paused: false });
  await engine.queueStats(queue);
  await engine.complete(await claimOne(backend, queue));
  // E26's operator calls.
  const operated = await engine.enqueue({ queue, payload: { n: 4 } });
  await engine.changePriority(operated.id, 9);
  await engine.cancel(operated.id);
  await engine.replay(operated.id, { resetAttempts: true });
  expect((await engine.listTasks({ queue, order: "desc", limit: 1 })).items.map((task) => task.id)).toEqual([operated.id]);
  expect((await engine.listQueues({ limit: 10 })).items.map((stats) => stats.queue)).toContain(queue);

  const { token, info } = await tokens.create({ name: "ci", role: "admin" });
  expect(await tokens.validate(token)).not.toBeNull();
  await tokens.list();
  await tokens.revoke(info.id);
  await workflows.deleteRun(run.id);
}

async function claimOne(backend: Backend, queue: string) {
  const [lease] = await backend.engine.claim({ workerId: "w", queues: [queue], leaseMs: 1000 });
  if (!lease) throw new Error("nothing to claim");
  return lease;
}
