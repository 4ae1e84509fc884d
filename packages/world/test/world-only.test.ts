/**
 * What the vendor suite does not check, on the memory backend in process (and the base64 bytes
 * fallback): listing order and pages (W14), hook tokens (W15 keys), the interface's errors, bytes
 * (W13), and the capability check. Each test names the rule it leans on.
 */
import { createMemoryBackend } from "@mooring/backend-memory";
import { EntityConflictError, HookNotFoundError, RunExpiredError, TooEarlyError, WorkflowRunNotFoundError, WorkflowWorldError } from "@workflow/errors";
import type { CreateEventRequest } from "@workflow/world";
import { afterEach, describe, expect, it } from "vitest";
import { createMooringWorld, missingCapabilities, type MooringWorld } from "../src/index.js";
import { RecentCache } from "../src/recent.js";

const bytes = (...values: number[]) => new Uint8Array(values);
const worlds: MooringWorld[] = [];

async function newWorld(encoding: "auto" | "json" = "auto"): Promise<MooringWorld> {
  const world = await createMooringWorld({ backend: createMemoryBackend(), bytes: encoding });
  worlds.push(world);
  return world;
}

async function startRun(world: MooringWorld, workflowName = "wf", input: Uint8Array = bytes(1, 2, 3)): Promise<string> {
  const created = await world.events.create(null, { eventType: "run_created", eventData: { deploymentId: "d1", workflowName, input } });
  const runId = created.run!.runId;
  await world.events.create(runId, { eventType: "run_started" });
  return runId;
}

/** Teardown of worlds that share a backend. */
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const world of worlds.splice(0)) {
    await world.close();
    await world.backend.close();
  }
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe.each(["auto", "json"] as const)("@mooring/world on memory (bytes %s)", (encoding) => {
  it("W13: inputs, outputs and null bytes come back as the same bytes", async () => {
    const world = await newWorld(encoding);
    const input = bytes(0, 255, 0, 36, 98);
    const runId = await startRun(world, "wf", input);
    await world.events.create(runId, { eventType: "run_completed", eventData: { output: bytes(0, 0, 7) } });
    const run = await world.runs.get(runId);
    expect(run.input).toEqual(input);
    expect(run.output).toEqual(bytes(0, 0, 7));
    expect(world.bytes).toBe(encoding === "json" ? "json" : "native");
  });

  it("W14: runs list newest first, page by page, without repeats or gaps", async () => {
    const world = await newWorld(encoding);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await startRun(world, "paged"));
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await world.runs.list({ workflowName: "paged", pagination: { limit: 2, ...(cursor ? { cursor } : {}) }, resolveData: "none" });
      seen.push(...page.data.map((run) => run.runId));
      cursor = page.hasMore ? (page.cursor ?? undefined) : undefined;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
  });

  it("W9, W14, W15: events list in log order both ways and are found by id", async () => {
    const world = await newWorld(encoding);
    const runId = await startRun(world);
    await world.events.create(runId, { eventType: "step_created", correlationId: "step_1", eventData: { stepName: "s", input: bytes(4) } });
    const asc = await world.events.list({ runId, pagination: { limit: 2 } });
    expect(asc.data.map((event) => event.eventType)).toEqual(["run_created", "run_started"]);
    expect(asc.hasMore).toBe(true);
    const rest = await world.events.list({ runId, pagination: { limit: 2, cursor: asc.cursor! } });
    expect(rest.data.map((event) => event.eventType)).toEqual(["step_created"]);
    expect(rest.hasMore).toBe(false);
    const desc = await world.events.list({ runId, pagination: { sortOrder: "desc" } });
    expect(desc.data.map((event) => event.eventType)).toEqual(["step_created", "run_started", "run_created"]);
    const byId = await world.events.get(runId, rest.data[0]!.eventId);
    expect(byId.eventType).toBe("step_created");
    const byCorrelation = await world.events.listByCorrelationId({ correlationId: "step_1" });
    expect(byCorrelation.data.map((event) => event.eventId)).toEqual([byId.eventId]);
  });

  it("W15: a live hook's token is unique across runs, and free again once its run ends", async () => {
    const world = await newWorld(encoding);
    const first = await startRun(world);
    const second = await startRun(world);
    const created = await world.events.create(first, { eventType: "hook_created", correlationId: "hook_a", eventData: { token: "tok" } });
    expect(created.hook?.token).toBe("tok");
    expect((await world.hooks.getByToken("tok")).runId).toBe(first);
    const conflict = await world.events.create(second, { eventType: "hook_created", correlationId: "hook_b", eventData: { token: "tok" } });
    expect(conflict.event?.eventType).toBe("hook_conflict");
    expect(conflict.event?.eventData).toMatchObject({ token: "tok", conflictingRunId: first });
    await world.events.create(first, { eventType: "run_completed", eventData: { output: bytes() } });
    await expect(world.hooks.getByToken("tok")).rejects.toBeInstanceOf(HookNotFoundError);
    const retaken = await world.events.create(second, { eventType: "hook_created", correlationId: "hook_c", eventData: { token: "tok" } });
    expect(retaken.hook?.runId).toBe(second);
  });

  it("hooks list newest first across every active run, or of one run, and end with their run", async () => {
    const world = await newWorld(encoding);
    const first = await startRun(world);
    const second = await startRun(world);
    const pending = (await world.events.create(null, { eventType: "run_created", eventData: { deploymentId: "d1", workflowName: "wf", input: bytes() } })).run!.runId;
    await world.events.create(first, { eventType: "hook_created", correlationId: "hook_1", eventData: { token: "t1" } });
    await world.events.create(second, { eventType: "hook_created", correlationId: "hook_2", eventData: { token: "t2" } });
    await world.events.create(first, { eventType: "hook_created", correlationId: "hook_3", eventData: { token: "t3" } });
    await world.events.create(pending, { eventType: "hook_created", correlationId: "hook_4", eventData: { token: "t4" } });

    const walk = async (runId?: string, sortOrder?: "asc" | "desc") => {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await world.hooks.list({ ...(runId ? { runId } : {}), pagination: { limit: 3, ...(sortOrder ? { sortOrder } : {}), ...(cursor ? { cursor } : {}) } });
        seen.push(...page.data.map((hook) => `${hook.hookId}@${hook.runId === first ? "first" : hook.runId === second ? "second" : "pending"}`));
        cursor = page.hasMore ? (page.cursor ?? undefined) : undefined;
      } while (cursor);
      return seen;
    };
    expect(await walk()).toEqual(["hook_4@pending", "hook_3@first", "hook_2@second", "hook_1@first"]);
    expect(await walk(undefined, "asc")).toEqual(["hook_1@first", "hook_2@second", "hook_3@first", "hook_4@pending"]);
    expect(await walk(first)).toEqual(["hook_3@first", "hook_1@first"]);

    await world.events.create(first, { eventType: "run_completed", eventData: { output: bytes() } });
    expect(await walk()).toEqual(["hook_4@pending", "hook_2@second"]);
    expect(await walk(first)).toEqual([]);
  });

  it("the interface's errors, each where the runtime expects it", async () => {
    const world = await newWorld(encoding);
    const runId = await startRun(world);
    await expect(world.events.create("wrun_01ARZ3NDEKTSV4RRFFQ69G5FAV", { eventType: "run_started" })).rejects.toBeInstanceOf(WorkflowRunNotFoundError);
    await expect(world.events.create(runId, { eventType: "step_completed", correlationId: "nope", eventData: { result: bytes() } })).rejects.toBeInstanceOf(WorkflowWorldError);
    await expect(world.events.create(runId, { eventType: "hook_received", correlationId: "nope", eventData: { payload: bytes() } })).rejects.toBeInstanceOf(HookNotFoundError);

    await world.events.create(runId, { eventType: "step_created", correlationId: "step_1", eventData: { stepName: "s", input: bytes() } });
    await expect(world.events.create(runId, { eventType: "step_created", correlationId: "step_1", eventData: { stepName: "s", input: bytes() } })).rejects.toBeInstanceOf(EntityConflictError);
    await world.events.create(runId, { eventType: "step_started", correlationId: "step_1" });
    await world.events.create(runId, { eventType: "step_retrying", correlationId: "step_1", eventData: { error: bytes(9), retryAfter: new Date(Date.now() + 3_600_000) } });
    await expect(world.events.create(runId, { eventType: "step_started", correlationId: "step_1" })).rejects.toBeInstanceOf(TooEarlyError);

    await world.events.create(runId, { eventType: "step_created", correlationId: "step_2", eventData: { stepName: "s", input: bytes() } });
    await world.events.create(runId, { eventType: "step_started", correlationId: "step_2" });
    await world.events.create(runId, { eventType: "step_completed", correlationId: "step_2", eventData: { result: bytes(1) } });
    await expect(world.events.create(runId, { eventType: "step_completed", correlationId: "step_2", eventData: { result: bytes(1) } })).rejects.toBeInstanceOf(EntityConflictError);
    expect((await world.steps.get(runId, "step_2")).output).toEqual(bytes(1));

    await world.events.create(runId, { eventType: "run_cancelled" });
    await expect(world.events.create(runId, { eventType: "run_started" })).rejects.toBeInstanceOf(RunExpiredError);
    await expect(world.events.create(runId, { eventType: "run_completed", eventData: { output: bytes() } })).rejects.toBeInstanceOf(EntityConflictError);
    await expect(world.events.create(runId, { eventType: "step_created", correlationId: "step_3", eventData: { stepName: "s", input: bytes() } })).rejects.toBeInstanceOf(EntityConflictError);
    expect((await world.events.create(runId, { eventType: "run_cancelled" })).run?.status).toBe("cancelled");
  });

  it("W15: a workflow's attr_set replayed with its correlation id is recorded once; a step's is not deduplicated", async () => {
    const world = await newWorld(encoding);
    const runId = await startRun(world);
    const fromWorkflow: CreateEventRequest = { eventType: "attr_set", correlationId: "attr_1", eventData: { changes: [{ key: "stage", value: "one" }], writer: { type: "workflow" } } };
    await world.events.create(runId, fromWorkflow);
    await expect(world.events.create(runId, fromWorkflow)).rejects.toBeInstanceOf(EntityConflictError);
    const other = await startRun(world);
    await world.events.create(other, fromWorkflow);
    const fromStep: CreateEventRequest = { eventType: "attr_set", correlationId: "attr_2", eventData: { changes: [{ key: "stage", value: "two" }], writer: { type: "step", stepId: "step_1", attempt: 1 } } };
    await world.events.create(runId, fromStep);
    await world.events.create(runId, fromStep);
    const events = await world.events.list({ runId, pagination: { limit: 100 } });
    expect(events.data.filter((event) => event.eventType === "attr_set").map((event) => event.correlationId)).toEqual(["attr_1", "attr_2", "attr_2"]);
    expect((await world.runs.get(runId)).attributes).toEqual({ stage: "two" });
  });

  it("W8: concurrent writers to one run all land, each event once", async () => {
    const world = await newWorld(encoding);
    const runId = await startRun(world);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => world.events.create(runId, { eventType: "step_created", correlationId: `step_${i}`, eventData: { stepName: "s", input: bytes(i) } })),
    );
    const steps = await world.steps.list({ runId, pagination: { limit: 100 } });
    expect(steps.data).toHaveLength(20);
    const events = await world.events.list({ runId, pagination: { limit: 100 } });
    expect(events.data.filter((event) => event.eventType === "step_created")).toHaveLength(20);
  });
});

describe("two World processes on one store (each with its own recent runs and events)", () => {
  async function twoWorlds(): Promise<[MooringWorld, MooringWorld]> {
    const backend = createMemoryBackend();
    const first = await createMooringWorld({ backend });
    const second = await createMooringWorld({ backend });
    cleanups.push(async () => {
      await first.close();
      await second.close();
      await backend.close();
    });
    return [first, second];
  }

  it("W8: writes from a World whose last view of the run is stale land once each, gap-free", async () => {
    const [first, second] = await twoWorlds();
    const runId = await startRun(first);
    await second.events.create(runId, { eventType: "step_created", correlationId: "step_a", eventData: { stepName: "s", input: bytes(1) } });
    // first last saw the run before step_a: its guess is overtaken, and its write still lands.
    await first.events.create(runId, { eventType: "step_created", correlationId: "step_b", eventData: { stepName: "s", input: bytes(2) } });
    await second.events.create(runId, { eventType: "step_created", correlationId: "step_c", eventData: { stepName: "s", input: bytes(3) } });
    const events = await first.events.list({ runId, pagination: { limit: 100 } });
    expect(events.data.map((event) => event.correlationId ?? event.eventType)).toEqual(["run_created", "run_started", "step_a", "step_b", "step_c"]);
    expect((await second.steps.list({ runId, pagination: { limit: 10, sortOrder: "asc" } })).data.map((step) => step.stepId)).toEqual(["step_a", "step_b", "step_c"]);
  });

  it("a World that last saw the run running still gets the ended run's errors, not a stale no-op", async () => {
    const [first, second] = await twoWorlds();
    const runId = await startRun(first);
    await second.events.create(runId, { eventType: "run_cancelled" });
    // first's last view says running, where a run_started is an idempotent no-op; the run has ended.
    await expect(first.events.create(runId, { eventType: "run_started" })).rejects.toBeInstanceOf(RunExpiredError);
    await expect(first.events.create(runId, { eventType: "step_created", correlationId: "step_x", eventData: { stepName: "s", input: bytes() } })).rejects.toBeInstanceOf(EntityConflictError);
    expect((await first.runs.get(runId)).status).toBe("cancelled");
  });

  it("a step finished by the other World is not finished twice", async () => {
    const [first, second] = await twoWorlds();
    const runId = await startRun(first);
    await first.events.create(runId, { eventType: "step_created", correlationId: "step_1", eventData: { stepName: "s", input: bytes() } });
    await first.events.create(runId, { eventType: "step_started", correlationId: "step_1" });
    await second.events.create(runId, { eventType: "step_completed", correlationId: "step_1", eventData: { result: bytes(5) } });
    await expect(first.events.create(runId, { eventType: "step_completed", correlationId: "step_1", eventData: { result: bytes(6) } })).rejects.toBeInstanceOf(EntityConflictError);
    expect((await first.steps.get(runId, "step_1")).output).toEqual(bytes(5));
  });
});

describe("RecentCache", () => {
  it("forgets the entry used least recently, and hands out copies", () => {
    const cache = new RecentCache<{ n: number[] }>(2);
    cache.set("a", { n: [1] });
    cache.set("b", { n: [2] });
    cache.get("a")!.n.push(99);
    cache.set("c", { n: [3] });
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")).toEqual({ n: [1] });
    expect(cache.get("c")).toEqual({ n: [3] });
    expect(cache.size).toBe(2);
  });
});

describe("capabilities", () => {
  it("a backend without concurrencyKeys is refused, naming it", async () => {
    const backend = createMemoryBackend();
    try {
      const missing = missingCapabilities({ capabilities: { ...backend.capabilities, concurrencyKeys: false } });
      expect(missing.map((entry) => entry.capability)).toEqual(["concurrencyKeys"]);
      expect(missing[0]!.neededFor).toMatch(/E20/);
    } finally {
      await backend.close();
    }
  });
});
