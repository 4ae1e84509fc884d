/**
 * Namespaces are walls too (SPEC T1, and the factory's `namespace` option): two backends on one
 * store under different namespaces are independent deployments, so the same key, run id, queue and
 * task name in both are different things, and no write, read, claim or sweep in one reaches the
 * other. One check per facet, each needing only that facet's capabilities, so that a partial
 * adapter is held to it too. A backend that ignored `namespace` passes every other check (each
 * check works under its own fresh names); these fail it with the word "namespace" in the message.
 */
import type { Backend } from "@mooring/core";
import { type Check, type CheckContext, defineCheck } from "../../registry.js";
import { claimNothing, claimOne, enqueueTask, same, sameBytes, sameData, utf8 } from "../support/index.js";

/** The check's backend and one on a second fresh namespace of the same store. */
async function twoNamespaces(ctx: CheckContext): Promise<{ a: Backend; b: Backend; where: string }> {
  const b = await ctx.openNamespace();
  return { a: ctx.backend, b, where: "two namespaces on one store must not share data" };
}

const kvApart = defineCheck({
  id: "T1.namespaces-apart.kv",
  rule: "T1",
  title: "the same key and cached snapshot in two namespaces of one store are independent: set, get, exists, delete and snapshots never cross",
  requires: ["kv"],
  kind: "example",
  async run(ctx) {
    const { a, b, where } = await twoNamespaces(ctx);
    const key = ctx.unique("key");
    await a.state.set(key, utf8("a"));
    same(await b.state.get(key), null, `get(key) in namespace B after set(key) in namespace A (${where})`);
    same(await b.state.exists(key), false, `exists(key) in namespace B after set(key) in namespace A (${where})`);
    await b.state.set(key, utf8("b"));
    sameBytes(await a.state.get(key), utf8("a"), `get(key) in namespace A after set(key) in namespace B (${where})`);
    same(await b.state.delete(key), true, `delete(key) in namespace B`);
    sameBytes(await a.state.get(key), utf8("a"), `get(key) in namespace A after delete(key) in namespace B (${where})`);

    const executionId = ctx.unique("execution");
    await a.state.saveSnapshot({ executionId, sequence: 1, state: "a" });
    same(await b.state.loadSnapshot(executionId), null, `loadSnapshot in namespace B after saveSnapshot in namespace A (${where})`);
    same((await b.state.listSnapshots({ limit: 100 })).items, [], `listSnapshots in namespace B after saveSnapshot in namespace A (${where})`);
    same(await b.state.deleteSnapshot(executionId), false, `deleteSnapshot in namespace B of namespace A's snapshot (${where})`);
    same((await a.state.loadSnapshot(executionId))?.state, "a", `loadSnapshot in namespace A after deleteSnapshot in namespace B (${where})`);
  },
});

const runsApart = defineCheck({
  id: "T1.namespaces-apart.runs",
  rule: "T1",
  title: "the same run id in two namespaces of one store names two runs: creation, events, listing and deletion never cross",
  requires: ["runs", "events"],
  kind: "example",
  async run(ctx) {
    const { a, b, where } = await twoNamespaces(ctx);
    const runId = ctx.unique("run");
    same((await a.workflows.createRun({ id: runId, workflowId: "w", version: "1", input: "a" })).created, true, "createRun in namespace A");
    same(await b.workflows.getRun(runId), null, `getRun in namespace B of a run created in namespace A (${where})`);
    same((await b.workflows.listRuns({ limit: 100 })).items.length, 0, `listRuns in namespace B after createRun in namespace A (${where})`);
    same((await b.workflows.createRun({ id: runId, workflowId: "w", version: "1", input: "b" })).created, true, `createRun in namespace B of the id namespace A holds (${where})`);
    await a.workflows.appendEvents(runId, [{ type: "a-1" }, { type: "a-2" }]);
    same(await b.workflows.latestSequence(runId), 0, `latestSequence in namespace B after appendEvents in namespace A (${where})`);
    const appended = await b.workflows.appendEvents(runId, [{ type: "b-1" }]);
    sameData(appended, [1], `the sequences appendEvents in namespace B assigned (${where})`);
    same(await b.workflows.deleteRun(runId), true, "deleteRun in namespace B");
    const run = await a.workflows.getRun(runId);
    sameData(run && [run.id, run.input], [runId, "a"], `getRun in namespace A after deleteRun in namespace B (${where})`);
    sameData((await a.workflows.readEvents(runId)).map((event) => [event.sequence, event.type]), [[1, "a-1"], [2, "a-2"]], `readEvents in namespace A after namespace B appended and deleted (${where})`);
  },
});

const tasksApart = defineCheck({
  id: "T1.namespaces-apart.tasks",
  rule: "T1",
  title: "the same queue in two namespaces of one store holds two sets of tasks: claims, reads, idempotency keys and sweeps never cross",
  requires: ["leases", "reclaim", "idempotency"],
  kind: "example",
  async run(ctx) {
    const { a, b, where } = await twoNamespaces(ctx);
    const queue = ctx.unique("queue");
    const taskId = await enqueueTask(a.engine, { queue, payload: "a", idempotencyKey: "same-key" }, "enqueue in namespace A");
    await claimNothing(b.engine, queue, `claim in namespace B of a queue only namespace A has tasks in (${where})`);
    same(await b.engine.getTask(taskId), null, `getTask in namespace B of namespace A's task (${where})`);
    const other = await b.engine.enqueue({ queue, payload: "b", idempotencyKey: "same-key" });
    same(other.created, true, `enqueue in namespace B with the idempotency key namespace A used (${where})`);
    const lease = await claimOne(a.engine, queue, {}, "claim in namespace A");
    same(lease.taskId, taskId, `the task a claim in namespace A was granted (${where})`);
    ctx.clock.advance(lease.expiresAt - ctx.clock.now());
    const swept = await b.engine.reclaimExpired({ limit: 100 });
    sameData([...swept.retried, ...swept.deadLettered], [], `reclaimExpired in namespace B when only namespace A holds an expired lease (${where})`);
    const own = await a.engine.reclaimExpired({ limit: 100 });
    sameData([...own.retried, ...own.deadLettered], [taskId], `reclaimExpired in namespace A after a sweep in namespace B (${where})`);
  },
});

export const checks: Check[] = [kvApart, runsApart, tasksApart];
