/**
 * Model-based properties (SPEC K2): random command sequences over several tenants, run against the
 * backend and the kit's reference model side by side with `fc.commands` + `fc.asyncModelRun`.
 * After every command the backend's answer (value or error code) must equal the model's, and the
 * addressed tenant's whole observable state (or every tenant's, for T1) must equal the model's, so
 * a rejected call that wrote something is caught where it happened.
 *
 * Each property run works in fresh tenants of the check's backend (`forTenant(unique)`) where it
 * declares `tenancy`, else in fresh namespaces (`support/scopes.ts`): either is an empty world, so
 * only T1.model-isolation, which is about tenants, requires `tenancy`. The root view's tenant is
 * filled first with data under the very names the commands use, and task ids of other tenants serve
 * as the "absent" ids, so that any leak between tenants (SPEC T1) shows in every check's observations.
 * Sequences run about 30 commands on average, so the whole kit stays fast at 100 runs per property
 * (SPEC K7); `MOORING_FC_RUNS` scales the runs up.
 */
import type { CapabilityName } from "@mooring/core";
import fc from "fast-check";
import { assertProperty } from "../../fast-check.js";
import { cacheCommands as cache } from "../../model/property/cache-commands.js";
import { commitCommand } from "../../model/property/commit-commands.js";
import { runCommands as runs } from "../../model/property/run-commands.js";
import { runEventCommands as runEvents } from "../../model/property/run-event-commands.js";
import type { WorldCommand } from "../../model/property/step.js";
import { advanceClock, leaseIdForgingCommands as forging, taskCommands as task } from "../../model/property/task-commands.js";
import { type Observation, PropertyWorld, seedBystander } from "../../model/property/world.js";
import { type Check, defineCheck } from "../../registry.js";

interface ModelProperty {
  readonly id: string;
  readonly rule: string;
  readonly title: string;
  readonly requires: readonly CapabilityName[];
  readonly tenants: number;
  readonly observe: readonly Observation[];
  readonly observeAllTenants?: boolean;
  /** Listing a command twice makes it twice as likely. */
  readonly commands: readonly fc.Arbitrary<WorldCommand>[];
}

/** fast-check draws lengths up to this; about half on average, and commands whose precondition fails are skipped. */
const MAX_COMMANDS = 60;

/**
 * fast-check replays a shrunk `fc.commands` failure only with the commands' own replay path besides
 * the seed and the path (its shrinker depends on which commands ran). The failure's replay command
 * carries it in this variable, and the checks pass it back to `fc.commands`.
 */
export const COMMANDS_REPLAY_VARIABLE = "MOORING_FC_COMMANDS";

function modelProperty(spec: ModelProperty): Check {
  return defineCheck({
    id: spec.id,
    rule: spec.rule,
    title: spec.title,
    requires: spec.requires,
    kind: "property",
    run: async (context) => {
      const bystander = await seedBystander(context.backend);
      const replayPath = process.env[COMMANDS_REPLAY_VARIABLE];
      const commands = fc.commands([...spec.commands], {
        maxCommands: MAX_COMMANDS,
        size: "max",
        ...(replayPath === undefined || replayPath === "" ? {} : { replayPath }),
      });
      // The last failing sequence is the counterexample; its replay path is final only once shrinking ends.
      let lastFailure: Iterable<WorldCommand> | null = null;
      const property = fc.asyncProperty(commands, async (sequence) => {
        const world = await PropertyWorld.open(context, {
          tenants: spec.tenants,
          observe: spec.observe,
          observeAllTenants: spec.observeAllTenants ?? false,
          bystander,
        });
        try {
          await fc.asyncModelRun(() => ({ model: world, real: world }), sequence);
          await world.verifyAll("the last command");
        } catch (error) {
          lastFailure = sequence;
          throw error;
        } finally {
          await world.release();
        }
      });
      await assertProperty(context, property, {
        replayVariables: (): Record<string, string> => {
          const replayPath = lastFailure === null ? undefined : /replayPath="([^"]+)"/.exec(String(lastFailure))?.[1];
          return replayPath === undefined ? {} : { [COMMANDS_REPLAY_VARIABLE]: replayPath };
        },
      });
    },
  });
}

/** What enqueue itself may use: priorities, delays (runAt) and idempotency keys. */
const ENQUEUE: readonly CapabilityName[] = ["leases", "priorities", "delays", "idempotency"];

/** The run commands but writeSnapshot (the `snapshots` capability's). */
const withoutSnapshots = Object.values(runs).filter((command) => command !== runs.writeSnapshot);
/** The cache commands but setIfAbsent and compareAndSet (the `kvCas` capability's). */
const withoutCas = Object.values(cache).filter((command) => command !== cache.setIfAbsent && command !== cache.compareAndSet);
/** TTLs of the cache commands are 1 to 10 000 ms: the clock steps land on and around them. */
const cacheClock = advanceClock(fc.constantFrom(1, 9, 10, 99, 100, 999, 1000, 10_000));

export const checks: Check[] = [
  modelProperty({
    id: "W7.model-event-log",
    rule: "W7",
    title: "Runs, status graph, context, steps and the event log match the reference model across tenants",
    requires: ["runs", "events"],
    tenants: 2,
    observe: ["runs", "events", "definitions"],
    commands: [...withoutSnapshots, runs.appendEvents, runs.createRun, advanceClock()],
  }),
  modelProperty({
    id: "W10.model-snapshots",
    rule: "W10",
    title: "Runs, status graph, context, steps, event log and snapshots match the reference model across tenants",
    requires: ["runs", "events", "snapshots"],
    tenants: 2,
    observe: ["runs", "events", "snapshots", "definitions"],
    commands: [...Object.values(runs), runs.appendEvents, runs.createRun, advanceClock()],
  }),
  modelProperty({
    id: "W12.model-create-with-events",
    rule: "W12",
    title: "createRun with events and keys is all or nothing, as the reference model says, beside appends, commits and deletes",
    requires: ["runs", "events", "commit", "runEvents"],
    tenants: 2,
    observe: ["runs", "events", "keys"],
    commands: [
      runEvents.createRunWithEvents,
      runEvents.createRunWithEvents,
      runEvents.createRunWithEvents,
      runEvents.appendEventsWithIds,
      runEvents.commitKeys,
      runEvents.deleteRun,
      runEvents.setRunStatus,
      runs.createRun,
      advanceClock(),
    ],
  }),
  modelProperty({
    id: "W15.model-event-ids-and-keys",
    rule: "W15",
    title: "Event ids unique per run and claimed keys unique per tenant (claims, releases, terminal runs, deletes) match the reference model",
    requires: ["runs", "events", "commit", "runEvents"],
    tenants: 2,
    observe: ["runs", "events", "keys"],
    commands: [
      runEvents.createRunWithEvents,
      runEvents.appendEventsWithIds,
      runEvents.appendEventsWithIds,
      runEvents.commitKeys,
      runEvents.commitKeys,
      runEvents.commitKeys,
      runEvents.lookupKey,
      runEvents.readEventsBackwards,
      runEvents.deleteRun,
      runEvents.setRunStatus,
      runs.createRun,
      runs.appendEvents,
      advanceClock(),
    ],
  }),
  modelProperty({
    id: "S2.model-kv-ttl",
    rule: "S2",
    title: "KV values, TTL and cached snapshots match the reference model across tenants",
    requires: ["kv"],
    tenants: 2,
    observe: ["cache"],
    commands: [...withoutCas, cache.set, cacheClock],
  }),
  modelProperty({
    id: "S3.model-kv-cas",
    rule: "S3",
    title: "KV values, CAS, TTL and cached snapshots match the reference model across tenants",
    requires: ["kv", "kvCas"],
    tenants: 2,
    observe: ["cache"],
    commands: [...Object.values(cache), cache.set, cacheClock],
  }),
  modelProperty({
    id: "E5.model-leases-fencing",
    rule: "E5",
    title: "Claims, epochs, attempts and every fenced holder call match the reference model",
    requires: [...ENQUEUE],
    tenants: 2,
    observe: ["tasks"],
    commands: [
      task.enqueue,
      task.enqueue,
      task.enqueueMany,
      task.claim,
      task.claim,
      task.renew,
      task.complete,
      task.fail,
      task.release,
      task.cancel,
      task.revokeLease,
      task.getTask,
      advanceClock(),
    ],
  }),
  modelProperty({
    id: "T4.model-forged-lease-ids",
    rule: "T4",
    title: "Holder calls with a guessed leaseId (right task, right epoch) are rejected as the reference model says and write nothing",
    requires: [...ENQUEUE],
    tenants: 2,
    observe: ["tasks"],
    commands: [
      task.enqueue,
      task.enqueue,
      task.claim,
      task.claim,
      forging.renew,
      forging.complete,
      forging.complete,
      forging.fail,
      forging.release,
      task.revokeLease,
      task.getTask,
      advanceClock(),
    ],
  }),
  modelProperty({
    id: "E10.model-reclaim",
    rule: "E10",
    title: "Lease expiry, reclaim, backoff, dead letters and queue control match the reference model",
    requires: [...ENQUEUE, "reclaim", "deadLetter", "queueControl"],
    tenants: 2,
    observe: ["tasks", "queues", "deadLetters"],
    commands: [
      task.enqueue,
      task.enqueue,
      task.claim,
      task.claim,
      task.renew,
      task.complete,
      task.fail,
      task.moveToDeadLetter,
      task.reclaimExpired,
      task.retryDeadLetter,
      task.revokeLease,
      task.setQueue,
      task.queueStats,
      advanceClock(),
      advanceClock(),
    ],
  }),
  modelProperty({
    id: "E26.model-operator-calls",
    rule: "E26",
    title: "Priorities changed and terminal tasks replayed (with dependencies, dead letters and the clock) match the reference model",
    requires: [...ENQUEUE, "deadLetter", "dependencies", "operator"],
    tenants: 2,
    observe: ["tasks", "deadLetters"],
    commands: [
      task.enqueue,
      task.enqueueWithDependencies,
      task.claim,
      task.claim,
      task.complete,
      task.fail,
      task.cancel,
      task.moveToDeadLetter,
      task.retryDeadLetter,
      task.changePriority,
      task.replay,
      task.replay,
      task.getTask,
      advanceClock(),
    ],
  }),
  modelProperty({
    id: "E20.model-concurrency-keys",
    rule: "E20",
    title: "Key limits over unexpired leases and the fair order between keys match the reference model",
    requires: [...ENQUEUE, "queueControl", "concurrencyKeys"],
    tenants: 2,
    observe: ["tasks", "queues"],
    commands: [
      task.enqueueWithKey,
      task.enqueueWithKey,
      task.enqueueWithKey,
      task.enqueue,
      task.claim,
      task.claim,
      task.claim,
      task.renew,
      task.complete,
      task.complete,
      task.fail,
      task.release,
      task.cancel,
      task.revokeLease,
      task.setKeyConcurrency,
      task.setQueue,
      task.queueStats,
      advanceClock(),
      advanceClock(),
    ],
  }),
  modelProperty({
    id: "E21.model-rate-limits",
    rule: "E21",
    title: "Rate limits (sliding intervals) and nextGrantAt match the reference model",
    requires: [...ENQUEUE, "queueControl", "rateLimits"],
    tenants: 2,
    observe: ["tasks", "queues"],
    commands: [task.enqueue, task.enqueue, task.enqueueMany, task.claim, task.claim, task.complete, task.release, task.setRateLimit, task.setQueue, task.queueStats, advanceClock(), advanceClock()],
  }),
  modelProperty({
    id: "E14.model-signals",
    rule: "E14",
    title: "Suspensions, signals (any / all, timeouts, buffering, idempotency) match the reference model",
    requires: [...ENQUEUE, "signals"],
    tenants: 2,
    observe: ["tasks"],
    commands: [
      task.enqueue,
      task.claim,
      task.claim,
      task.suspend,
      task.suspend,
      task.signal,
      task.signal,
      task.complete,
      task.release,
      task.cancel,
      task.getTask,
      advanceClock(),
    ],
  }),
  modelProperty({
    id: "E16.model-dependencies",
    rule: "E16",
    title: "Dependencies block, release and cascade exactly as the reference model does",
    requires: [...ENQUEUE, "dependencies"],
    tenants: 2,
    observe: ["tasks"],
    commands: [
      task.enqueue,
      task.enqueueWithDependencies,
      task.enqueueWithDependencies,
      task.claim,
      task.claim,
      task.complete,
      task.complete,
      task.fail,
      task.cancel,
      task.release,
      advanceClock(),
    ],
  }),
  modelProperty({
    id: "W11.model-commit",
    rule: "W11",
    title: "commit applies events, snapshot, context, status, steps and settlement all or nothing, as the model does",
    requires: [...ENQUEUE, "runs", "events", "snapshots", "commit"],
    tenants: 2,
    observe: ["runs", "events", "snapshots", "tasks"],
    commands: [
      runs.createRun,
      runs.createRun,
      runs.setRunStatus,
      runs.appendEvents,
      task.enqueue,
      task.claim,
      task.complete,
      commitCommand,
      commitCommand,
      commitCommand,
      advanceClock(),
    ],
  }),
  modelProperty({
    id: "T1.model-isolation",
    rule: "T1",
    title: "Any sequence over three tenants leaves each tenant's observations exactly as the model, which keeps tenants apart, predicts",
    requires: [...ENQUEUE, "runs", "events", "snapshots", "kv", "kvCas", "signals", "reclaim", "tenancy"],
    tenants: 3,
    observe: ["runs", "events", "snapshots", "cache", "tasks"],
    observeAllTenants: true,
    commands: [
      runs.createRun,
      runs.createRun,
      runs.appendEvents,
      runs.setRunStatus,
      runs.writeSnapshot,
      cache.set,
      cache.setIfAbsent,
      cache.compareAndSet,
      cache.deleteExecutionState,
      task.enqueue,
      task.claim,
      task.claim,
      task.complete,
      task.fail,
      task.cancel,
      task.suspend,
      task.signal,
      task.reclaimExpired,
      advanceClock(),
    ],
  }),
];
