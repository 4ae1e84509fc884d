/**
 * What the vendor suite cannot check, with real processes on one store (a SQLite file, Postgres,
 * Redis, Redis Cluster):
 *
 * - Two dispatcher processes run N workflow runs: every run completes exactly once, its event log
 *   is gap-free (W7), every step completes once, and no two deliveries of a run overlap, in one
 *   process or across both (E20, the run id as concurrency key).
 * - A dispatcher SIGKILLed in the middle of a step (the step ran, its completion is not stored):
 *   once its lease expires (E10: a short lease, real time; the bound below is a hang detector),
 *   a new process delivers the run again, the step runs again, and the run completes exactly
 *   once with a gap-free log.
 *
 * The processes are the vendor's own app server (test/support/app-server.ts) with the built World
 * plus a journal (test/support/fault-world.mjs); runs are the vendor app's workflows (`WORKLOAD`).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { createMooringWorld, type MooringWorld } from "../src/index.js";
import { AppServer } from "./support/app-server.js";
import { postgresStore, redisClusterStore, redisStore, type StoreTarget } from "./support/stores.js";

const RUNS = 8;
/**
 * The vendor app's workflows the runs cycle through, each delivered more than once per run: 20
 * parallel steps (`brokenWf`, the runtime's idempotency case, whose deliveries of one run pile up
 * on the queue), a sleep (a second delivery after `timeoutSeconds`, which either process may
 * take), and two steps in parallel.
 */
const WORKLOAD: readonly (readonly [file: string, workflow: string, args: readonly unknown[]])[] = [
  ["workflows/noop.ts", "brokenWf", [1, 2]],
  ["workflows/inline-execution.ts", "sleepWorkflow", []],
  ["workflows/inline-execution.ts", "parallelStepsWorkflow", []],
];
/** Hang detector for a run to finish (never a speed assertion): generous for a busy 2-core machine. */
const RUN_HANG_MS = 180_000;
/** The killed process's lease: short, so the restart waits little real time for it to expire. */
const SHORT_LEASE_MS = 1_500;

interface JournalEntry {
  readonly pid: number;
  readonly op: "delivery" | "overlap" | "hold" | "step_completed";
  readonly runId: string;
  readonly correlationId?: string;
}

const servers: AppServer[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "mooring-world-faults-"));
  dirs.push(dir);
  return dir;
}

interface FaultServerOptions {
  /** The store (`MOORING_WORLD_URL`). */
  readonly url: string;
  /** Where every process of the test journals its deliveries (see fault-world.mjs). */
  readonly journalDir: string;
  /** The dispatcher's lease; default the World's. */
  readonly leaseMs?: number;
  /** Hold the first step completion and wait to be killed. */
  readonly holdStepCompletion?: boolean;
}

const packageDir = fileURLToPath(new URL("..", import.meta.url));

/** An app server on support/fault-world.mjs, stopped after the test. */
function startServer(options: FaultServerOptions): AppServer {
  const server = new AppServer({
    world: "./test/support/fault-world.mjs",
    cwd: packageDir,
    env: {
      MOORING_WORLD_URL: options.url,
      FAULT_JOURNAL_DIR: options.journalDir,
      ...(options.leaseMs ? { FAULT_LEASE_MS: String(options.leaseMs) } : {}),
      ...(options.holdStepCompletion ? { FAULT_HOLD_STEP_COMPLETION: "1" } : {}),
    },
  });
  servers.push(server);
  return server;
}

function readJournal(dir: string): JournalEntry[] {
  return readdirSync(dir)
    .filter((name) => name.startsWith("journal-"))
    .flatMap((name) =>
      readFileSync(join(dir, name), "utf8")
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => JSON.parse(line) as JournalEntry),
    );
}

async function waitForEnd(world: MooringWorld, runId: string, servers: readonly AppServer[]): Promise<void> {
  await vi.waitFor(
    async () => {
      const run = await world.runs.get(runId);
      if (run.status !== "completed" && run.status !== "failed" && run.status !== "cancelled") throw new Error(`run ${runId} is ${run.status}`);
    },
    { timeout: RUN_HANG_MS, interval: 200 },
  ).catch((error: unknown) => {
    throw new Error(`${String(error)}\n${servers.map((server) => `--- app ${server.pid}:\n${server.output().slice(-4_000)}`).join("\n")}`);
  });
}

/** W7 and exactly-once: the run completed, its log is 1..n, one run_completed, each step completed once. */
async function expectCompletedOnce(world: MooringWorld, runId: string): Promise<void> {
  const run = await world.runs.get(runId);
  expect(run.status, runId).toBe("completed");
  const records = await world.backend.workflows.readEvents(runId);
  expect(records.map((record) => record.sequence)).toEqual(records.map((_, index) => index + 1));
  const events = (await world.events.list({ runId, pagination: { limit: 1_000 } })).data;
  expect(events).toHaveLength(records.length);
  expect(events.filter((event) => event.eventType === "run_completed")).toHaveLength(1);
  const steps = events.filter((event) => event.eventType === "step_created").map((event) => event.correlationId);
  expect(steps.length).toBeGreaterThan(0);
  expect(steps.every((step) => typeof step === "string")).toBe(true);
  const completed = events.filter((event) => event.eventType === "step_completed").map((event) => event.correlationId);
  expect(completed.sort()).toEqual(steps.sort());
}

async function describeFaults(name: string, store: StoreTarget | { readonly skip: string }): Promise<void> {
  if ("skip" in store) {
    describe.skip(`dispatcher faults on ${name}: ${store.skip}`, () => it("needs a server", () => undefined));
    return;
  }
  const world = await createMooringWorld({ url: store.url });
  afterAll(async () => {
    await world.close();
    await store.cleanUp();
  });

  describe(`dispatcher faults on ${name}`, () => {
    it(`E20, W7: two dispatcher processes run ${RUNS} runs, each once, never two deliveries of a run at once`, async () => {
      const journalDir = tempDir();
      const apps = [startServer({ url: store.url, journalDir }), startServer({ url: store.url, journalDir })];
      await Promise.all(apps.map((app) => app.port));
      const runIds: string[] = [];
      for (let i = 0; i < RUNS; i++) {
        const [file, workflow, args] = WORKLOAD[i % WORKLOAD.length]!;
        runIds.push(await apps[i % 2]!.invoke(file, workflow, args));
      }
      for (const runId of runIds) await waitForEnd(world, runId, apps);
      for (const runId of runIds) await expectCompletedOnce(world, runId);
      const journal = readJournal(journalDir);
      expect(journal.filter((entry) => entry.op === "overlap")).toEqual([]);
      expect(new Set(journal.filter((entry) => entry.op === "delivery").map((entry) => entry.runId))).toEqual(new Set(runIds));
    });

    it("E10, W7: a dispatcher SIGKILLed in the middle of a step; a new one runs the step again and the run completes once", async () => {
      const journalDir = tempDir();
      const doomed = startServer({ url: store.url, journalDir, leaseMs: SHORT_LEASE_MS, holdStepCompletion: true });
      const runId = await doomed.invoke("workflows/addition.ts", "addition", [2, 3]);
      const [, heldRun, heldStep] = (await doomed.line("holding ")).split(" ");
      expect(heldRun).toBe(runId);
      await doomed.kill();
      const before = await world.backend.workflows.readEvents(runId);
      expect(before.filter((event) => event.type === "step_completed")).toEqual([]);

      const successor = startServer({ url: store.url, journalDir });
      await waitForEnd(world, runId, [doomed, successor]);
      await expectCompletedOnce(world, runId);
      const journal = readJournal(journalDir);
      expect(journal.filter((entry) => entry.op === "overlap")).toEqual([]);
      // The step ran again in the new process, and only there was its completion recorded.
      expect(journal.filter((entry) => entry.op === "step_completed" && entry.correlationId === heldStep).map((entry) => entry.pid)).toEqual([successor.pid]);
    });
  });
}

const sqliteDir = mkdtempSync(join(tmpdir(), "mooring-world-faults-db-"));
await describeFaults("sqlite", { url: `sqlite:${join(sqliteDir, "world.db")}`, cleanUp: async () => rmSync(sqliteDir, { recursive: true, force: true }) });

await describeFaults("postgres", await postgresStore("world dispatcher-faults.test.ts", "worldfaults", "faults"));
await describeFaults("redis", await redisStore());
await describeFaults("redis-cluster", await redisClusterStore());
