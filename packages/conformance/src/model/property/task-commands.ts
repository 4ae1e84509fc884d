/**
 * Commands over the EngineBackend (SPEC E1–E17): enqueue, claim, the fenced holder calls (with
 * leases as granted and forged), operator calls, reclaim, dead letters, signals, dependencies,
 * queue control, and the passing of time.
 */
import { type Backoff, type EnqueueInput, type EnqueueResult, hasCapability, type Json, type Lease, type ReclaimResult, type TaskRecord, TERMINAL_TASK_STATES } from "@mooring/core";
import fc from "fast-check";
import { ok, type Outcome } from "../outcome.js";
import { forgedLeaseIds } from "../../checks/support/index.js";
import { choose, clockStep, type Forgery, forgery, json, leaseIdForgery, optional, pick, recent, sometimes, type Target, target, tenant } from "./arbitraries.js";
import { step, type WorldCommand } from "./step.js";
import {
  type PropertyWorld,
  comparedTask,
  sameOutcome,
  type HeldLease,
  leaseToModel,
  modelLease,
  observe,
  type Observed,
  QUEUES,
  SIGNAL_KEYS,
  signalToModel,
  taskToModel,
  type TenantSlot,
} from "./world.js";

/** The leaseId a forged lease carries in the model: one the model never grants (it grants `<task>@<epoch>`). */
const FORGED_MODEL_LEASE_ID = "forged";

/** A task id no backend ever issues, and the model id of every task the tenant does not have. */
const GHOST_REAL_ID = "ghost-task:{never-issued}";
const GHOST_MODEL_ID = "ghost-task";

const queue = fc.constantFrom(...QUEUES);
const queues = fc.subarray([...QUEUES], { minLength: 1 });

// ---------------------------------------------------------------------------------------------
// Picking targets

/**
 * An id that names no task of this tenant: usually a task of another tenant (the root view's, or
 * another slot's), which must name nothing here (SPEC T1), else one no backend issues.
 */
function foreignTaskId(world: PropertyWorld, slot: TenantSlot, index: number): string {
  const others = [
    ...world.bystander.taskIds,
    ...world.slots.filter((other) => other !== slot).flatMap((other) => other.model.tasks.taskIds().map((id) => other.tasks.real(id))),
  ].filter((id) => !slot.tasks.hasReal(id));
  return others[index % Math.max(1, others.length)] ?? GHOST_REAL_ID;
}

/** The lease a holder command acts with (recent ones likelier), forged as asked. */
export function heldLease(world: PropertyWorld, slot: TenantSlot, index: number, forge: Forgery): HeldLease {
  const held = slot.leases[slot.leases.length - 1 - (index % slot.leases.length)];
  if (!held) throw new Error("harness bug: no lease to pick");
  const withEpoch = (epoch: number): HeldLease => ({ model: { ...held.model, epoch }, real: { ...held.real, epoch } });
  switch (forge) {
    case "none":
      return held;
    case "older":
      return withEpoch(Math.max(0, held.model.epoch - 1));
    case "newer":
      return withEpoch(held.model.epoch + 1);
    case "zero":
      return withEpoch(0);
    case "ghost":
      return { model: { ...held.model, taskId: GHOST_MODEL_ID }, real: { ...held.real, taskId: foreignTaskId(world, slot, index) } };
    case "leaseId": {
      // Its own task and epoch, a guessed leaseId: one of the near misses of the T4 checks.
      const guesses = forgedLeaseIds(held.real.leaseId);
      const guess = guesses[index % guesses.length];
      if (!guess) throw new Error("harness bug: no forged leaseId");
      return { model: { ...held.model, leaseId: FORGED_MODEL_LEASE_ID }, real: { ...held.real, leaseId: guess.leaseId } };
    }
  }
}

/**
 * A task of the tenant: usually one that `preferred` accepts (the state that makes the call do
 * something), sometimes any, and the ghost id (NOT_FOUND) when asked or when there is no task.
 */
function pickTask(
  world: PropertyWorld,
  slot: TenantSlot,
  chosen: Target,
  ghost: boolean,
  preferred: (task: TaskRecord) => boolean = () => true,
): { model: string; real: string } {
  const now = world.now();
  const all = slot.model.tasks.taskIds();
  const candidates = all.filter((id) => {
    const task = slot.model.tasks.getTask(id, now);
    return task !== null && preferred(task);
  });
  const id = choose(chosen, candidates, all);
  if (ghost || id === undefined) return { model: GHOST_MODEL_ID, real: foreignTaskId(world, slot, chosen.index) };
  return { model: id, real: slot.tasks.real(id) };
}

const hasLease = (slot: TenantSlot): boolean => slot.leases.length > 0;
const hasTask = (slot: TenantSlot): boolean => slot.model.tasks.taskIds().length > 0;

// ---------------------------------------------------------------------------------------------
// Enqueue (SPEC E1, E2, E16)

interface EnqueueSpec {
  readonly queue: string;
  readonly payload: Json | undefined;
  readonly priority: number | undefined;
  /** runAt relative to now. */
  readonly delay: number | undefined;
  readonly maxAttempts: number | undefined;
  readonly backoff: Partial<Backoff> | undefined;
  readonly idempotencyKey: string | undefined;
  /** Indexes of earlier tasks of the tenant. */
  readonly dependsOn: readonly number[];
  readonly ghostDependency: boolean;
  readonly concurrencyKey: string | undefined;
}

/** Few keys, so that they collide, fill up and take turns (E20). */
const CONCURRENCY_KEYS = ["key-a", "key:{b}", "a-key"] as const;

function enqueueSpec(dependencies: boolean, keyed = false): fc.Arbitrary<EnqueueSpec> {
  return fc.record({
    queue,
    payload: optional(json),
    priority: optional(fc.constantFrom(0, 1, -1, 5)),
    delay: optional(fc.constantFrom(-10, 0, 50, 1000, 5000)),
    maxAttempts: optional(fc.constantFrom(1, 1, 2, 3)),
    backoff: optional(
      fc.record({ baseMs: fc.constantFrom(10, 100, 1000), factor: fc.constantFrom(1, 1.5, 2, 3), maxMs: fc.constantFrom(50, 5000) }, { requiredKeys: [] }),
    ),
    idempotencyKey: optional(fc.constantFrom("idem-1", "idem:{2}")),
    dependsOn: dependencies ? fc.array(pick, { maxLength: 3 }) : fc.constant<number[]>([]),
    ghostDependency: dependencies ? sometimes : fc.constant(false),
    concurrencyKey: keyed ? fc.option(fc.constantFrom(...CONCURRENCY_KEYS), { nil: undefined, freq: 4 }) : fc.constant(undefined),
  });
}

/** The same enqueue in model ids and in real ids. */
function enqueueInputs(world: PropertyWorld, slot: TenantSlot, spec: EnqueueSpec): { model: EnqueueInput; real: EnqueueInput } {
  const now = world.now();
  const ids = slot.model.tasks.taskIds();
  const dependencies = ids.length === 0 ? [] : [...new Set(spec.dependsOn.map((index) => ids[index % ids.length] as string))];
  const modelDependencies = spec.ghostDependency ? [...dependencies, GHOST_MODEL_ID] : dependencies;
  const realDependencies = [...dependencies.map((id) => slot.tasks.real(id)), ...(spec.ghostDependency ? [foreignTaskId(world, slot, spec.dependsOn.length)] : [])];
  const base: EnqueueInput = {
    queue: spec.queue,
    ...(spec.payload === undefined ? {} : { payload: spec.payload }),
    ...(spec.priority === undefined ? {} : { priority: spec.priority }),
    ...(spec.delay === undefined ? {} : { runAt: now + spec.delay }),
    ...(spec.maxAttempts === undefined ? {} : { maxAttempts: spec.maxAttempts }),
    ...(spec.backoff === undefined ? {} : { backoff: spec.backoff }),
    // Whether a repeated key or a missing dependency wins is not decided: never ask both at once.
    ...(spec.idempotencyKey === undefined || spec.ghostDependency ? {} : { idempotencyKey: spec.idempotencyKey }),
    ...(spec.concurrencyKey === undefined ? {} : { concurrencyKey: spec.concurrencyKey }),
  };
  return {
    model: modelDependencies.length > 0 ? { ...base, dependsOn: modelDependencies } : base,
    real: realDependencies.length > 0 ? { ...base, dependsOn: realDependencies } : base,
  };
}

/** Binds the ids of newly created tasks, then compares the results in model ids. */
function expectEnqueued(slot: TenantSlot, label: string, expected: Outcome<EnqueueResult[]>, observed: Observed<EnqueueResult[]>): void {
  if (expected.ok && observed.ok && expected.value.length === observed.value.length) {
    expected.value.forEach((result, index) => {
      const real = observed.value[index];
      if (result.created && real?.created) slot.tasks.bind(result.id, real.id);
    });
  }
  sameOutcome(observed, expected, label, (results) => results.map((result) => ({ id: slot.tasks.model(result.id), created: result.created })));
}

function enqueueCommand(dependencies: boolean, keyed = false): fc.Arbitrary<WorldCommand> {
  return step(dependencies ? "enqueue+deps" : keyed ? "enqueue+key" : "enqueue", fc.record({ tenant, task: enqueueSpec(dependencies, keyed) }), {
    run: async (world, slot, p, label) => {
      const now = world.now();
      const input = enqueueInputs(world, slot, p.task);
      const expected = slot.model.tasks.enqueue(input.model, now);
      const observed = await observe(() => slot.backend.engine.enqueue(input.real));
      expectEnqueued(slot, label, expected.ok ? ok([expected.value]) : expected, observed.ok ? { ok: true, value: [observed.value] } : observed);
    },
  });
}

const enqueueMany = step("enqueueMany", fc.record({ tenant, tasks: fc.array(enqueueSpec(false), { minLength: 1, maxLength: 3 }) }), {
  run: async (world, slot, p, label) => {
    const now = world.now();
    const inputs = p.tasks.map((spec) => enqueueInputs(world, slot, spec));
    const expected = slot.model.tasks.enqueueMany(
      inputs.map((input) => input.model),
      now,
    );
    const observed = await observe(() => slot.backend.engine.enqueueMany(inputs.map((input) => input.real)));
    expectEnqueued(slot, label, expected, observed);
  },
});

// ---------------------------------------------------------------------------------------------
// Claim (SPEC E3, E4, E10, E17)

const claim = step(
  "claim",
  fc.record({
    tenant,
    queues,
    leaseMs: fc.constantFrom(100, 1000, 5000),
    limit: optional(fc.constantFrom(1, 2, 3)),
    workerId: fc.constantFrom("worker-1", "worker:{2}"),
  }),
  {
    run: async (world, slot, p, label) => {
      const request = { workerId: p.workerId, queues: p.queues, leaseMs: p.leaseMs, ...(p.limit === undefined ? {} : { limit: p.limit }) };
      const expected = slot.model.tasks.claim(request, world.now());
      const observed = await observe(() => slot.backend.engine.claim(request));
      // Each granted lease's leaseId names it from now on (SPEC T4); a leaseId the backend gives
      // twice fails here, as a task id given twice does.
      if (observed.ok) {
        expected.forEach((model, index) => {
          const real = observed.value[index];
          if (real !== undefined && slot.tasks.model(real.taskId) === model.taskId) slot.leaseIds.bind(model.leaseId, real.leaseId);
        });
      }
      sameOutcome(observed, ok(expected.map(modelLease)), label, (leases) => leases.map((lease) => leaseToModel(slot, lease)));
      if (observed.ok) expected.forEach((model, index) => slot.leases.push({ model, real: observed.value[index] as HeldLease["real"] }));
    },
  },
);

// ---------------------------------------------------------------------------------------------
// Holder calls (SPEC E5–E9, E12, E14), every one fenced

function holder<E>(
  name: string,
  forge: fc.Arbitrary<Forgery>,
  extra: fc.Arbitrary<E>,
  act: (slot: TenantSlot, lease: HeldLease, extra: E, now: number, label: string) => Promise<void>,
) {
  return step(name, fc.record({ tenant, lease: recent, forge, extra }), {
    check: hasLease,
    run: async (world, slot, p, label) => {
      const lease = heldLease(world, slot, p.lease, p.forge);
      await act(slot, lease, p.extra, world.now(), `${label} with lease ${lease.model.taskId}@${lease.model.epoch}${p.forge === "leaseId" ? " (forged leaseId)" : ""}`);
    },
  });
}

/** A lease compared on the fields renew defines; what the lease resumed is the claim's business. */
const renewedLease = (lease: Lease) => ({
  taskId: lease.taskId,
  queue: lease.queue,
  payload: lease.payload,
  attempt: lease.attempt,
  epoch: lease.epoch,
  leaseId: lease.leaseId,
  workerId: lease.workerId,
  expiresAt: lease.expiresAt,
});

/** The fenced holder calls, presenting leases forged as `forge` draws. */
function holderCommands(forge: fc.Arbitrary<Forgery>) {
  const renew = holder("renew", forge, fc.record({ leaseMs: optional(fc.constantFrom(100, 1000, 5000)), percent: optional(fc.constantFrom(0, 50, 100)) }), async (slot, lease, p, now, label) => {
    const options = {
      ...(p.leaseMs === undefined ? {} : { leaseMs: p.leaseMs }),
      // Progress on renew is the `progress` capability's (core's call table): drawn, but sent only where declared.
      ...(p.percent === undefined || !hasCapability(slot.backend.capabilities, "progress") ? {} : { progress: { percent: p.percent } }),
    };
    const expected = slot.model.tasks.renew(lease.model, options, now);
    const observed = await observe(() => slot.backend.engine.renew(lease.real, options));
    sameOutcome(observed, expected.ok ? ok(renewedLease(expected.value)) : expected, label, (real) => renewedLease(leaseToModel(slot, real)));
  });

  const complete = holder("complete", forge, optional(json), async (slot, lease, result, now, label) => {
    const options = result === undefined ? undefined : { result };
    const expected = slot.model.tasks.complete(lease.model, options, now);
    sameOutcome(await observe(() => slot.backend.engine.complete(lease.real, options)), expected, label);
  });

  const fail = holder("fail", forge, fc.record({ error: json, retryable: optional(fc.boolean()) }), async (slot, lease, p, now, label) => {
    const options = { error: p.error, ...(p.retryable === undefined ? {} : { retryable: p.retryable }) };
    const expected = slot.model.tasks.fail(lease.model, options, now);
    sameOutcome(await observe(() => slot.backend.engine.fail(lease.real, options)), expected, label);
  });

  const release = holder("release", forge, optional(fc.constantFrom(0, 100, 2000)), async (slot, lease, delay, now, label) => {
    const options = delay === undefined ? undefined : { runAt: now + delay };
    const expected = slot.model.tasks.release(lease.model, options, now);
    sameOutcome(await observe(() => slot.backend.engine.release(lease.real, options)), expected, label);
  });

  const moveToDeadLetter = holder("moveToDeadLetter", forge, json, async (slot, lease, error, now, label) => {
    const expected = slot.model.tasks.moveToDeadLetter(lease.model, error, now);
    sameOutcome(await observe(() => slot.backend.engine.moveToDeadLetter(lease.real, error)), expected, label);
  });

  const suspend = holder(
    "suspend",
    forge,
    fc.record({
      keys: fc.subarray([...SIGNAL_KEYS], { minLength: 1, maxLength: 2 }),
      mode: optional(fc.constantFrom("any", "all") as fc.Arbitrary<"any" | "all">),
      timeout: optional(fc.constantFrom(0, 100, 1000, 5000)),
    }),
    async (slot, lease, p, now, label) => {
      const input = { keys: p.keys, ...(p.mode === undefined ? {} : { mode: p.mode }), ...(p.timeout === undefined ? {} : { timeoutAt: now + p.timeout }) };
      const expected = slot.model.tasks.suspend(lease.model, input, now);
      sameOutcome(await observe(() => slot.backend.engine.suspend(lease.real, input)), expected, label, (result) =>
        result.suspended ? result : { suspended: false, signals: result.signals.map((signal) => signalToModel(slot, signal)) });
    },
  );

  return { renew, complete, fail, release, moveToDeadLetter, suspend } as const satisfies Record<string, fc.Arbitrary<WorldCommand>>;
}

const holders = holderCommands(forgery);

/** The holder calls with every other lease's leaseId guessed: the T4 property's (SPEC T4). */
export const leaseIdForgingCommands = holderCommands(leaseIdForgery);

// ---------------------------------------------------------------------------------------------
// Operator calls, reclaim and dead letters (SPEC E10–E13)

const cancel = step("cancel", fc.record({ tenant, task: target, ghost: sometimes, reason: optional(fc.constantFrom("stop", "operator: {x}")) }), {
  check: hasTask,
  run: async (world, slot, p, label) => {
    const task = pickTask(world, slot, p.task, p.ghost, (record) => !TERMINAL_TASK_STATES.has(record.state));
    const expected = slot.model.tasks.cancel(task.model, p.reason, world.now());
    sameOutcome(await observe(() => slot.backend.engine.cancel(task.real, p.reason)), expected, `${label} on ${task.model}`);
  },
});

const revokeLease = step("revokeLease", fc.record({ tenant, task: target, ghost: sometimes }), {
  check: hasTask,
  run: async (world, slot, p, label) => {
    const task = pickTask(world, slot, p.task, p.ghost, (record) => record.state === "leased");
    const expected = slot.model.tasks.revokeLease(task.model, world.now());
    sameOutcome(await observe(() => slot.backend.engine.revokeLease(task.real)), expected, `${label} on ${task.model}`);
  },
});

const getTask = step("getTask", fc.record({ tenant, task: target, ghost: sometimes }), {
  check: hasTask,
  readOnly: true,
  run: async (world, slot, p, label) => {
    const task = pickTask(world, slot, p.task, p.ghost);
    const expected = comparedTask(slot.model.tasks.getTask(task.model, world.now()));
    sameOutcome(await observe(() => slot.backend.engine.getTask(task.real)), ok(expected), `${label} on ${task.model}`, (record) => taskToModel(slot, record));
  },
});

const retryDeadLetter = step("retryDeadLetter", fc.record({ tenant, task: target, ghost: sometimes, resetAttempts: optional(fc.boolean()) }), {
  check: hasTask,
  run: async (world, slot, p, label) => {
    const task = pickTask(world, slot, p.task, p.ghost, (record) => record.state === "dead");
    const options = p.resetAttempts === undefined ? undefined : { resetAttempts: p.resetAttempts };
    const expected = slot.model.tasks.retryDeadLetter(task.model, options, world.now());
    sameOutcome(await observe(() => slot.backend.engine.retryDeadLetter(task.real, options)), expected, `${label} on ${task.model}`);
  },
});

// ---------------------------------------------------------------------------------------------
// Operator calls of version 2 (SPEC E26)

const changePriority = step("changePriority", fc.record({ tenant, task: target, ghost: sometimes, priority: fc.constantFrom(-5, 0, 3, 10) }), {
  check: hasTask,
  run: async (world, slot, p, label) => {
    const task = pickTask(world, slot, p.task, p.ghost, (record) => !TERMINAL_TASK_STATES.has(record.state));
    const expected = slot.model.tasks.changePriority(task.model, p.priority, world.now());
    sameOutcome(await observe(() => slot.backend.engine.changePriority(task.real, p.priority)), expected, `${label} on ${task.model}`);
  },
});

const replay = step(
  "replay",
  fc.record({ tenant, task: target, ghost: sometimes, resetAttempts: optional(fc.boolean()), delayMs: optional(fc.constantFrom(0, 10, 1000)) }),
  {
    check: hasTask,
    run: async (world, slot, p, label) => {
      const task = pickTask(world, slot, p.task, p.ghost, (record) => TERMINAL_TASK_STATES.has(record.state));
      const options = {
        ...(p.resetAttempts === undefined ? {} : { resetAttempts: p.resetAttempts }),
        ...(p.delayMs === undefined ? {} : { runAt: world.now() + p.delayMs }),
      };
      const expected = slot.model.tasks.replay(task.model, options, world.now());
      sameOutcome(await observe(() => slot.backend.engine.replay(task.real, options)), expected, `${label} on ${task.model}`);
    },
  },
);

/**
 * `limit` is the default, exactly the number of expired leases (the cap's boundary), or one more.
 * A limit below that number is left to example tests: which of two leases expiring at the same
 * instant goes first is not decided.
 */
const reclaimExpired = step("reclaimExpired", fc.record({ tenant, limit: fc.constantFrom("default", "exact", "more") }), {
  run: async (world, slot, p, label) => {
    const now = world.now();
    const expiredLeases = slot.model.tasks
      .taskIds()
      .map((id) => slot.model.tasks.getTask(id, now))
      .filter((task) => task?.state === "leased" && task.leaseExpiresAt !== null && task.leaseExpiresAt <= now).length;
    const options = p.limit === "default" ? undefined : { limit: Math.max(1, expiredLeases + (p.limit === "more" ? 1 : 0)) };
    const expected = slot.model.tasks.reclaimExpired(options, now);
    const sorted = (result: ReclaimResult): ReclaimResult => ({ retried: [...result.retried].sort(), deadLettered: [...result.deadLettered].sort() });
    sameOutcome(await observe(() => slot.backend.engine.reclaimExpired(options)), ok(sorted(expected)), label, (result) =>
      sorted({ retried: result.retried.map((id) => slot.tasks.model(id)), deadLettered: result.deadLettered.map((id) => slot.tasks.model(id)) }));
  },
});

// ---------------------------------------------------------------------------------------------
// Signals (SPEC E15) and queue control (SPEC E17)

const signal = step(
  "signal",
  fc.record({ tenant, key: fc.constantFrom(...SIGNAL_KEYS), payload: optional(json), idempotencyKey: optional(fc.constantFrom("signal-idem-1", "signal-idem:{2}")) }),
  {
    run: async (world, slot, p, label) => {
      const input = {
        key: p.key,
        ...(p.payload === undefined ? {} : { payload: p.payload }),
        ...(p.idempotencyKey === undefined ? {} : { idempotencyKey: p.idempotencyKey }),
      };
      const expected = slot.model.tasks.signal(input, world.now());
      const observed = await observe(() => slot.backend.engine.signal(input));
      if (observed.ok && !expected.duplicate && !observed.value.duplicate) slot.signals.bind(expected.signalId, observed.value.signalId);
      sameOutcome(observed, ok(expected), label, (result) => ({
        signalId: slot.signals.model(result.signalId),
        duplicate: result.duplicate,
        deliveredTo: result.deliveredTo.map((id) => slot.tasks.model(id)),
      }));
    },
  },
);

const setQueue = step(
  "setQueue",
  fc.record({ tenant, queue, concurrency: fc.constantFrom(undefined, null, 1, 2), paused: optional(fc.boolean()) }),
  {
    run: async (world, slot, p, label) => {
      const settings = { ...(p.concurrency === undefined ? {} : { concurrency: p.concurrency }), ...(p.paused === undefined ? {} : { paused: p.paused }) };
      const expected = slot.model.tasks.setQueue(p.queue, settings);
      sameOutcome(await observe(() => slot.backend.engine.setQueue(p.queue, settings)), ok(expected), label);
    },
  },
);

/** Queue settings of E20 and E21: a key limit, or a rate limit (one perMs, so the interval never changes length). */
function setQueueLimit(kind: "keyConcurrency" | "rateLimit"): fc.Arbitrary<WorldCommand> {
  const value =
    kind === "keyConcurrency"
      ? fc.constantFrom<number | null | undefined>(null, 1, 1, 2)
      : fc.constantFrom<{ max: number; perMs: number } | null>(null, { max: 1, perMs: 1_000 }, { max: 2, perMs: 1_000 }, { max: 3, perMs: 1_000 });
  return step(`setQueue(${kind})`, fc.record({ tenant, queue, value }), {
    run: async (_world, slot, p, label) => {
      const settings = { [kind]: p.value };
      const expected = slot.model.tasks.setQueue(p.queue, settings);
      sameOutcome(await observe(() => slot.backend.engine.setQueue(p.queue, settings)), ok(expected), label);
    },
  });
}

const queueStats = step("queueStats", fc.record({ tenant, queue }), {
  readOnly: true,
  run: async (world, slot, p, label) => {
    sameOutcome(await observe(() => slot.backend.engine.queueStats(p.queue)), ok(slot.model.tasks.queueStats(p.queue, world.now())), label);
  },
});

// ---------------------------------------------------------------------------------------------
// Time

/** Advances the shared clock (SPEC C3); every tenant is then compared, since time moved for all. */
export function advanceClock(steps: fc.Arbitrary<number> = clockStep): fc.Arbitrary<WorldCommand> {
  return step("advance", fc.record({ tenant, ms: steps }), {
    run: async (world, _slot, p) => {
      world.clock.advance(p.ms);
      await world.verifyAll(`advance(${p.ms})`);
    },
    readOnly: true,
  });
}

export const taskCommands = {
  enqueue: enqueueCommand(false),
  enqueueWithDependencies: enqueueCommand(true),
  enqueueMany,
  enqueueWithKey: enqueueCommand(false, true),
  setKeyConcurrency: setQueueLimit("keyConcurrency"),
  setRateLimit: setQueueLimit("rateLimit"),
  claim,
  ...holders,
  cancel,
  revokeLease,
  getTask,
  retryDeadLetter,
  changePriority,
  replay,
  reclaimExpired,
  signal,
  setQueue,
  queueStats,
} as const satisfies Record<string, fc.Arbitrary<WorldCommand>>;
