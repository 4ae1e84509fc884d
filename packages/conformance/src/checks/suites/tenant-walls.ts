/**
 * Tenant walls (SPEC T1, S4, W5; SPEC §10.8, §10.9).
 *
 * Ids that differ only in characters a naive key scheme or a LIKE / glob pattern would conflate
 * (`a:b` vs `a`, `a%` vs `ab`, `a_c` vs `abc`, `*`, `{x}` vs `x`, `a/b`, prefixes of each other,
 * normalization and case twins) must name different things: runs and their logs, steps,
 * definitions, keys, cached snapshots and owned keys (`deleteExecutionState`), tasks and queues,
 * signal keys and idempotency keys. The same holds of tenants whose ids are such twins (`t` vs `t:1`,
 * `t` vs `t1`, `t%` vs `tx`): the same names in both are independent, and `deleteRun`,
 * `deleteExecutionState`, claims, sweeps and signals never reach the neighbour.
 *
 * Under concurrent load, several clients drive several such tenants at once, and each tenant's
 * observations afterwards are exactly its own; and (the randomized form of T1) any script of
 * operations per tenant, run concurrently with other tenants' scripts, leaves each tenant with
 * exactly the observations the same script gives a tenant that runs alone.
 */
import fc from "fast-check";
import { type Backend, executionKey, type Lease, type TaskRecord } from "@mooring/core";
import { assertProperty } from "../../fast-check.js";
import { type Check, type CheckContext, defineCheck } from "../../registry.js";
import { brief, CONFLATING_PAIRS, ensure, sameData, within } from "../support/index.js";

/** Tenant-id twins: the first is `t`, a prefix, a pattern or a hash tag of the second. */
const TENANT_TWINS: readonly (readonly [string, string])[] = [
  ["t", "t:1"],
  ["t", "t1"],
  ["t%", "tx"],
  ["t_", "tx"],
  ["t*", "t"],
  ["{t}", "t"],
  ["t", "T"],
  ["t/x", "t"],
];

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

// ---------------------------------------------------------------------------------------------
// Conflating ids within one tenant

/** Runs `scenario(mine, neighbour)` for every pair in both directions, each in a fresh tenant. */
async function eachPair(ctx: CheckContext, prefix: string, scenario: (view: Backend, mine: string, neighbour: string, what: string) => Promise<void>): Promise<void> {
  for (const [x, y] of CONFLATING_PAIRS) {
    for (const [mine, neighbour] of [
      [x, y],
      [y, x],
    ] as const) {
      await scenario(ctx.backend.forTenant(ctx.unique(prefix)), mine, neighbour, `${brief(mine)} next to ${brief(neighbour)}`);
    }
  }
}

const conflatingRuns = defineCheck({
  id: "T1.conflating-ids-runs",
  rule: "T1",
  title: "run, step and definition ids a key scheme or LIKE would conflate stay apart; deleteRun removes only its own run",
  requires: ["runs", "events", "tenancy"],
  kind: "example",
  async run(ctx) {
    await eachPair(ctx, "walls-runs", async (view, mine, neighbour, what) => {
      const { workflows } = view;
      for (const [id, input] of [
        [mine, "mine"],
        [neighbour, "neighbour"],
      ] as const) {
        const created = await within(() => workflows.createRun({ id, workflowId: id, version: "1", input }), "createRun");
        sameData(created.created, true, `createRun of ${brief(id)} (${what})`);
        await within(() => workflows.putDefinition({ id, version: "1", spec: input }), "putDefinition");
      }
      await within(() => workflows.appendEvents(mine, [{ type: "mine-1" }, { type: "mine-2" }]), "appendEvents");
      await within(() => workflows.appendEvents(neighbour, [{ type: "neighbour-1" }]), "appendEvents");
      await within(() => workflows.upsertStep(mine, { id: neighbour, status: "running", name: "mine" }), "upsertStep");
      await within(() => workflows.upsertStep(neighbour, { id: mine, status: "running", name: "neighbour" }), "upsertStep");
      sameData((await within(() => workflows.getDefinition(neighbour, "1"), "getDefinition"))?.spec, "neighbour", `the neighbour's definition (${what})`);
      sameData((await within(() => workflows.listDefinitions(mine), "listDefinitions")).map((d) => [d.id, d.spec]), [[mine, "mine"]], `listDefinitions of mine (${what})`);
      sameData([await workflows.latestSequence(mine), await workflows.latestSequence(neighbour)], [2, 1], `latestSequence of mine and of the neighbour (${what})`);

      sameData(await within(() => workflows.deleteRun(mine), "deleteRun"), true, `deleteRun of mine (${what})`);
      sameData(await within(() => workflows.getRun(mine), "getRun"), null, `getRun of mine after deleteRun (${what})`);
      sameData(await within(() => workflows.readEvents(mine), "readEvents"), [], `readEvents of mine after deleteRun (${what})`);
      const run = await within(() => workflows.getRun(neighbour), "getRun");
      sameData(run && [run.id, run.input], [neighbour, "neighbour"], `the neighbour's run after deleteRun of mine (${what})`);
      sameData((await within(() => workflows.readEvents(neighbour), "readEvents")).map((e) => [e.sequence, e.type]), [[1, "neighbour-1"]], `the neighbour's events after deleteRun of mine (${what})`);
      sameData((await within(() => workflows.listSteps(neighbour), "listSteps")).map((s) => [s.id, s.name]), [[mine, "neighbour"]], `the neighbour's steps after deleteRun of mine (${what})`);
      sameData((await within(() => workflows.listRuns({ limit: 100 }), "listRuns")).items.map((r) => r.id), [neighbour], `listRuns after deleteRun of mine (${what})`);
      sameData(await within(() => workflows.deleteRun(mine), "deleteRun"), false, `deleteRun of mine again (${what})`);
    });
  },
});

const conflatingState = defineCheck({
  id: "T1.conflating-ids-state",
  rule: "T1",
  title: "keys and execution ids a key scheme or glob would conflate stay apart; deleteExecutionState removes only its own execution's state",
  requires: ["kv", "tenancy"],
  kind: "example",
  async run(ctx) {
    await eachPair(ctx, "walls-state", async (view, mine, neighbour, what) => {
      const { state } = view;
      await within(() => state.set(mine, bytes(1)), "set");
      await within(() => state.set(neighbour, bytes(2)), "set");
      sameData([await state.get(mine), await state.get(neighbour)], [bytes(1), bytes(2)], `get of mine and of the neighbour (${what})`);
      sameData(await within(() => state.delete(mine), "delete"), true, `delete of mine (${what})`);
      sameData([await state.get(neighbour), await state.exists(neighbour), await state.exists(mine)], [bytes(2), true, false], `the neighbour's key after delete of mine (${what})`);

      // Owned keys, cached snapshots, and plain keys that merely start like an owned key.
      const lookalike = `${mine}/k`;
      for (const [id, value] of [
        [mine, 1],
        [neighbour, 2],
      ] as const) {
        await within(() => state.saveSnapshot({ executionId: id, sequence: value, state: value }), "saveSnapshot");
        await within(() => state.set(executionKey(id, "k"), bytes(value)), "set");
        await within(() => state.set(executionKey(id, neighbour), bytes(value)), "set");
      }
      await within(() => state.set(lookalike, bytes(3)), "set");
      sameData(await within(() => state.deleteExecutionState(mine), "deleteExecutionState"), 3, `deleteExecutionState of mine: its snapshot and two keys (${what})`);
      sameData([await state.loadSnapshot(mine), await state.get(executionKey(mine, "k"))], [null, null], `mine after deleteExecutionState (${what})`);
      sameData([(await state.loadSnapshot(neighbour))?.state, await state.get(executionKey(neighbour, "k")), await state.get(executionKey(neighbour, neighbour)), await state.get(lookalike)], [2, bytes(2), bytes(2), bytes(3)], `the neighbour's state after deleteExecutionState of mine (${what})`);
      sameData((await within(() => state.listSnapshots({ limit: 100 }), "listSnapshots")).items, [neighbour], `listSnapshots after deleteExecutionState of mine (${what})`);
    });
  },
});

const conflatingEngine = defineCheck({
  id: "T1.conflating-ids-engine",
  rule: "T1",
  title: "queue names, signal keys and idempotency keys a key scheme or pattern would conflate stay apart",
  requires: ["leases", "idempotency", "signals", "queueControl", "deadLetter", "tenancy"],
  kind: "example",
  async run(ctx) {
    await eachPair(ctx, "walls-engine", async (view, mine, neighbour, what) => {
      const { engine } = view;
      const own = [await engine.enqueue({ queue: mine, payload: "mine" }), await engine.enqueue({ queue: mine, payload: "mine" })].map((r) => r.id);
      const other = (await engine.enqueue({ queue: neighbour, payload: "neighbour", maxAttempts: 1 })).id;
      const leases = await within(() => engine.claim({ workerId: "w", queues: [mine], leaseMs: 60_000, limit: 10 }), "claim");
      sameData(leases.map((lease) => lease.taskId).sort(), [...own].sort(), `claim from my queue (${what})`);
      await within(() => engine.setQueue(mine, { paused: true }), "setQueue");
      const stats = await within(() => engine.queueStats(neighbour), "queueStats");
      sameData([stats.queue, stats.paused, stats.counts.ready, stats.counts.leased], [neighbour, false, 1, 0], `the neighbour queue's stats (${what})`);
      sameData((await engine.queueStats(mine)).counts.leased, 2, `my queue's counts (${what})`);
      const [theirs] = await within(() => engine.claim({ workerId: "w", queues: [neighbour], leaseMs: 60_000 }), "claim");
      sameData(theirs?.taskId, other, `claim from the neighbour queue (${what})`);
      await within(() => engine.fail(theirs as Lease, { error: "x", retryable: false }), "fail");
      sameData((await within(() => engine.listDeadLetters({ limit: 10, queue: mine }), "listDeadLetters")).items, [], `dead letters of my queue (${what})`);
      sameData((await engine.listDeadLetters({ limit: 10, queue: neighbour })).items.map((t) => t.id), [other], `dead letters of the neighbour queue (${what})`);

      // Idempotency keys in one queue, and signal idempotency keys.
      const first = await within(() => engine.enqueue({ queue: "idem", idempotencyKey: mine }), "enqueue");
      const second = await within(() => engine.enqueue({ queue: "idem", idempotencyKey: neighbour }), "enqueue");
      sameData([first.created, second.created, first.id === second.id], [true, true, false], `enqueues with twin idempotency keys (${what})`);
      const signalled = [await engine.signal({ key: "k", payload: 1, idempotencyKey: mine }), await engine.signal({ key: "k", payload: 2, idempotencyKey: neighbour })];
      sameData(signalled.map((s) => s.duplicate), [false, false], `signals with twin idempotency keys (${what})`);

      // Signal keys: a signal on the neighbour key neither wakes my waiter nor is taken by it.
      await engine.enqueue({ queue: "waiters", payload: "waiter" });
      const [waiter] = await engine.claim({ workerId: "w", queues: ["waiters"], leaseMs: 60_000 });
      ensure(waiter !== undefined, `claim of the waiter granted nothing (${what})`);
      sameData(await within(() => engine.suspend(waiter, { keys: [mine] }), "suspend"), { suspended: true }, `suspend on my key (${what})`);
      sameData((await within(() => engine.signal({ key: neighbour, payload: "neighbour" }), "signal")).deliveredTo, [], `a signal on the neighbour key (${what})`);
      sameData((await engine.getTask(waiter.taskId))?.state, "suspended", `my waiter after a signal on the neighbour key (${what})`);
      sameData((await engine.signal({ key: mine, payload: "mine" })).deliveredTo, [waiter.taskId], `a signal on my key (${what})`);
      await engine.enqueue({ queue: "waiters", payload: "second waiter" });
      const leased = await engine.claim({ workerId: "w", queues: ["waiters"], leaseMs: 60_000, limit: 2 });
      const resumed = leased.find((lease) => lease.taskId === waiter.taskId);
      sameData(resumed?.signals?.map((s) => s.payload), ["mine"], `the signals my resumed waiter carries (${what})`);
      const next = leased.find((lease) => lease.taskId !== waiter.taskId);
      ensure(next !== undefined, `the second waiter was not claimed (${what})`);
      const taken = await within(() => engine.suspend(next, { keys: [neighbour] }), "suspend");
      sameData(taken.suspended ? null : taken.signals.map((s) => s.payload), ["neighbour"], `a suspend on the neighbour key takes its buffered signal (${what})`);
    });
  },
});

// ---------------------------------------------------------------------------------------------
// Twin tenants

/** The names one twin scenario plants in both tenants (the same names in each). */
interface TwinNames {
  readonly run: string;
  readonly definition: string;
  readonly key: string;
  readonly execution: string;
  readonly queue: string;
  readonly waiting: string;
  readonly signal: string;
  readonly idempotencyKey: string;
}

const twinNames = (suffix: string): TwinNames => ({
  run: `r${suffix}`,
  definition: `d${suffix}`,
  key: `k${suffix}`,
  execution: `e${suffix}`,
  queue: `q${suffix}`,
  waiting: `waiting${suffix}`,
  signal: `s${suffix}`,
  idempotencyKey: `i${suffix}`,
});

interface Planted {
  readonly taskId: string;
  readonly lease: Lease;
  readonly waiting: string;
}

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
const decode = (value: Uint8Array | null): string | null => (value === null ? null : new TextDecoder().decode(value));

/** The same names in a tenant, with `label` in every value so that a leak shows whose it is. */
async function plant(view: Backend, names: TwinNames, label: string, events: number): Promise<Planted> {
  const { workflows, state, engine } = view;
  await workflows.createRun({ id: names.run, workflowId: "w", version: "1", input: label });
  await workflows.appendEvents(names.run, Array.from({ length: events }, () => ({ type: "e", payload: label })));
  await workflows.putDefinition({ id: names.definition, version: "1", spec: label });
  await state.set(names.key, encode(label));
  await state.saveSnapshot({ executionId: names.execution, sequence: 1, state: label });
  await state.set(executionKey(names.execution, "k"), encode(label));
  const taskId = (await engine.enqueue({ queue: names.queue, payload: label, idempotencyKey: names.idempotencyKey })).id;
  const [lease] = await engine.claim({ workerId: "worker", queues: [names.queue], leaseMs: 1_000 });
  ensure(lease?.taskId === taskId, `the claim in tenant ${brief(view.tenantId)} did not return its own task: ${brief(lease)}`);
  const waiting = (await engine.enqueue({ queue: names.waiting, payload: label })).id;
  const [waiter] = await engine.claim({ workerId: "worker", queues: [names.waiting], leaseMs: 60_000 });
  ensure(waiter?.taskId === waiting, `the waiter's claim in tenant ${brief(view.tenantId)} did not return its own task`);
  sameData(await engine.suspend(waiter, { keys: [names.signal] }), { suspended: true }, `suspend in tenant ${brief(view.tenantId)}`);
  return { taskId, lease, waiting };
}

/** Plants the same names in both tenants and checks that nothing of one reaches the other. */
async function twinScenario(ctx: CheckContext, mine: Backend, neighbour: Backend, names: TwinNames): Promise<void> {
  const what = `tenant ${brief(mine.tenantId)} next to ${brief(neighbour.tenantId)}`;
  const ours = await plant(mine, names, "mine", 2);
  const theirs = await plant(neighbour, names, "neighbour", 1);

  // Each sees its own, under the same names.
  for (const [view, label, planted, events] of [
    [mine, "mine", ours, 2],
    [neighbour, "neighbour", theirs, 1],
  ] as const) {
    sameData((await view.workflows.getRun(names.run))?.input, label, `the run in ${label} (${what})`);
    sameData((await view.workflows.readEvents(names.run)).map((e) => e.payload), Array(events).fill(label), `the events of the run in ${label} (${what})`);
    sameData((await view.workflows.getDefinition(names.definition, "1"))?.spec, label, `the definition in ${label} (${what})`);
    sameData(decode(await view.state.get(names.key)), label, `the key in ${label} (${what})`);
    sameData((await view.engine.queueStats(names.queue)).counts.leased, 1, `the queue's leased count in ${label} (${what})`);
    ensure((await view.workflows.listRuns({ limit: 1000 })).items.every((run) => run.input === label), `listRuns in ${label} shows another tenant's run (${what})`);
    ensure((await view.state.listSnapshots({ limit: 1000 })).items.includes(names.execution), `listSnapshots in ${label} lacks its execution (${what})`);
    sameData(await view.engine.enqueue({ queue: names.queue, idempotencyKey: names.idempotencyKey }), { id: planted.taskId, created: false }, `the idempotency key in ${label} (${what})`);
  }
  sameData(await mine.engine.getTask(theirs.taskId), null, `the other tenant's task read from ${brief(mine.tenantId)} (${what})`);
  sameData(await neighbour.engine.getTask(ours.taskId), null, `the other tenant's task read from ${brief(neighbour.tenantId)} (${what})`);

  // Signals stay home: a signal in mine wakes only mine's waiter.
  sameData((await mine.engine.signal({ key: names.signal, payload: "mine" })).deliveredTo, [ours.waiting], `a signal (${what})`);
  sameData((await neighbour.engine.getTask(theirs.waiting))?.state, "suspended", `the neighbour's waiter after mine's signal (${what})`);

  // Sweeps stay home.
  ctx.clock.advance(1_000);
  sameData(await mine.engine.reclaimExpired(), { retried: [ours.taskId], deadLettered: [] }, `reclaimExpired in mine (${what})`);
  const task: TaskRecord | null = await neighbour.engine.getTask(theirs.taskId);
  sameData(task && [task.state, task.attempt, task.lastError], ["leased", 1, null], `the neighbour's expired task after mine's sweep (${what})`);

  // Deletes stay home.
  sameData(await mine.workflows.deleteRun(names.run), true, `deleteRun in mine (${what})`);
  sameData(await mine.state.deleteExecutionState(names.execution), 2, `deleteExecutionState in mine (${what})`);
  sameData(await mine.state.delete(names.key), true, `delete in mine (${what})`);
  sameData([
      (await neighbour.workflows.getRun(names.run))?.input,
      (await neighbour.workflows.readEvents(names.run)).length,
      (await neighbour.state.loadSnapshot(names.execution))?.state,
      decode(await neighbour.state.get(executionKey(names.execution, "k"))),
      decode(await neighbour.state.get(names.key)),
    ], ["neighbour", 1, "neighbour", "neighbour", "neighbour"], `the neighbour after mine deleted its run, execution state and key (${what})`);
  sameData(await neighbour.engine.reclaimExpired(), { retried: [theirs.taskId], deadLettered: [] }, `reclaimExpired in the neighbour (${what})`);
}

const twinTenants = defineCheck({
  id: "T1.twin-tenants",
  rule: "T1",
  title: "tenants whose ids are prefixes, patterns or hash tags of each other (t, t:1, t1, t%, {t}, default) hold the same names independently; deletes, claims, sweeps and signals stay home",
  requires: ["runs", "events", "kv", "leases", "idempotency", "signals", "queueControl", "reclaim", "tenancy"],
  kind: "example",
  async run(ctx) {
    for (const [x, y] of TENANT_TWINS) {
      for (const [mineName, neighbourName] of [
        [x, y],
        [y, x],
      ] as const) {
        // Fresh twins for each direction, under a common prefix that keeps their relation.
        const prefix = ctx.unique("twin");
        await twinScenario(ctx, ctx.backend.forTenant(`${prefix}${mineName}`), ctx.backend.forTenant(`${prefix}${neighbourName}`), twinNames(""));
      }
    }
    // The root view's tenant ("default") and tenants it is a prefix of, with names of their own.
    const root = ctx.backend;
    await twinScenario(ctx, root, root.forTenant(`${root.tenantId}:1`), twinNames(ctx.unique("-root-a")));
    await twinScenario(ctx, root.forTenant(`${root.tenantId}1`), root, twinNames(ctx.unique("-root-b")));
  },
});

// ---------------------------------------------------------------------------------------------
// Concurrent load

const LOAD_TENANTS = ["t", "t:1", "t1", "t%"] as const;
const LOAD_TASKS = 24;
const LOAD_BATCHES = 4;
const LOAD_KEYS = 8;

interface TenantLoad {
  readonly label: string;
  /** One view of the tenant per client. */
  readonly views: readonly Backend[];
  readonly taskIds: string[];
  readonly leases: Lease[];
  readonly dead: string[];
}

async function driveTenant(load: TenantLoad): Promise<void> {
  const [first] = load.views;
  if (!first) throw new Error("kit bug: a tenant load without views");
  await first.workflows.createRun({ id: "r", workflowId: "load", version: "1" });
  const enqueued = await first.engine.enqueueMany(Array.from({ length: LOAD_TASKS }, (_, n) => ({ queue: "q", payload: { tenant: load.label, n }, maxAttempts: 1 })));
  load.taskIds.push(...enqueued.map((r) => r.id));
  await Promise.all(
    load.views.map(async (view, client) => {
      const appends = Array.from({ length: LOAD_BATCHES }, () => view.workflows.appendEvents("r", [{ type: "a", payload: { tenant: load.label, client } }, { type: "b", payload: { tenant: load.label, client } }]));
      const sets = Array.from({ length: LOAD_KEYS }, (_, n) => (n % load.views.length === client ? view.state.set(`k-${n}`, new TextEncoder().encode(load.label)) : Promise.resolve()));
      const signal = view.engine.signal({ key: "s", payload: { tenant: load.label, client }, idempotencyKey: `i-${client}` });
      const work = (async () => {
        for (;;) {
          const leases = await view.engine.claim({ workerId: `${load.label}-${client}`, queues: ["q"], leaseMs: 60_000, limit: 3 });
          if (leases.length === 0) return;
          load.leases.push(...leases);
          await Promise.all(
            leases.map(async (lease) => {
              const n = (lease.payload as { n?: unknown } | null)?.n;
              if (typeof n === "number" && n % 4 === 0) {
                await view.engine.fail(lease, { error: load.label, retryable: false });
                load.dead.push(lease.taskId);
              } else {
                await view.engine.complete(lease, { result: load.label });
              }
            }),
          );
        }
      })();
      await Promise.all([...appends, ...sets, signal, work]);
    }),
  );
}

const wallsUnderLoad = defineCheck({
  id: "T1.walls-under-load",
  rule: "T1",
  title: "three clients driving four twin tenants at once (enqueue, claim, complete, fail, appends, KV, signals): each tenant observes exactly its own",
  requires: ["runs", "events", "kv", "leases", "signals", "queueControl", "deadLetter", "tenancy"],
  kind: "race",
  async run(ctx) {
    const clients = [ctx.backend, await ctx.connect(), await ctx.connect()];
    const prefix = ctx.unique("load");
    const loads: TenantLoad[] = LOAD_TENANTS.map((name) => ({
      label: `${prefix}${name}`,
      views: clients.map((client) => client.forTenant(`${prefix}${name}`)),
      taskIds: [],
      leases: [],
      dead: [],
    }));
    await within(() => Promise.all(loads.map(driveTenant)), "the concurrent load on four tenants");

    const everyTask = new Set(loads.flatMap((load) => load.taskIds));
    for (const load of loads) {
      const view = load.views[0] as Backend;
      const what = `tenant ${brief(load.label)}`;
      const own = new Set(load.taskIds);
      ensure(
        load.leases.every((lease) => own.has(lease.taskId) && (lease.payload as { tenant?: unknown }).tenant === load.label),
        `${what}: a claim returned another tenant's task: ${brief(load.leases.filter((lease) => !own.has(lease.taskId)))}`,
      );
      sameData(load.leases.map((lease) => lease.taskId).sort(), [...load.taskIds].sort(), `${what}: tasks leased (each own task once)`);
      const stats = await view.engine.queueStats("q");
      const dead = LOAD_TASKS / 4;
      sameData(stats.counts, { scheduled: 0, ready: 0, leased: 0, completed: LOAD_TASKS - dead, dead, cancelled: 0, suspended: 0, blocked: 0 }, `${what}: queueStats("q") counts`);
      sameData((await view.engine.listDeadLetters({ limit: 1000 })).items.map((task) => task.id).sort(), [...load.dead].sort(), `${what}: listDeadLetters`);
      sameData((await view.workflows.listRuns({ limit: 100 })).items.map((run) => run.id), ["r"], `${what}: listRuns`);
      const events = await view.workflows.readEvents("r");
      sameData(events.map((event) => event.sequence), Array.from({ length: clients.length * LOAD_BATCHES * 2 }, (_, i) => i + 1), `${what}: the sequences of "r"`);
      ensure(events.every((event) => (event.payload as { tenant?: unknown }).tenant === load.label), `${what}: the log of "r" holds another tenant's events`);
      for (let n = 0; n < LOAD_KEYS; n++) sameData(await view.state.get(`k-${n}`), new TextEncoder().encode(load.label), `${what}: the key k-${n}`);
      // The three signals each client buffered on "s", and no other tenant's.
      await view.engine.enqueue({ queue: "probe", payload: null });
      const [probe] = await view.engine.claim({ workerId: "probe", queues: ["probe"], leaseMs: 60_000 });
      ensure(probe !== undefined, `${what}: the probe task was not claimed`);
      const taken = await view.engine.suspend(probe, { keys: ["s"] });
      sameData(taken.suspended ? [] : taken.signals.map((signal) => (signal.payload as { tenant?: unknown }).tenant), clients.map(() => load.label), `${what}: the signals buffered on "s"`);
      for (const foreign of everyTask) {
        if (!own.has(foreign)) sameData(await view.engine.getTask(foreign), null, `${what}: getTask of another tenant's task`);
      }
    }
  },
});

// ---------------------------------------------------------------------------------------------
// Randomized: concurrent tenants observe what a tenant alone would

const QUEUES = ["q", "q:1", "q%"] as const;
const RUNS = ["r", "r:1", "r_"] as const;
const KEYS = ["k", "k:1", "k*"] as const;
const EXECUTIONS = ["e", "e:1"] as const;
const SIGNALS = ["s", "s:{1}"] as const;

type Command =
  | { readonly kind: "enqueue"; readonly queue: number; readonly tag: number }
  | { readonly kind: "work"; readonly queue: number; readonly settle: "complete" | "fail" | "hold" }
  | { readonly kind: "createRun"; readonly run: number }
  | { readonly kind: "append"; readonly run: number; readonly count: number }
  | { readonly kind: "deleteRun"; readonly run: number }
  | { readonly kind: "set"; readonly key: number; readonly tag: number }
  | { readonly kind: "delete"; readonly key: number }
  | { readonly kind: "save"; readonly execution: number; readonly tag: number }
  | { readonly kind: "deleteExecution"; readonly execution: number }
  | { readonly kind: "signal"; readonly key: number; readonly tag: number };

const index = (max: number): fc.Arbitrary<number> => fc.nat({ max: max - 1 });
const tag = fc.nat({ max: 9 });

const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ kind: fc.constant("enqueue" as const), queue: index(QUEUES.length), tag }),
  fc.record({ kind: fc.constant("work" as const), queue: index(QUEUES.length), settle: fc.constantFrom("complete" as const, "fail" as const, "hold" as const) }),
  fc.record({ kind: fc.constant("createRun" as const), run: index(RUNS.length) }),
  fc.record({ kind: fc.constant("append" as const), run: index(RUNS.length), count: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant("deleteRun" as const), run: index(RUNS.length) }),
  fc.record({ kind: fc.constant("set" as const), key: index(KEYS.length), tag }),
  fc.record({ kind: fc.constant("delete" as const), key: index(KEYS.length) }),
  fc.record({ kind: fc.constant("save" as const), execution: index(EXECUTIONS.length), tag }),
  fc.record({ kind: fc.constant("deleteExecution" as const), execution: index(EXECUTIONS.length) }),
  fc.record({ kind: fc.constant("signal" as const), key: index(SIGNALS.length), tag }),
);

/**
 * A tenant's script: up to 11 random commands with one signal among them, so that every run of the
 * property calls into each capability it requires (signals are the only facet no observation reads).
 */
const script: fc.Arbitrary<Command[]> = fc
  .tuple(fc.array(command, { maxLength: 11 }), fc.record({ kind: fc.constant("signal" as const), key: index(SIGNALS.length), tag }), fc.nat())
  .map(([commands, signal, position]) => {
    const cut = position % (commands.length + 1);
    return [...commands.slice(0, cut), signal, ...commands.slice(cut)];
  });

const at = <T>(list: readonly T[], i: number): T => list[i % list.length] as T;

/** Names generated ids by their order of appearance, so that two stores' ids compare. */
class Aliases {
  readonly #names = new Map<string, string>();
  readonly #prefix: string;

  constructor(prefix: string) {
    this.#prefix = prefix;
  }

  of(id: string): string {
    let name = this.#names.get(id);
    if (name === undefined) this.#names.set(id, (name = `${this.#prefix}${this.#names.size}`));
    return name;
  }

  /** The name of an id seen before; an id never seen reads as such, so that a comparison fails on it. */
  known(id: string): string {
    return this.#names.get(id) ?? `<an id the script never saw: ${id}>`;
  }

  ids(): string[] {
    return [...this.#names.keys()];
  }
}

interface ScriptRun {
  readonly answers: unknown[];
  readonly tasks: Aliases;
}

/**
 * Runs `script` on `view` one command at a time and returns what each command answered, with
 * task and signal ids replaced by their order of appearance (they are generated per store).
 */
async function runScript(view: Backend, script: readonly Command[]): Promise<ScriptRun> {
  const tasks = new Aliases("task#");
  const signals = new Aliases("signal#");
  const answers: unknown[] = [];
  const { engine, workflows, state } = view;
  for (const step of script) {
    let answer: unknown;
    try {
      switch (step.kind) {
        case "enqueue":
          answer = tasks.of((await engine.enqueue({ queue: at(QUEUES, step.queue), payload: step.tag })).id);
          break;
        case "work": {
          const leases = await engine.claim({ workerId: "w", queues: [at(QUEUES, step.queue)], leaseMs: 60_000 });
          for (const lease of leases) {
            if (step.settle === "complete") await engine.complete(lease, { result: "done" });
            if (step.settle === "fail") await engine.fail(lease, { error: "f", retryable: false });
          }
          answer = leases.map((lease) => [tasks.of(lease.taskId), lease.payload, lease.epoch]);
          break;
        }
        case "createRun":
          answer = (await workflows.createRun({ id: at(RUNS, step.run), workflowId: "w", version: "1" })).created;
          break;
        case "append":
          answer = await workflows.appendEvents(at(RUNS, step.run), Array.from({ length: step.count }, (_, n) => ({ type: "e", payload: n })));
          break;
        case "deleteRun":
          answer = await workflows.deleteRun(at(RUNS, step.run));
          break;
        case "set":
          answer = await state.set(at(KEYS, step.key), bytes(step.tag));
          break;
        case "delete":
          answer = await state.delete(at(KEYS, step.key));
          break;
        case "save": {
          const execution = at(EXECUTIONS, step.execution);
          await state.saveSnapshot({ executionId: execution, sequence: step.tag, state: step.tag });
          answer = await state.set(executionKey(execution, "owned"), bytes(step.tag));
          break;
        }
        case "deleteExecution":
          answer = await state.deleteExecutionState(at(EXECUTIONS, step.execution));
          break;
        case "signal": {
          const sent = await engine.signal({ key: at(SIGNALS, step.key), payload: step.tag });
          answer = [signals.of(sent.signalId), sent.deliveredTo.map((id) => tasks.known(id))];
          break;
        }
      }
    } catch (error) {
      answer = { error: (error as { code?: unknown }).code ?? String(error) };
    }
    answers.push(answer);
  }
  return { answers, tasks };
}

/** Everything the tenant shows under the script's names, with generated ids replaced by their aliases. */
async function observeTenant(view: Backend, tasks: Aliases): Promise<unknown> {
  // updatedAt is not compared: no rule says whether a read that materializes a state moves it.
  const task = (record: TaskRecord | null): unknown => record && { ...record, id: tasks.known(record.id), updatedAt: 0 };
  const { engine, workflows, state } = view;
  return {
    runs: (await workflows.listRuns({ limit: 100 })).items.map((run) => run.id),
    logs: await Promise.all(RUNS.map(async (run) => (await workflows.readEvents(run)).map((event) => [event.sequence, event.payload]))),
    values: await Promise.all(KEYS.map((key) => state.get(key))),
    cached: (await state.listSnapshots({ limit: 100 })).items,
    owned: await Promise.all(EXECUTIONS.map((execution) => state.get(executionKey(execution, "owned")))),
    queues: await Promise.all(QUEUES.map(async (queue) => (await engine.queueStats(queue)).counts)),
    dead: (await engine.listDeadLetters({ limit: 100 })).items.map((record) => task(record)),
    tasks: await Promise.all(tasks.ids().map(async (id) => task(await engine.getTask(id)))),
  };
}

const matchesSolo = defineCheck({
  id: "T1.concurrent-tenants-match-solo",
  rule: "T1",
  title: "property: scripts run at once in three twin tenants over several clients leave each tenant exactly as the same script leaves a tenant alone",
  requires: ["runs", "events", "kv", "leases", "signals", "queueControl", "deadLetter", "tenancy"],
  kind: "property",
  async run(ctx) {
    const clients = [ctx.backend, await ctx.connect(), await ctx.connect()];
    const scripts = fc.array(script, { minLength: 3, maxLength: 3 });
    await assertProperty(
      ctx,
      fc.asyncProperty(scripts, async (perTenant) => {
        const prefix = ctx.unique("solo");
        const names = ["t", "t:1", "t%"].map((name) => `${prefix}${name}`);
        const together = await within(() =>
          Promise.all(perTenant.map((script, i) => runScript((clients[i % clients.length] as Backend).forTenant(names[i] as string), script))), "the tenants' scripts run at once");
        for (const [i, script] of perTenant.entries()) {
          const shared = (clients[0] as Backend).forTenant(names[i] as string);
          const alone = ctx.backend.forTenant(`${prefix}alone-${i}`);
          const solo = await runScript(alone, script);
          const concurrent = together[i] as ScriptRun;
          sameData(concurrent.answers, solo.answers, `tenant ${brief(names[i])}: the answers of its script run beside other tenants vs alone`);
          sameData(await observeTenant(shared, concurrent.tasks), await observeTenant(alone, solo.tasks), `tenant ${brief(names[i])}: its observations after its script ran beside other tenants vs alone`);
        }
      }),
      { scale: 0.15 },
    );
  },
});

export const checks: Check[] = [conflatingRuns, conflatingState, conflatingEngine, twinTenants, wallsUnderLoad, matchesSolo];
