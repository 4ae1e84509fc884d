/**
 * Tests of what is particular to the memory backend: its data structures, claim order at scale,
 * store sharing and namespaces, copies on the way in and out, close, and a smoke test of every
 * facet. The contract itself is proven by the conformance kit (packages/conformance/test).
 * Every test injects a ManualClock and advances it; nothing sleeps to wait for time.
 */
import { randomUUID } from "node:crypto";
import { type Backend, executionKey, type Lease, ManualClock, MooringError, openBackend, type TaskEvent } from "@mooring/core";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { PriorityQueue } from "../src/priority-queue.js";
import { createMemoryBackend, type MemoryBackendOptions, MemoryStore, openFromUrl } from "../src/index.js";
import { compareNumbers, SortedList } from "../src/sorted-list.js";

const opened: Backend[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((backend) => backend.close()));
});

const unique = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;

function open(options: MemoryBackendOptions = {}): { backend: Backend; clock: ManualClock } {
  const clock = (options.clock as ManualClock | undefined) ?? new ManualClock();
  const backend = createMemoryBackend({ ...options, clock });
  opened.push(backend);
  return { backend, clock };
}

async function claimOne(backend: Backend, queue: string, leaseMs = 10_000): Promise<Lease> {
  const [lease] = await backend.engine.claim({ workerId: unique("worker"), queues: [queue], leaseMs });
  if (!lease) throw new Error(`nothing to claim in ${queue}`);
  return lease;
}

async function rejects(promise: Promise<unknown>, code: MooringError["code"]): Promise<MooringError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(MooringError.is(error, code), `expected ${code}, got ${String(error)}`).toBe(true);
  return error as MooringError;
}

/** A small deterministic generator, so that "random" inputs replay identically. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("data structures", () => {
  it("PriorityQueue pops in order, skips stale entries and sweeps them", () => {
    const random = seeded(1);
    const queue = new PriorityQueue<number>((a, b) => a < b);
    const values = Array.from({ length: 5000 }, () => Math.floor(random() * 1000));
    for (const value of values) queue.push(value);
    const popped: number[] = [];
    for (let value = queue.pop(); value !== undefined; value = queue.pop()) popped.push(value);
    expect(popped).toEqual([...values].sort((a, b) => a - b));

    for (const value of values) queue.push(value);
    queue.retain((value) => value % 2 === 0);
    expect(queue.size).toBe(values.filter((value) => value % 2 === 0).length);
    expect(queue.peekLive((value) => value > 10)).toBe(Math.min(...values.filter((value) => value % 2 === 0 && value > 10)));
  });

  it("PriorityQueue property: any mix of in-order and out-of-order pushes, pops and sweeps matches a sorted model", () => {
    // An operation: push a value (often the largest so far, so the in-order run is used), pop, or
    // keep only the even values.
    const operation = fc.oneof(
      fc.record({ kind: fc.constant("push" as const), value: fc.integer({ min: 0, max: 50 }), inOrder: fc.boolean() }),
      fc.record({ kind: fc.constant("pop" as const) }),
      fc.record({ kind: fc.constant("retainEven" as const) }),
    );
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 300 }), (operations) => {
        const queue = new PriorityQueue<number>((a, b) => a < b);
        let model: number[] = [];
        let last = 0;
        for (const op of operations) {
          if (op.kind === "push") {
            const value = op.inOrder ? last + op.value : op.value;
            last = Math.max(last, value);
            queue.push(value);
            model.push(value);
            model.sort((a, b) => a - b);
          } else if (op.kind === "pop") {
            expect(queue.pop()).toBe(model.shift());
          } else {
            queue.retain((value) => value % 2 === 0);
            model = model.filter((value) => value % 2 === 0);
          }
          expect(queue.size).toBe(model.length);
          expect(queue.peek()).toBe(model[0]);
        }
        expect(queue.toArray().sort((a, b) => a - b)).toEqual(model);
      }),
      { numRuns: 300 },
    );
  });

  it("SortedList keeps order under inserts and deletes and resumes a walk after any key", () => {
    const random = seeded(2);
    const list = new SortedList<number>(compareNumbers);
    const reference = new Set<number>();
    for (let i = 0; i < 20_000; i++) {
      const key = Math.floor(random() * 5000);
      if (random() < 0.3) expect(list.delete(key)).toBe(reference.delete(key));
      else expect(list.add(key)).toBe(!reference.has(key) && Boolean(reference.add(key)));
    }
    const sorted = [...reference].sort((a, b) => a - b);
    expect(list.size).toBe(sorted.length);
    expect([...list.walk()]).toEqual(sorted);
    for (const after of [-1, 0, 17, 2500, 4999, 6000]) {
      expect([...list.walk(after)]).toEqual(sorted.filter((key) => key > after));
      expect([...list.walk(after, true)]).toEqual(sorted.filter((key) => key >= after));
    }
  });
});

describe("claim order at scale (E3)", () => {
  it("claims 20,000 tasks by priority, then ready time, then enqueue order", async () => {
    const { backend, clock } = open();
    const queue = unique("order");
    const random = seeded(3);
    const now = clock.now();
    const inputs = Array.from({ length: 20_000 }, (_, index) => ({
      queue,
      payload: index,
      priority: Math.floor(random() * 5) - 2,
      runAt: now - Math.floor(random() * 50),
    }));
    const ids: string[] = [];
    for (let from = 0; from < inputs.length; from += 5000) {
      ids.push(...(await backend.engine.enqueueMany(inputs.slice(from, from + 5000))).map((result) => result.id));
    }
    const expected = inputs
      .map((input, index) => ({ ...input, index }))
      .sort((a, b) => b.priority - a.priority || a.runAt - b.runAt || a.index - b.index)
      .map((input) => ids[input.index]);
    const claimed: string[] = [];
    for (;;) {
      const leases = await backend.engine.claim({ workerId: "w", queues: [queue], leaseMs: 60_000, limit: 1000 });
      if (leases.length === 0) break;
      claimed.push(...leases.map((lease) => lease.taskId));
    }
    expect(claimed).toEqual(expected);
  });

  it("is FIFO for equal priority and ready time, across the queues of one claim", async () => {
    const { backend } = open();
    const [a, b] = [unique("fifo-a"), unique("fifo-b")];
    const inputs = Array.from({ length: 20_000 }, (_, index) => ({ queue: index % 3 === 0 ? a : b, payload: index }));
    const ids: string[] = [];
    for (let from = 0; from < inputs.length; from += 10_000) {
      ids.push(...(await backend.engine.enqueueMany(inputs.slice(from, from + 10_000))).map((result) => result.id));
    }
    const claimed: string[] = [];
    for (;;) {
      const leases = await backend.engine.claim({ workerId: "w", queues: [a, b], leaseMs: 60_000, limit: 1000 });
      if (leases.length === 0) break;
      claimed.push(...leases.map((lease) => lease.taskId));
    }
    expect(claimed).toEqual(ids);
  });

  it("promotes scheduled tasks only when due, in runAt order", async () => {
    const { backend, clock } = open();
    const queue = unique("later");
    const now = clock.now();
    const late = await backend.engine.enqueue({ queue, runAt: now + 2000 });
    const early = await backend.engine.enqueue({ queue, runAt: now + 1000 });
    expect(await backend.engine.claim({ workerId: "w", queues: [queue], leaseMs: 1000 })).toEqual([]);
    expect((await backend.engine.getTask(early.id))?.state).toBe("scheduled");
    clock.advance(2000);
    expect((await backend.engine.getTask(early.id))?.state).toBe("ready");
    const leases = await backend.engine.claim({ workerId: "w", queues: [queue], leaseMs: 1000, limit: 5 });
    expect(leases.map((lease) => lease.taskId)).toEqual([early.id, late.id]);
  });
});

describe("fair claim at scale (E20)", () => {
  /**
   * The E20 order computed naively: repeatedly the ready task first in (priority desc, its key's
   * last grant asc, enqueue order asc), the granted key's last grant then set to the grant count.
   */
  function naiveFairOrder(inputs: readonly { priority: number; concurrencyKey?: string }[]): number[] {
    const lastGrant = new Map<string, number>();
    const left = inputs.map((input, index) => ({ ...input, index }));
    const order: number[] = [];
    let grants = 0;
    const grantOf = (task: { concurrencyKey?: string }): number => (task.concurrencyKey === undefined ? 0 : (lastGrant.get(task.concurrencyKey) ?? 0));
    while (left.length > 0) {
      let best = 0;
      for (let i = 1; i < left.length; i++) {
        const a = left[i]!;
        const b = left[best]!;
        if (a.priority !== b.priority ? a.priority > b.priority : grantOf(a) !== grantOf(b) ? grantOf(a) < grantOf(b) : a.index < b.index) best = i;
      }
      const [chosen] = left.splice(best, 1);
      order.push(chosen!.index);
      if (chosen!.concurrencyKey !== undefined) lastGrant.set(chosen!.concurrencyKey, ++grants);
    }
    return order;
  }

  it("claims 3,000 tasks over 1,000 keys and keyless ones in the naive fair order, in claims of any size", async () => {
    const { backend } = open();
    const queue = unique("fair");
    const random = seeded(7);
    const inputs = Array.from({ length: 3_000 }, (_, index) => {
      const keyless = random() < 0.1;
      return {
        queue,
        payload: index,
        priority: random() < 0.8 ? 0 : 1,
        ...(keyless ? {} : { concurrencyKey: `key-${Math.floor(random() * random() * 1_000)}` }),
      };
    });
    const ids = (await backend.engine.enqueueMany(inputs)).map((result) => result.id);
    const expected = naiveFairOrder(inputs).map((index) => ids[index]);
    const claimed: string[] = [];
    for (let round = 0; ; round++) {
      const leases = await backend.engine.claim({ workerId: "w", queues: [queue], leaseMs: 60_000, limit: 1 + (round % 17) });
      if (leases.length === 0) break;
      claimed.push(...leases.map((lease) => lease.taskId));
    }
    expect(claimed).toEqual(expected);
  });

  it("keeps keyConcurrency 1 over 10,000 keys with two deliveries each, freeing each slot when its lease ends", async () => {
    const { backend } = open();
    const queue = unique("runs");
    await backend.engine.setQueue(queue, { keyConcurrency: 1 });
    const inputs = Array.from({ length: 20_000 }, (_, index) => ({ queue, payload: index, concurrencyKey: `run-${index % 10_000}` }));
    for (let from = 0; from < inputs.length; from += 10_000) await backend.engine.enqueueMany(inputs.slice(from, from + 10_000));
    const first = await backend.engine.claim({ workerId: "w", queues: [queue], leaseMs: 60_000, limit: 1000 });
    const keys = new Set(first.map((lease) => lease.concurrencyKey));
    expect(keys.size).toBe(first.length);
    let held = first;
    let granted = first.length;
    while (held.length > 0) {
      for (const lease of held) await backend.engine.complete(lease);
      held = await backend.engine.claim({ workerId: "w", queues: [queue], leaseMs: 60_000, limit: 1000 });
      const heldKeys = new Set(held.map((lease) => lease.concurrencyKey));
      expect(heldKeys.size).toBe(held.length);
      granted += held.length;
    }
    expect(granted).toBe(20_000);
    expect((await backend.engine.queueStats(queue)).counts.completed).toBe(20_000);
  });
});

describe("sharing a store", () => {
  it("makes several backends clients of one deployment", async () => {
    const store = new MemoryStore();
    const clock = new ManualClock();
    const { backend: first } = open({ store, clock });
    const { backend: second } = open({ store, clock });
    const queue = unique("shared");
    const { run } = await first.workflows.createRun({ workflowId: "wf", version: "1" });
    expect((await second.workflows.getRun(run.id))?.id).toBe(run.id);

    const ids = (await first.engine.enqueueMany(Array.from({ length: 200 }, (_, n) => ({ queue, payload: n })))).map((r) => r.id);
    const claims = await Promise.all(
      Array.from({ length: 40 }, (_, n) => (n % 2 ? first : second).engine.claim({ workerId: `w${n}`, queues: [queue], leaseMs: 1000, limit: 7 })),
    );
    const claimed = claims.flat().map((lease) => lease.taskId);
    expect(new Set(claimed).size).toBe(claimed.length);
    expect(new Set(claimed)).toEqual(new Set(ids));

    const appends = await Promise.allSettled(
      Array.from({ length: 10 }, (_, n) =>
        (n % 2 ? first : second).workflows.appendEvents(run.id, [{ type: "step" }], { expectedSequence: 0 }),
      ),
    );
    expect(appends.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    expect(await second.workflows.latestSequence(run.id)).toBe(1);
  });

  it("wakes a waiter of one client on another client's enqueue", async () => {
    const store = new MemoryStore();
    const { backend: worker } = open({ store });
    const { backend: producer } = open({ store });
    const queue = unique("wake");
    const waiting = worker.engine.waitForWork([queue], { timeoutMs: 30_000 });
    await producer.engine.enqueue({ queue });
    expect(await waiting).toBe(true);
  });

  it("keeps namespaces of one store apart", async () => {
    const store = new MemoryStore();
    const clock = new ManualClock();
    const { backend: a } = open({ store, clock, namespace: "a" });
    const { backend: b } = open({ store, clock, namespace: "b" });
    const queue = unique("ns");
    await a.workflows.createRun({ id: "run-1", workflowId: "wf", version: "1" });
    await a.state.set("key", new Uint8Array([1]));
    await a.tenants.create({ id: "acme", name: "Acme" });
    const { token } = await a.tokens.create({ name: "ci", role: "admin" });
    const events: TaskEvent[] = [];
    await b.engine.subscribe({ kinds: ["enqueued"] }, (event) => events.push(event));
    const waiting = b.engine.waitForWork([queue], { timeoutMs: 50 });
    await a.engine.enqueue({ queue });

    expect(await b.workflows.getRun("run-1")).toBeNull();
    expect(await b.state.get("key")).toBeNull();
    expect(await b.tenants.get("acme")).toBeNull();
    expect(await b.tokens.validate(token)).toBeNull();
    expect(await b.engine.claim({ workerId: "w", queues: [queue], leaseMs: 1000 })).toEqual([]);
    expect(await waiting).toBe(false);
    expect(events).toEqual([]);
    expect((await a.tokens.validate(token))?.tenantId).toBe("default");
  });

  it("gives backends without a store private data", async () => {
    const { backend: first } = open();
    const { backend: second } = open();
    await first.workflows.createRun({ id: "same", workflowId: "wf", version: "1" });
    expect(await second.workflows.getRun("same")).toBeNull();
  });
});

describe("copies on the way in and out", () => {
  it("never lets a caller's object change what the store holds", async () => {
    const { backend } = open();
    const queue = unique("copy");
    const payload = { list: [1, 2], nested: { deep: "x" } };
    const { id } = await backend.engine.enqueue({ queue, payload });
    payload.list.push(3);
    payload.nested.deep = "changed";
    const lease = await claimOne(backend, queue);
    expect(lease.payload).toEqual({ list: [1, 2], nested: { deep: "x" } });
    (lease.payload as { list: number[] }).list.push(99);
    expect((await backend.engine.getTask(id))?.payload).toEqual({ list: [1, 2], nested: { deep: "x" } });

    const context = { items: ["a"] };
    const { run } = await backend.workflows.createRun({ workflowId: "wf", version: "1", context });
    context.items.push("b");
    (run.context.items as string[]).push("c");
    const events = [{ type: "e", payload: { n: 1 } }];
    await backend.workflows.appendEvents(run.id, events);
    (events[0] as { payload: { n: number } }).payload.n = 2;
    const [event] = await backend.workflows.readEvents(run.id);
    (event?.payload as { n: number }).n = 3;
    expect((await backend.workflows.getRun(run.id))?.context).toEqual({ items: ["a"] });
    expect((await backend.workflows.readEvents(run.id))[0]?.payload).toEqual({ n: 1 });
  });

  it("copies bytes, including from a Node Buffer that shares memory", async () => {
    const { backend } = open();
    const pool = Buffer.from([1, 2, 3, 4, 5, 6]);
    const value = pool.subarray(1, 4);
    await backend.state.set("bytes", value);
    value[0] = 42;
    const read = await backend.state.get("bytes");
    expect(read).toEqual(new Uint8Array([2, 3, 4]));
    expect(read?.constructor).toBe(Uint8Array);
    read?.fill(0);
    expect(await backend.state.get("bytes")).toEqual(new Uint8Array([2, 3, 4]));
  });

  it("keeps a __proto__ member as data", async () => {
    const { backend } = open();
    const context = JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}') as Record<string, never>;
    const { run } = await backend.workflows.createRun({ workflowId: "wf", version: "1", context });
    const read = await backend.workflows.getRun(run.id);
    expect(Object.getPrototypeOf(read?.context)).toBe(Object.prototype);
    expect(Object.keys(read?.context ?? {})).toEqual(["__proto__", "ok"]);
    const appended = await backend.workflows.appendToContext(run.id, "__proto__", 1).catch((error: unknown) => error);
    expect(MooringError.is(appended, "INVALID_STATE")).toBe(true);
  });
});

describe("close", () => {
  it("resolves pending waits with false, drops subscriptions and leaves other clients working", async () => {
    const store = new MemoryStore();
    const { backend: closing } = open({ store });
    const { backend: other } = open({ store });
    const queue = unique("close");
    const seenByClosing: TaskEvent[] = [];
    const seenByOther: TaskEvent[] = [];
    await closing.engine.subscribe({ kinds: ["enqueued"] }, (event) => seenByClosing.push(event));
    await other.engine.subscribe({ kinds: ["enqueued"] }, (event) => seenByOther.push(event));
    const closingWait = closing.engine.waitForWork([queue], { timeoutMs: 60_000 });
    const otherWait = other.engine.waitForWork([queue], { timeoutMs: 60_000 });

    await closing.close();
    expect(await closingWait).toBe(false);
    await rejects(closing.engine.enqueue({ queue }), "CLOSED");
    await closing.close();

    await other.engine.enqueue({ queue });
    expect(await otherWait).toBe(true);
    await Promise.resolve();
    expect(seenByOther.map((event) => event.kind)).toEqual(["enqueued"]);
    expect(seenByClosing).toEqual([]);
  });

  it("wakes a waiter when a scheduled task comes due, by the injected clock", async () => {
    const { backend, clock } = open();
    const queue = unique("due");
    await backend.engine.enqueue({ queue, runAt: clock.now() + 5 });
    const waiting = backend.engine.waitForWork([queue], { timeoutMs: 30_000 });
    clock.advance(5);
    expect(await waiting).toBe(true);
    expect(await backend.engine.claim({ workerId: "w", queues: [queue], leaseMs: 100 })).toHaveLength(1);
  });

  it("wakes a waiter of a full queue when a lease ends or expires", async () => {
    const { backend, clock } = open();
    const queue = unique("full");
    await backend.engine.setQueue(queue, { concurrency: 1 });
    await backend.engine.enqueueMany([{ queue }, { queue }, { queue }]);
    const first = await claimOne(backend, queue, 100);
    const released = backend.engine.waitForWork([queue], { timeoutMs: 30_000 });
    await backend.engine.complete(first);
    expect(await released).toBe(true);
    await claimOne(backend, queue, 100);
    const expired = backend.engine.waitForWork([queue], { timeoutMs: 30_000 });
    clock.advance(100);
    expect(await expired).toBe(true);
    const next = await claimOne(backend, queue, 100);
    expect(next.attempt).toBe(1);
  });

  it("ends a wait on abort and on its timeout", async () => {
    const { backend } = open();
    const controller = new AbortController();
    const aborted = backend.engine.waitForWork([unique("q")], { timeoutMs: 60_000, signal: controller.signal });
    controller.abort();
    expect(await aborted).toBe(false);
    expect(await backend.engine.waitForWork([unique("q")], { timeoutMs: 5 })).toBe(false);
  });
});

describe("workflows", () => {
  it("stores definitions, runs, steps, events, snapshots", async () => {
    const { backend, clock } = open();
    const wf = backend.workflows;
    expect((await wf.putDefinition({ id: "d", version: "1", spec: { a: 1, b: [1] } })).created).toBe(true);
    expect((await wf.putDefinition({ id: "d", version: "1", spec: { b: [1], a: 1 } })).created).toBe(false);
    await rejects(wf.putDefinition({ id: "d", version: "1", spec: { a: 2 } }), "CONFLICT");
    await wf.putDefinition({ id: "d", version: "0", spec: null });
    expect((await wf.listDefinitions("d")).map((definition) => definition.version)).toEqual(["1", "0"]);

    const { run } = await wf.createRun({ id: "r", workflowId: "d", version: "1", input: { x: 1 } });
    expect(run.status).toBe("pending");
    expect((await wf.createRun({ id: "r", workflowId: "other", version: "9" })).created).toBe(false);
    await rejects(wf.createRun({ id: "r", workflowId: "d", version: "1" }, { ifExists: "error" }), "CONFLICT");

    await wf.upsertStep("r", { id: "s2", status: "pending" });
    await wf.upsertStep("r", { id: "s1", status: "pending" });
    await wf.upsertStep("r", { id: "s2", status: "completed", output: 5 });
    expect((await wf.listSteps("r")).map((step) => [step.id, step.position, step.status])).toEqual([
      ["s2", 0, "completed"],
      ["s1", 1, "pending"],
    ]);
    await rejects(wf.upsertStep("nope", { id: "s", status: "pending" }), "NOT_FOUND");

    expect(await wf.appendEvents("r", [{ type: "a" }, { type: "b" }])).toEqual([1, 2]);
    await rejects(wf.appendEvents("r", [{ type: "c" }], { expectedSequence: 1 }), "SEQUENCE_CONFLICT");
    expect(await wf.appendEvents("r", [{ type: "c" }], { expectedSequence: 2 })).toEqual([3]);
    expect((await wf.readEvents("r", { after: 1, limit: 1 })).map((event) => event.type)).toEqual(["b"]);
    expect(await wf.readEvents("unknown")).toEqual([]);
    await rejects(wf.writeSnapshot("r", { atSequence: 4, state: {} }), "INVALID_STATE");
    await wf.writeSnapshot("r", { atSequence: 3, state: { n: 3 } });
    await wf.writeSnapshot("r", { atSequence: 1, state: { n: 1 } });
    expect((await wf.latestSnapshot("r"))?.state).toEqual({ n: 3 });

    await wf.setRunStatus("r", "running");
    await rejects(wf.setRunStatus("r", "running"), "INVALID_STATE");
    await rejects(wf.setRunStatus("r", "completed", { expected: "suspended" }), "CONFLICT");
    clock.advance(5);
    const done = await wf.setRunStatus("r", "completed", { expected: "running" });
    expect(done.completedAt).toBe(clock.now());
    await rejects(wf.setRunStatus("r", "failed"), "CONFLICT");

    await wf.appendToContext("r", "log", 1);
    await Promise.all(Array.from({ length: 50 }, (_, n) => wf.appendToContext("r", "log", n)));
    expect(((await wf.getRun("r"))?.context.log as number[]).length).toBe(51);

    expect((await wf.createRun({ id: "r", workflowId: "d", version: "2" }, { ifExists: "replace" })).created).toBe(true);
    expect(await wf.latestSequence("r")).toBe(0);
    expect(await wf.listSteps("r")).toEqual([]);
    expect(await wf.latestSnapshot("r")).toBeNull();
    expect(await wf.deleteRun("r")).toBe(true);
    expect(await wf.deleteRun("r")).toBe(false);
  });

  it("pages runs in creation order without repeats or skips while runs come and go", async () => {
    const { backend } = open();
    const wf = backend.workflows;
    const ids: string[] = [];
    for (let n = 0; n < 25; n++) ids.push((await wf.createRun({ id: `run-${n}`, workflowId: "wf", version: "1" })).run.id);
    for (const id of ids.filter((_, n) => n % 5 === 0)) await wf.setRunStatus(id, "running");
    const seen: string[] = [];
    let cursor: string | null = null;
    let page = 0;
    do {
      const result = await wf.listRuns({ limit: 4, cursor });
      seen.push(...result.items.map((run) => run.id));
      cursor = result.cursor;
      if (page++ === 1) {
        await wf.deleteRun("run-1"); // already returned
        await wf.createRun({ id: "late", workflowId: "wf", version: "1" });
      }
    } while (cursor !== null);
    expect(seen).toEqual([...ids, "late"]);
    const running = await wf.listRuns({ limit: 100, status: "running" });
    expect(running.items.map((run) => run.id)).toEqual(["run-0", "run-5", "run-10", "run-15", "run-20"]);
    expect(running.cursor).toBeNull();
    await rejects(wf.listRuns({ limit: 1, cursor: "not-a-cursor" }), "VALIDATION");
  });

  it("commits atomically and fenced, settling the task in the same step", async () => {
    const { backend, clock } = open();
    const wf = backend.workflows;
    const queue = unique("commit");
    const { run } = await wf.createRun({ workflowId: "wf", version: "1" });
    await wf.setRunStatus(run.id, "running");
    const { id: taskId } = await backend.engine.enqueue({ queue, runId: run.id });
    const lease = await claimOne(backend, queue, 1000);

    await rejects(wf.commit(run.id, { lease, events: [{ type: "x" }], status: "pending" }), "INVALID_STATE");
    await rejects(wf.commit(run.id, { lease, events: [{ type: "x" }], expectedSequence: 7 }), "SEQUENCE_CONFLICT");
    await rejects(wf.commit(run.id, { lease: { ...lease, epoch: lease.epoch + 1 }, events: [{ type: "x" }] }), "INVALID_STATE");
    expect(await wf.latestSequence(run.id)).toBe(0);

    const result = await wf.commit(run.id, {
      lease,
      expectedSequence: 0,
      events: [{ type: "step.done" }, { type: "run.done" }],
      steps: [{ id: "s", status: "completed" }],
      context: { done: true },
      status: "completed",
      snapshot: { state: { final: true } },
      settle: { complete: { result: "ok" } },
    });
    expect(result.sequences).toEqual([1, 2]);
    expect(result.run.status).toBe("completed");
    expect((await wf.latestSnapshot(run.id))?.atSequence).toBe(2);
    expect((await backend.engine.getTask(taskId))?.state).toBe("completed");
    expect((await backend.engine.getTask(taskId))?.result).toBe("ok");

    const { run: other } = await wf.createRun({ workflowId: "wf", version: "1" });
    await backend.engine.enqueue({ queue });
    const expiring = await claimOne(backend, queue, 1000);
    clock.advance(1000);
    await rejects(wf.commit(other.id, { lease: expiring, events: [{ type: "late" }], settle: { complete: {} } }), "LEASE_EXPIRED");
    expect(await wf.latestSequence(other.id)).toBe(0);
  });
});

describe("state store", () => {
  it("hides an expired key at once and keeps compare-and-set exact", async () => {
    const { backend, clock } = open();
    const state = backend.state;
    await state.set("k", new Uint8Array([1, 2]), { ttlMs: 100 });
    clock.advance(99);
    expect(await state.exists("k")).toBe(true);
    clock.advance(1);
    expect(await state.get("k")).toBeNull();
    expect(await state.delete("k")).toBe(false);
    expect(await state.setIfAbsent("k", new Uint8Array([3]))).toBe(true);
    expect(await state.setIfAbsent("k", new Uint8Array([4]))).toBe(false);
    expect(await state.compareAndSet("k", new Uint8Array([4]), new Uint8Array([5]))).toBe(false);
    expect(await state.compareAndSet("k", new Uint8Array([3]), new Uint8Array([5]))).toBe(true);
    expect(await state.compareAndSet("fresh", null, new Uint8Array())).toBe(true);
    expect(await state.get("fresh")).toEqual(new Uint8Array());
    const racers = await Promise.all(Array.from({ length: 20 }, (_, n) => state.compareAndSet("k", new Uint8Array([5]), new Uint8Array([n]))));
    expect(racers.filter(Boolean)).toHaveLength(1);
    const all = Uint8Array.from({ length: 256 }, (_, n) => n);
    await state.set("all", all);
    expect(await state.get("all")).toEqual(all);
  });

  it("deletes one execution's state exactly, whatever its id holds", async () => {
    const { backend, clock } = open();
    const state = backend.state;
    const ids = ["a", "a/1", "a/1/b", "ab", "%*?", "é", "1/a"];
    for (const id of ids) {
      await state.saveSnapshot({ executionId: id, sequence: 1, state: id });
      await state.set(executionKey(id, "x"), new Uint8Array([1]));
      await state.set(executionKey(id, "y/z"), new Uint8Array([2]), { ttlMs: 10 });
    }
    await state.set("mooring/exec/1/a", new Uint8Array([9]));
    clock.advance(10);
    expect(await state.deleteExecutionState("a")).toBe(2);
    for (const id of ids.slice(1)) {
      expect(await state.get(executionKey(id, "x"))).toEqual(new Uint8Array([1]));
      expect((await state.loadSnapshot(id))?.state).toBe(id);
    }
    expect(await state.get("mooring/exec/1/a")).toEqual(new Uint8Array([9]));
    expect(await state.get(executionKey("a", "x"))).toBeNull();
    expect(await state.deleteExecutionState("a")).toBe(0);
  });

  it("lists cached snapshots in code-point order, skipping expired ones", async () => {
    const { backend, clock } = open();
    const ids = ["b", "a", "\u{1F600}", "\uFFFD", "ab"];
    for (const id of ids) await backend.state.saveSnapshot({ executionId: id, sequence: 0, state: null, ttlMs: id === "ab" ? 5 : undefined });
    clock.advance(5);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await backend.state.listSnapshots({ limit: 2, cursor });
      seen.push(...page.items);
      cursor = page.cursor;
    } while (cursor !== null);
    expect(seen).toEqual(["a", "b", "\uFFFD", "\u{1F600}"]);
  });
});

describe("engine", () => {
  it("fences holder calls in the documented order", async () => {
    const { backend, clock } = open();
    const engine = backend.engine;
    const queue = unique("fence");
    const { id: neverClaimed } = await engine.enqueue({ queue: unique("idle") });
    const forged: Lease = { taskId: neverClaimed, queue, payload: null, attempt: 1, epoch: 0, leaseId: "forged-lease-id", workerId: "w", expiresAt: clock.now() + 1000 };
    await rejects(engine.complete(forged), "INVALID_STATE");
    const { id } = await engine.enqueue({ queue, maxAttempts: 5, backoff: { baseMs: 10 } });
    const first = await claimOne(backend, queue, 100);
    expect(first.epoch).toBe(1);
    await rejects(engine.complete({ ...first, taskId: "missing" }), "NOT_FOUND");
    await rejects(engine.complete({ ...first, epoch: 0 }), "STALE_LEASE");
    await rejects(engine.complete({ ...first, epoch: 2 }), "INVALID_STATE");
    await rejects(engine.complete({ ...first, leaseId: `${first.leaseId}x` }), "STALE_LEASE");
    clock.advance(100);
    await rejects(engine.renew(first), "LEASE_EXPIRED");
    expect(await engine.reclaimExpired()).toEqual({ retried: [id], deadLettered: [] });
    await rejects(engine.complete(first), "LEASE_EXPIRED");
    clock.advance(10);
    const second = await claimOne(backend, queue, 100);
    expect([second.epoch, second.attempt]).toEqual([2, 2]);
    await rejects(engine.complete(first), "STALE_LEASE");
    expect(await engine.revokeLease(id)).toBe(true);
    await rejects(engine.complete(second), "LEASE_REVOKED");
    const third = await claimOne(backend, queue, 100);
    expect(third.attempt).toBe(2);
    const renewed = await engine.renew(third, { leaseMs: 500 });
    expect([renewed.epoch, renewed.leaseId, renewed.expiresAt]).toEqual([third.epoch, third.leaseId, clock.now() + 500]);
    expect(new Set([first.leaseId, second.leaseId, third.leaseId]).size).toBe(3);
    await engine.complete(third, { result: 1 });
    await engine.complete(third, { result: 1 });
    await rejects(engine.complete({ ...third, leaseId: second.leaseId }), "STALE_LEASE");
    await rejects(engine.fail(third, { error: "x" }), "INVALID_STATE");
    expect(await engine.cancel(id)).toBe(false);
  });

  it("retries with backoff, dead-letters, and retries dead letters", async () => {
    const { backend, clock } = open();
    const engine = backend.engine;
    const queue = unique("retry");
    const { id } = await engine.enqueue({ queue, maxAttempts: 2, backoff: { baseMs: 100, factor: 3, maxMs: 1000 } });
    const first = await claimOne(backend, queue);
    expect(await engine.fail(first, { error: "boom" })).toEqual({ outcome: "retry", runAt: clock.now() + 100 });
    clock.advance(100);
    const second = await claimOne(backend, queue);
    expect(await engine.fail(second, { error: "boom again" })).toEqual({ outcome: "dead" });
    const dead = await engine.listDeadLetters({ limit: 10, queue });
    expect(dead.items.map((task) => [task.id, task.state, task.lastError])).toEqual([[id, "dead", "boom again"]]);
    await engine.retryDeadLetter(id);
    await rejects(engine.retryDeadLetter(id), "INVALID_STATE");
    const third = await claimOne(backend, queue);
    expect(third.attempt).toBe(3);
    await engine.moveToDeadLetter(third, "manual");
    await engine.retryDeadLetter(id, { resetAttempts: true });
    expect((await claimOne(backend, queue)).attempt).toBe(1);
    expect((await engine.listDeadLetters({ limit: 10 })).items).toEqual([]);
  });

  it("consumes an attempt on claim-side reclaim and dead-letters when none remain", async () => {
    const { backend, clock } = open();
    const queue = unique("expire");
    const { id } = await backend.engine.enqueue({ queue, maxAttempts: 1 });
    const events: TaskEvent[] = [];
    await backend.engine.subscribe({ kinds: ["lease_expired", "dead"] }, (event) => events.push(event));
    await claimOne(backend, queue, 50);
    clock.advance(50);
    expect(await backend.engine.claim({ workerId: "w", queues: [queue], leaseMs: 50 })).toEqual([]);
    const task = await backend.engine.getTask(id);
    expect([task?.state, task?.lastError, task?.attempt]).toEqual(["dead", "lease expired", 1]);
    await Promise.resolve();
    expect(events.map((event) => event.kind)).toEqual(["lease_expired", "dead"]);
  });

  it("suspends until signals arrive, buffers, times out and deduplicates", async () => {
    const { backend, clock } = open();
    const engine = backend.engine;
    const queue = unique("signals");
    const { id } = await engine.enqueue({ queue });
    const lease = await claimOne(backend, queue);
    expect(await engine.suspend(lease, { keys: ["a", "b"], mode: "all" })).toEqual({ suspended: true });
    expect((await engine.signal({ key: "a", payload: 1, idempotencyKey: "i" })).deliveredTo).toEqual([id]);
    expect(await engine.signal({ key: "a", payload: 2, idempotencyKey: "i" })).toMatchObject({ duplicate: true, deliveredTo: [] });
    expect((await engine.getTask(id))?.state).toBe("suspended");
    await engine.signal({ key: "b", payload: 3 });
    const resumed = await claimOne(backend, queue);
    expect([resumed.attempt, resumed.epoch]).toEqual([1, 2]);
    expect(resumed.signals?.map((signal) => signal.payload)).toEqual([1, 3]);
    expect(resumed.timedOut).toBeUndefined();

    await engine.signal({ key: "early", payload: "buffered" });
    const now = await engine.suspend(resumed, { keys: ["early"] });
    expect(now.suspended === false && now.signals.map((signal) => signal.payload)).toEqual(["buffered"]);
    expect(await engine.suspend(resumed, { keys: ["never"], timeoutAt: clock.now() + 100 })).toEqual({ suspended: true });
    clock.advance(100);
    expect((await engine.getTask(id))?.state).toBe("ready");
    expect((await engine.signal({ key: "never" })).deliveredTo).toEqual([]);
    const timedOut = await claimOne(backend, queue);
    expect([timedOut.timedOut, timedOut.signals]).toEqual([true, []]);
  });

  it("blocks on dependencies and cascades failure transitively", async () => {
    const { backend } = open();
    const engine = backend.engine;
    const queue = unique("deps");
    const { id: root } = await engine.enqueue({ queue, priority: 1 });
    const { id: child } = await engine.enqueue({ queue, dependsOn: [root] });
    const { id: grandchild } = await engine.enqueue({ queue, dependsOn: [child] });
    await rejects(engine.enqueueMany([{ queue }, { queue, dependsOn: ["missing"] }]), "NOT_FOUND");
    expect((await engine.queueStats(queue)).counts).toMatchObject({ ready: 1, blocked: 2 });
    expect((await engine.getTask(child))?.pendingDependencies).toEqual([root]);
    await engine.complete(await claimOne(backend, queue));
    expect((await engine.getTask(child))?.state).toBe("ready");
    await engine.fail(await claimOne(backend, queue), { error: "no", retryable: false });
    const cascaded = await engine.getTask(grandchild);
    expect([cascaded?.state, cascaded?.cancelReason]).toEqual(["cancelled", "dependency_failed"]);
    const { id: orphan } = await engine.enqueue({ queue, dependsOn: [child] });
    expect((await engine.getTask(orphan))?.state).toBe("cancelled");
  });

  it("respects queue concurrency and pause and counts states incrementally", async () => {
    const { backend, clock } = open();
    const engine = backend.engine;
    const queue = unique("control");
    await engine.enqueueMany(Array.from({ length: 5 }, () => ({ queue })));
    await engine.enqueue({ queue, runAt: clock.now() + 1000 });
    await engine.setQueue(queue, { concurrency: 2 });
    expect(await engine.claim({ workerId: "w", queues: [queue], leaseMs: 100, limit: 10 })).toHaveLength(2);
    expect(await engine.claim({ workerId: "w", queues: [queue], leaseMs: 100, limit: 10 })).toHaveLength(0);
    clock.advance(40);
    const stats = await engine.queueStats(queue);
    expect(stats).toMatchObject({ concurrency: 2, paused: false, oldestReadyAgeMs: 40 });
    expect(stats.counts).toMatchObject({ ready: 3, leased: 2, scheduled: 1 });
    await engine.setQueue(queue, { concurrency: null, paused: true });
    expect(await engine.claim({ workerId: "w", queues: [queue], leaseMs: 100, limit: 10 })).toHaveLength(0);
    await engine.setQueue(queue, { paused: false });
    clock.advance(1000);
    expect((await engine.queueStats(queue)).counts).toMatchObject({ ready: 4, scheduled: 0, leased: 2 });
    expect(await engine.claim({ workerId: "w", queues: [queue], leaseMs: 100, limit: 10 })).toHaveLength(4);
    expect(await engine.queueStats(unique("none"))).toMatchObject({ oldestReadyAgeMs: null, counts: { ready: 0 } });
  });

  it("records progress and frames per attempt, fenced", async () => {
    const { backend } = open();
    const engine = backend.engine;
    const queue = unique("frames");
    const { id } = await engine.enqueue({ queue });
    const lease = await claimOne(backend, queue);
    await engine.progress(lease, { percent: 50, message: "half" });
    expect(await engine.appendFrame(lease, "a")).toBe(1);
    expect(await engine.appendFrame(lease, { b: 1 })).toBe(2);
    await engine.release(lease);
    await rejects(engine.appendFrame(lease, "late"), "INVALID_STATE");
    const next = await claimOne(backend, queue);
    expect(await engine.appendFrame(next, "same attempt")).toBe(3);
    expect((await engine.readFrames(id, { after: 1 })).map((frame) => frame.data)).toEqual([{ b: 1 }, "same attempt"]);
    expect((await engine.getTask(id))?.progress).toEqual({ percent: 50, message: "half" });
    expect(await engine.readFrames("missing")).toEqual([]);
  });

  it("deduplicates enqueues by key within dedupTtlMs", async () => {
    const { backend, clock } = open({ dedupTtlMs: 1000 });
    const queue = unique("dedup");
    const [first, again, other] = await backend.engine.enqueueMany([
      { queue, idempotencyKey: "k" },
      { queue, idempotencyKey: "k" },
      { queue: unique("other"), idempotencyKey: "k" },
    ]);
    expect([first?.created, again?.id === first?.id, again?.created, other?.created]).toEqual([true, true, false, true]);
    const racers = await Promise.all(Array.from({ length: 10 }, () => backend.engine.enqueue({ queue, idempotencyKey: "k" })));
    expect(racers.every((result) => result.id === first?.id && !result.created)).toBe(true);
    clock.advance(1000);
    expect((await backend.engine.enqueue({ queue, idempotencyKey: "k" })).created).toBe(true);
  });

  it("streams events to the subscribers of the same tenant only", async () => {
    const { backend } = open();
    const queue = unique("events");
    const mine: string[] = [];
    const theirs: string[] = [];
    const stop = await backend.engine.subscribe({ kinds: ["enqueued", "completed", "cancelled"], queues: [queue] }, (event) =>
      mine.push(`${event.kind}:${event.tenantId}`),
    );
    await backend.forTenant("other").engine.subscribe({ kinds: ["enqueued"] }, (event) => theirs.push(event.kind));
    const { id } = await backend.engine.enqueue({ queue });
    await backend.engine.enqueue({ queue: unique("elsewhere") });
    await backend.engine.complete(await claimOne(backend, queue));
    stop();
    await backend.engine.cancel(id);
    await backend.engine.enqueue({ queue });
    await Promise.resolve();
    expect(mine).toEqual(["enqueued:default", "completed:default"]);
    expect(theirs).toEqual([]);
  });
});

describe("tenants and tokens", () => {
  it("isolates tenants and refuses work for a suspended one", async () => {
    const { backend } = open();
    const queue = unique("tenant");
    const acme = backend.forTenant("acme");
    await acme.engine.enqueue({ queue });
    expect(await backend.engine.claim({ workerId: "w", queues: [queue], leaseMs: 100 })).toEqual([]);
    await backend.tenants.create({ id: "acme", name: "Acme" });
    await rejects(backend.tenants.create({ id: "acme", name: "Again" }), "CONFLICT");
    await backend.tenants.update("acme", { status: "suspended" });
    await rejects(acme.engine.enqueue({ queue }), "INVALID_STATE");
    await rejects(acme.engine.claim({ workerId: "w", queues: [queue], leaseMs: 100 }), "INVALID_STATE");
    await backend.tenants.update("acme", { status: "active" });
    expect(await acme.engine.claim({ workerId: "w", queues: [queue], leaseMs: 100 })).toHaveLength(1);
    await backend.tenants.create({ id: "\u{1F600}", name: "emoji" });
    await backend.tenants.create({ id: "\uFFFD", name: "replacement" });
    const page = await backend.tenants.list({ limit: 2 });
    expect(page.items.map((tenant) => tenant.id)).toEqual(["acme", "\uFFFD"]);
    expect((await backend.tenants.list({ limit: 2, cursor: page.cursor })).items.map((tenant) => tenant.id)).toEqual(["\u{1F600}"]);
  });

  it("keeps only token hashes and validates from any view", async () => {
    const { backend, clock } = open();
    const acme = backend.forTenant("acme");
    const { token, info } = await acme.tokens.create({ name: "deploy", role: "writer", expiresAt: clock.now() + 1000 });
    expect(token.startsWith("mrt_")).toBe(true);
    expect(JSON.stringify(await acme.tokens.list())).not.toContain(token.slice(4));
    expect(await backend.tokens.validate(token)).toEqual({ id: info.id, tenantId: "acme", name: "deploy", role: "writer", expiresAt: info.expiresAt });
    expect(await backend.tokens.validate(`${token}x`)).toBeNull();
    expect(await backend.tokens.revoke(info.id)).toBe(false);
    expect(await backend.tokens.list()).toEqual([]);
    clock.advance(1000);
    expect(await backend.tokens.validate(token)).toBeNull();
    expect(await acme.tokens.revoke(info.id)).toBe(true);
    expect(await acme.tokens.revoke(info.id)).toBe(false);
  });
});

describe("opening", () => {
  it("opens memory: URLs through core's openBackend and validates options", async () => {
    const clock = new ManualClock();
    const backend = await openBackend("memory:?namespace=x&maxPayloadBytes=64", { clock });
    opened.push(backend);
    expect(backend.name).toBe("memory");
    expect(Object.values(backend.capabilities).every(Boolean)).toBe(true);
    await rejects(backend.engine.enqueue({ queue: "q", payload: "x".repeat(100) }), "VALIDATION");
    await rejects(openFromUrl("memory:?bogus=1", {}), "VALIDATION");
    await rejects(openFromUrl("memory://host/path", {}), "VALIDATION");
    expect(() => createMemoryBackend({ dedupTtlMs: 0 })).toThrow(MooringError);
  });
});
