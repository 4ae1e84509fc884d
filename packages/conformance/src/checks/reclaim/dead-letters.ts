/**
 * Dead letters (E12): listed in the order tasks died, filtered by queue and paginated without
 * repeats or skips; retried with one more attempt or from attempt 1; moved there by the holder.
 */
import type { EngineBackend, TaskRecord } from "@mooring/core";
import { type Check, defineCheck } from "../../registry.js";
import { advanceTo, claimNothing, claimOne, enqueueTask, ensure, expectTask, rejectsWith, same, show, succeeds } from "../support/index.js";

/** Enqueues a task with one attempt in `queue`, claims it and fails it: it is dead. */
async function killTask(engine: EngineBackend, queue: string, error: string): Promise<string> {
  const id = await enqueueTask(engine, { queue, maxAttempts: 1 });
  const lease = await claimOne(engine, queue, { taskId: id }, `claim of the task to kill (${error})`);
  same(await succeeds(engine.fail(lease, { error }), `fail (${error})`), { outcome: "dead" }, `fail of a task with one attempt (${error})`);
  return id;
}

/** Every dead letter a request matches, walking pages of `limit`. */
async function walkDeadLetters(engine: EngineBackend, queue: string | undefined, limit: number): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const request: { limit: number; cursor: string | null; queue?: string } = { limit, cursor };
    if (queue !== undefined) request.queue = queue;
    const page = await succeeds(engine.listDeadLetters(request), `listDeadLetters page ${pages + 1}`);
    ensure(page.items.length <= limit, `a page of limit ${limit} returned ${page.items.length} items`);
    ids.push(...page.items.map((task: TaskRecord) => task.id));
    cursor = page.cursor;
    pages++;
    ensure(pages <= 100, "listDeadLetters never returned a null cursor");
  } while (cursor !== null);
  return { ids, pages };
}

export const checks: Check[] = [
  defineCheck({
    id: "E12.list-dead-letters",
    rule: "E12",
    title: "listDeadLetters lists dead tasks in the order they died, by queue, across pages",
    requires: ["leases", "deadLetter"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const a = ctx.unique("queue-a");
      const b = ctx.unique("queue-b");
      same(await succeeds(engine.listDeadLetters({ limit: 10 }), "listDeadLetters with none"), { items: [], cursor: null }, "listDeadLetters when nothing died");
      // Enqueued and claimed first, killed third: the list follows the order of death.
      const a1 = await enqueueTask(engine, { queue: a, maxAttempts: 1 });
      const lease = await claimOne(engine, a, { taskId: a1, leaseMs: 60_000 });
      const died: string[] = [];
      died.push(await killTask(engine, b, "b1"));
      died.push(await killTask(engine, a, "a2"));
      ctx.clock.advance(10);
      same(await succeeds(engine.fail(lease, { error: "a1" }), "fail a1"), { outcome: "dead" }, "fail of a1");
      died.push(a1);
      died.push(await killTask(engine, b, "b2"));
      died.push(await killTask(engine, a, "a3"));
      await enqueueTask(engine, { queue: a });

      const all = await succeeds(engine.listDeadLetters({ limit: 100 }), "listDeadLetters");
      same(
        all.items.map((task) => task.id),
        died,
        "dead letters in order of death",
      );
      same(all.cursor, null, "the cursor of the only page");
      for (const task of all.items) ensure(task.state === "dead", `a dead letter must read as dead, got ${show(task)}`);
      const first = all.items.find((task) => task.id === a1);
      same({ queue: first?.queue, lastError: first?.lastError }, { queue: a, lastError: "a1" }, "the dead letter of a1");

      const inA = died.filter((_, index) => [1, 2, 4].includes(index));
      same(
        (await succeeds(engine.listDeadLetters({ limit: 100, queue: a }), "listDeadLetters of queue a")).items.map((task) => task.id),
        inA,
        "dead letters of one queue",
      );
      const paged = await walkDeadLetters(engine, undefined, 2);
      same(paged.ids, died, "dead letters walked in pages of 2");
      ensure(paged.pages >= 3, `5 dead letters in pages of 2 need at least 3 pages, got ${paged.pages}`);
      same((await walkDeadLetters(engine, a, 1)).ids, inA, "dead letters of one queue walked in pages of 1");
    },
  }),
  defineCheck({
    id: "E12.retry-dead-letter",
    rule: "E12",
    title: "retryDeadLetter makes a dead task ready with one more attempt",
    requires: ["leases", "deadLetter"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const id = await enqueueTask(engine, { queue, maxAttempts: 2 });
      const first = await claimOne(engine, queue, { taskId: id });
      const retry = await succeeds(engine.fail(first, { error: "one" }), "fail 1");
      ensure(retry.outcome === "retry", `fail at attempt 1 of 2 must retry, got ${show(retry)}`);
      advanceTo(ctx.clock, retry.runAt);
      const second = await claimOne(engine, queue, { taskId: id });
      same(await succeeds(engine.fail(second, { error: "two" }), "fail 2"), { outcome: "dead" }, "fail at attempt 2 of 2");
      ctx.clock.advance(50);
      await succeeds(engine.retryDeadLetter(id), "retryDeadLetter");
      await expectTask(engine, id, { state: "ready", runAt: ctx.clock.now(), leaseExpiresAt: null }, "the retried dead letter");
      same((await succeeds(engine.listDeadLetters({ limit: 10 }), "listDeadLetters")).items, [], "dead letters after the retry");
      const third = await claimOne(engine, queue, { taskId: id }, "claim of the retried dead letter");
      same(third.attempt, 3, "attempt of the lease after retryDeadLetter (one more attempt)");
      same(await succeeds(engine.fail(third, { error: "three" }), "fail 3"), { outcome: "dead" }, "fail of the one extra attempt");
      await expectTask(engine, id, { state: "dead", lastError: "three" }, "the task after its extra attempt failed");
    },
  }),
  defineCheck({
    id: "E12.retry-reset-attempts",
    rule: "E12",
    title: "retryDeadLetter with resetAttempts starts again from attempt 1",
    requires: ["leases", "deadLetter"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const id = await enqueueTask(engine, { queue, maxAttempts: 2 });
      const first = await claimOne(engine, queue, { taskId: id });
      same(await succeeds(engine.fail(first, { error: "fatal", retryable: false }), "fail"), { outcome: "dead" }, "fail with retryable: false");
      await succeeds(engine.retryDeadLetter(id, { resetAttempts: true }), "retryDeadLetter with resetAttempts");
      const again = await claimOne(engine, queue, { taskId: id });
      same(again.attempt, 1, "attempt after a reset");
      const retry = await succeeds(engine.fail(again, { error: "again" }), "fail after the reset");
      same(retry.outcome, "retry", "fail at attempt 1 of 2 after a reset");
    },
  }),
  defineCheck({
    id: "E12.retry-not-dead",
    rule: "E12",
    title: "retryDeadLetter of a task that is not dead is INVALID_STATE; of an unknown one NOT_FOUND",
    requires: ["leases", "deadLetter"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const id = await enqueueTask(engine, { queue });
      await rejectsWith(engine.retryDeadLetter(id), "INVALID_STATE", "retryDeadLetter of a ready task");
      const lease = await claimOne(engine, queue, { taskId: id });
      await rejectsWith(engine.retryDeadLetter(id), "INVALID_STATE", "retryDeadLetter of a leased task");
      await succeeds(engine.complete(lease), "complete");
      await rejectsWith(engine.retryDeadLetter(id), "INVALID_STATE", "retryDeadLetter of a completed task");
      await rejectsWith(engine.retryDeadLetter(ctx.unique("no-such-task")), "NOT_FOUND", "retryDeadLetter of an unknown task");
      await expectTask(engine, id, { state: "completed" }, "the completed task after the rejected retry");
    },
  }),
  defineCheck({
    id: "E12.move-to-dead-letter",
    rule: "E12",
    title: "moveToDeadLetter dead-letters the held task now, with the error, whatever attempts remain",
    requires: ["leases", "deadLetter"],
    kind: "example",
    async run(ctx) {
      const engine = ctx.backend.engine;
      const queue = ctx.unique("queue");
      const id = await enqueueTask(engine, { queue, maxAttempts: 10 });
      const lease = await claimOne(engine, queue, { taskId: id });
      const error = { reason: "poison message", detail: [1, 2, 3] };
      await succeeds(engine.moveToDeadLetter(lease, error), "moveToDeadLetter");
      await expectTask(engine, id, { state: "dead", lastError: error, attempt: 1, leaseExpiresAt: null, workerId: null }, "the task moved to the dead letters");
      same(
        (await succeeds(engine.listDeadLetters({ limit: 10, queue }), "listDeadLetters")).items.map((task) => task.id),
        [id],
        "dead letters after moveToDeadLetter",
      );
      await rejectsWith(engine.complete(lease), "INVALID_STATE", "complete after moveToDeadLetter");
      await claimNothing(engine, queue, "a claim after moveToDeadLetter");
    },
  }),
];
