// The World the fault tests' app servers load (WORKFLOW_TARGET_WORLD=./test/support/fault-world.mjs):
// the built @mooring/world on MOORING_WORLD_URL, with what the tests observe from outside.
//
// - Every delivery of a run (the app's flow handler, where v5 runs its steps) holds a lock file
//   named after the run for as long as it runs. A delivery that finds the lock held by a live
//   process writes an `overlap` line to the journal: two deliveries of one run at once (SPEC E20).
//   A lock left by a dead (SIGKILLed) process is taken over.
// - FAULT_HOLD_STEP_COMPLETION=1: the first `step_completed` this process is asked to record is
//   never recorded; the process prints `holding <runId> <correlationId>` and waits to be killed.
//   The step ran, its completion is not stored: the middle of a step, as a crash sees it.
// - FAULT_LEASE_MS: the dispatcher's lease (so a dead process's lease expires soon).
//
// Journal lines are written synchronously, so they survive a SIGKILL.
import { appendFileSync, mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { createMooringWorld } from "../../dist/index.js";

const journalDir = process.env.FAULT_JOURNAL_DIR;
if (!journalDir) throw new Error("fault-world: set FAULT_JOURNAL_DIR");
const lockDir = join(journalDir, "locks");
mkdirSync(lockDir, { recursive: true });
const journalFile = join(journalDir, `journal-${process.pid}.jsonl`);

function journal(entry) {
  appendFileSync(journalFile, `${JSON.stringify({ pid: process.pid, ...entry })}\n`);
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Takes the run's lock; journals an overlap when a live process holds it. */
function lockRun(runId) {
  const path = join(lockDir, runId);
  for (;;) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return;
    } catch (error) {
      if (error.code !== "EEXIST") throw error;
    }
    const holder = Number(readFileSync(path, "utf8") || "0");
    if (holder !== 0 && holder !== process.pid && !isAlive(holder)) {
      rmSync(path, { force: true });
      continue;
    }
    journal({ op: "overlap", runId, holder });
    return;
  }
}

function unlockRun(runId) {
  const path = join(lockDir, runId);
  try {
    if (Number(readFileSync(path, "utf8")) === process.pid) rmSync(path, { force: true });
  } catch {
    // Already taken over or removed.
  }
}

function runIdOf(body) {
  if (body && typeof body === "object" && typeof body.runId === "string") return body.runId;
  return undefined;
}

export async function createWorld() {
  const leaseMs = process.env.FAULT_LEASE_MS ? Number(process.env.FAULT_LEASE_MS) : undefined;
  const world = await createMooringWorld({ url: process.env.MOORING_WORLD_URL, ...(leaseMs ? { leaseMs } : {}) });
  let holding = process.env.FAULT_HOLD_STEP_COMPLETION === "1";
  const events = {
    ...world.events,
    async create(runId, event, params) {
      if (event.eventType === "step_completed") {
        if (holding) {
          holding = false;
          journal({ op: "hold", runId, correlationId: event.correlationId });
          writeSync(1, `holding ${runId} ${event.correlationId}\n`);
          return new Promise(() => undefined);
        }
        journal({ op: "step_completed", runId, correlationId: event.correlationId });
      }
      return world.events.create(runId, event, params);
    },
  };
  const createQueueHandler = (prefix, handler) =>
    world.createQueueHandler(prefix, async (body, meta) => {
      const runId = runIdOf(body);
      if (!runId) return handler(body, meta);
      lockRun(runId);
      journal({ op: "delivery", runId, attempt: meta.attempt });
      try {
        return await handler(body, meta);
      } finally {
        unlockRun(runId);
      }
    });
  return { ...world, events, createQueueHandler };
}
