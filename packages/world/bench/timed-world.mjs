// The World the bench's app servers load (WORKFLOW_TARGET_WORLD=<this file>): the World that
// BENCH_WORLD names, created as the DevKit creates it (its module's `createWorld()`, configured by
// its own environment variables), with one change: every `events.create` the runtime makes for a
// run or a step is timed when the World acknowledges it, and written to stdout as one line
//
//   @bench <ms> <eventType> <runId> [<correlationId>]
//
// where <ms> is this process's monotonic clock (performance.timeOrigin + performance.now()), so
// every duration the bench derives is measured on one clock, the same way for every World.
// Nothing else is touched: the World's storage, queue and dispatcher are its own.
import { performance } from "node:perf_hooks";
import process from "node:process";

/** The module of each World the bench compares (ours is the package's build, as the tests load it). */
const WORLD_MODULES = {
  "@mooring/world": "../dist/index.js",
  "@workflow/world-postgres": "@workflow/world-postgres",
  "@workflow/world-local": "@workflow/world-local",
};

/**
 * The events the bench derives its figures from; the others pass through untimed. `step_started`
 * is among them because the runtime folds a step's creation into its `step_started` when it runs
 * the step inline (a "lazy" start carrying the step's input): then no `step_created` is written.
 */
const TIMED = new Set(["run_created", "run_completed", "run_failed", "step_created", "step_started", "step_completed"]);

const specifier = WORLD_MODULES[process.env.BENCH_WORLD ?? ""];
if (!specifier) throw new Error(`timed-world: BENCH_WORLD must be one of ${Object.keys(WORLD_MODULES).join(", ")}`);

function journal(eventType, runId, correlationId) {
  const ms = (performance.timeOrigin + performance.now()).toFixed(3);
  process.stdout.write(`@bench ${ms} ${eventType} ${runId}${correlationId ? ` ${correlationId}` : ""}\n`);
}

export async function createWorld() {
  const world = await (await import(specifier)).createWorld();
  const create = world.events.create.bind(world.events);
  const events = new Proxy(world.events, {
    get(target, property, receiver) {
      if (property !== "create") return Reflect.get(target, property, receiver);
      return async (runId, event, params) => {
        const result = await create(runId, event, params);
        if (TIMED.has(event.eventType)) journal(event.eventType, result.run?.runId ?? runId, event.correlationId);
        return result;
      };
    },
  });
  return new Proxy(world, { get: (target, property, receiver) => (property === "events" ? events : Reflect.get(target, property, receiver)) });
}
