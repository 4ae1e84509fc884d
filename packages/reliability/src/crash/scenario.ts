/**
 * Worker crashes (issue 7): several workers claim tasks and settle each with one fenced commit
 * (`commit(runId, { lease, events: [terminal event], settle: { complete } })`) while the scenario
 * SIGKILLs random workers at random times, starts replacements, and freezes others (SIGSTOP) until
 * the lease they hold was reclaimed, then lets them go on (SIGCONT) with their stale lease. Time is
 * the backends' own (the server's clock for Postgres and Redis; no injected clock), leases are
 * short, and a sweeper calls `reclaimExpired`, so the leases of dead and frozen workers expire and
 * are reclaimed in real time. The run ends when every task is terminal, or fails at its deadline.
 *
 * Afterwards, every task must be completed with exactly one terminal event in its run's log,
 * written by the lease that completed it (SPEC W11, E7); none may be lost; no completion may come
 * from a holder whose lease had been reclaimed: a settlement accepted with an epoch lower than the
 * task's final epoch is a violation (E5, E11). The recorded history of every claim, commit and
 * reclaim, from every process, is checked for E4, E5, E7 and E11 as well.
 *
 * The memory backend lives in one process, so for it the workers are in-process loops: a "kill"
 * makes a worker abandon whatever it holds at its next step (it never settles, never records the
 * outcome of the call in flight), and a "freeze" parks it between its work and its commit until
 * its lease was reclaimed. No process is killed for memory.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import type { Backend, Lease } from "@mooring/core";
import { checkHistory, HistoryRecorder, type HistoryEntry, type LeaseRef, mergeHistories } from "@mooring/conformance/history";
import { readJournal } from "../journal.js";
import { Prng } from "../prng.js";
import type { NodeProgram } from "../programs.js";
import type { ScenarioResult } from "../results.js";
import type { Target } from "../targets.js";
import { anchorTimeBase, type TimeBase, timeOn } from "../time-base.js";
import type { WorkerProcessConfig } from "./worker-main.js";
import { type CrashTaskPayload, type CrashWorkerSettings, runCrashWorker, SETTLED_EVENT, type SettledEventPayload } from "./worker-loop.js";

export interface WorkerCrashOptions {
  readonly seed: number;
  /** Tasks to settle; default 400. */
  readonly tasks?: number;
  /** Workers running at once; default 4. */
  readonly workers?: number;
  /** SIGKILLs (in-process crashes for memory); default 6. */
  readonly kills?: number;
  /** SIGSTOP … SIGCONT freezes (in-process parks for memory); default 2. */
  readonly freezes?: number;
  /** Lease duration of every claim; default 800 ms. */
  readonly leaseMs?: number;
  /** Simulated work per task; default [20, 80] ms. */
  readonly workMs?: readonly [number, number];
  /** The whole run fails when the tasks are not all terminal by then; default 90 s. */
  readonly deadlineMs?: number;
  /** How to start worker processes; required for every backend but memory. */
  readonly program?: NodeProgram;
  /** Progress lines. */
  readonly log?: (line: string) => void;
}

const QUEUE = "crash-work";
/** Enough attempts that no task can be dead-lettered by the faults of one run: every task must complete. */
const MAX_ATTEMPTS = 1_000;
/** A retried task waits this long: short, so that the run moves on, but a real backoff. */
const RETRY_BACKOFF = { baseMs: 20, factor: 1, maxMs: 20 } as const;
const SWEEP_INTERVAL_MS = 100;
/** How far the backend's clock may be from the scenario's time line (same machine: drift only). */
const CLOCK_SKEW_MS = 100;
const FENCE_CODES: ReadonlySet<string> = new Set(["STALE_LEASE", "LEASE_EXPIRED", "LEASE_REVOKED", "INVALID_STATE"]);


/** What a frozen worker holds: a lease, a claim whose answer it has not read, or nothing. */
type Frozen = { readonly kind: "holding"; readonly lease: LeaseRef } | { readonly kind: "claiming" } | { readonly kind: "idle" };

/** One worker, in a process or in process, as the fault injector sees it. */
interface WorkerHandle {
  readonly id: string;
  readonly alive: boolean;
  /** Resolves once the worker can work (its process started and opened its backend). */
  readonly ready: Promise<void>;
  kill(): Promise<void>;
  /** Freezes the worker; null when it could not be frozen holding anything (memory: no task reached its commit). */
  freeze(): Promise<Frozen | null>;
  thaw(): void;
  /** Asks the worker to stop cleanly and waits until it has. */
  stop(): Promise<void>;
  /** Its recorded history (call after it stopped or was killed). */
  history(): Promise<HistoryEntry[]>;
  /** Why it ended on its own, when it did (a crash nobody injected). */
  readonly failure: string | null;
}

class ProcessWorker implements WorkerHandle {
  readonly id: string;
  readonly ready: Promise<void>;
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #journal: string;
  readonly #exited: Promise<void>;
  readonly #stderr: string[] = [];
  #killed = false;
  #stopping = false;
  #exitCode: number | null = null;
  #exitSignal: string | null = null;

  constructor(program: NodeProgram, config: WorkerProcessConfig) {
    this.id = config.settings.workerId;
    this.#journal = config.journal;
    this.#child = spawn(program.command, [...program.args, JSON.stringify(config)], { stdio: ["pipe", "pipe", "pipe"] });
    this.#child.stderr.on("data", (chunk: Buffer) => this.#stderr.push(chunk.toString("utf8")));
    this.#exited = new Promise((resolve) =>
      this.#child.once("close", (code, signal) => {
        this.#exitCode = code;
        this.#exitSignal = signal;
        resolve();
      }),
    );
    this.ready = new Promise((resolve, reject) => {
      const lines = createInterface({ input: this.#child.stdout });
      lines.on("line", (line) => {
        if (line === "ready") resolve();
      });
      void this.#exited.then(() => reject(new Error(`worker ${this.id} exited before it was ready: ${this.#stderr.join("").slice(0, 2000)}`)));
    });
    // The scenario handles a worker that never gets ready through `failure`; an unobserved rejection must not end the process.
    this.ready.catch(() => undefined);
  }

  get alive(): boolean {
    return this.#exitCode === null && this.#exitSignal === null;
  }

  get failure(): string | null {
    if (this.alive || this.#killed) return null;
    if (this.#exitCode === 0 && this.#stopping) return null;
    return `worker ${this.id} ended on its own (code ${String(this.#exitCode)}, signal ${String(this.#exitSignal)}): ${this.#stderr.join("").slice(0, 2000)}`;
  }

  async kill(): Promise<void> {
    this.#killed = true;
    this.#child.kill("SIGKILL");
    await this.#exited;
  }

  async freeze(): Promise<Frozen> {
    this.#child.kill("SIGSTOP");
    // Its journal is complete up to the instant it stopped: every line is written synchronously.
    const entries = readJournal(await readFile(this.#journal, "utf8").catch(() => ""), this.#journal);
    const lastClaim = entries.findLast((entry) => entry.op === "claim");
    if (!lastClaim) return { kind: "idle" };
    if (lastClaim.completedAt === null) return { kind: "claiming" };
    const [lease] = lastClaim.outcome === "ok" && Array.isArray(lastClaim.value) ? (lastClaim.value as LeaseRef[]) : [];
    if (!lease) return { kind: "idle" };
    const settled = entries.some((entry) => entry.op === "complete" && entry.index > lastClaim.index && entry.completedAt !== null);
    return settled ? { kind: "idle" } : { kind: "holding", lease: { taskId: lease.taskId, epoch: lease.epoch } };
  }

  thaw(): void {
    this.#child.kill("SIGCONT");
  }

  async stop(): Promise<void> {
    if (!this.alive) return;
    this.#stopping = true;
    this.#child.stdin.write("stop\n");
    const timer = setTimeout(() => this.#child.kill("SIGKILL"), 15_000);
    await this.#exited;
    clearTimeout(timer);
  }

  async history(): Promise<HistoryEntry[]> {
    return readJournal(await readFile(this.#journal, "utf8").catch(() => ""), this.#journal);
  }
}

class InProcessWorker implements WorkerHandle {
  readonly id: string;
  readonly ready = Promise.resolve();
  readonly #done: Promise<void>;
  readonly #backend: Backend;
  #crashed = false;
  #stopping = false;
  #failure: string | null = null;
  #finished = false;
  #freezeRequest: ((lease: Lease) => void) | null = null;
  #thaw: (() => void) | null = null;

  constructor(backend: Backend, recorder: HistoryRecorder, settings: CrashWorkerSettings) {
    this.id = settings.workerId;
    this.#backend = backend;
    this.#done = runCrashWorker(backend, recorder, settings, {
      crashed: () => this.#crashed,
      stopping: () => this.#stopping,
      beforeCommit: (lease) => this.#park(lease),
    }).then(
      () => {
        this.#finished = true;
      },
      (error: unknown) => {
        this.#finished = true;
        this.#failure = `worker ${this.id} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
      },
    );
  }

  get alive(): boolean {
    return !this.#finished && !this.#crashed;
  }

  get failure(): string | null {
    return this.#failure;
  }

  #park(lease: Lease): Promise<void> {
    const request = this.#freezeRequest;
    if (!request) return Promise.resolve();
    this.#freezeRequest = null;
    return new Promise((resolve) => {
      this.#thaw = resolve;
      request(lease);
    });
  }

  async kill(): Promise<void> {
    // A crash: the loop stops at its next step, abandoning its lease; the backend object is left
    // as a dead process would leave its connection.
    this.#crashed = true;
    this.thaw();
  }

  freeze(): Promise<Frozen | null> {
    return new Promise((resolve) => {
      // The worker parks at its next commit; when no task reaches one soon, there is nothing to freeze.
      const timer = setTimeout(() => {
        this.#freezeRequest = null;
        resolve(null);
      }, 2_000);
      this.#freezeRequest = (lease) => {
        clearTimeout(timer);
        resolve({ kind: "holding", lease: { taskId: lease.taskId, epoch: lease.epoch } });
      };
    });
  }

  thaw(): void {
    const thaw = this.#thaw;
    this.#thaw = null;
    thaw?.();
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.thaw();
    await this.#done;
    await this.#backend.close();
  }

  async history(): Promise<HistoryEntry[]> {
    // In-process workers record into the scenario's recorder.
    return [];
  }
}

/** Runs the scenario once on `target` and reports what it found. */
export async function runWorkerCrashes(target: Target, options: WorkerCrashOptions): Promise<ScenarioResult> {
  const started = Date.now();
  const tasks = options.tasks ?? 400;
  const workerCount = options.workers ?? 4;
  const leaseMs = options.leaseMs ?? 800;
  const workMs = options.workMs ?? [20, 80];
  const deadline = started + (options.deadlineMs ?? 90_000);
  const log = options.log ?? (() => undefined);
  const prng = new Prng(options.seed);
  const inProcess = target.kind === "memory";
  if (!inProcess && !options.program) throw new Error(`worker crashes on ${target.kind} need a worker program`);

  const timeBase: TimeBase = anchorTimeBase();
  const recorder = new HistoryRecorder({ now: timeOn(timeBase) });
  const journals = await mkdtemp(join(tmpdir(), "mooring-crash-journals-"));
  const parent = await target.open();
  const violations: string[] = [];
  const handles: WorkerHandle[] = [];
  let kills = 0;
  let freezes = 0;
  let staleHoldersFrozen = 0;
  let finished = false;
  let keepJournals = false;

  try {
    // One run per task; the task carries its run id, and its terminal event goes to that run's log.
    const runOf = new Map<string, string>();
    const runIds: string[] = [];
    for (let i = 0; i < tasks; i++) {
      const { run } = await parent.workflows.createRun({ workflowId: "crash", version: "1", input: { i } });
      runIds.push(run.id);
    }
    for (let i = 0; i < tasks; i += 500) {
      const batch = runIds.slice(i, i + 500).map((runId) => ({
        queue: QUEUE,
        payload: { runId } satisfies CrashTaskPayload,
        runId,
        maxAttempts: MAX_ATTEMPTS,
        backoff: RETRY_BACKOFF,
      }));
      const results = await parent.engine.enqueueMany(batch);
      results.forEach((result, j) => runOf.set(result.id, runIds[i + j] as string));
    }

    let generation = 0;
    const startWorker = async (slot: number): Promise<WorkerHandle> => {
      const settings: CrashWorkerSettings = { workerId: `w${slot}.${generation++}`, queue: QUEUE, leaseMs, workMs, seed: prng.uint32() };
      const handle: WorkerHandle = inProcess
        ? new InProcessWorker(await target.open(), recorder, settings)
        : new ProcessWorker(options.program as NodeProgram, { target: target.config, journal: join(journals, `${settings.workerId}.jsonl`), timeBase, settings });
      handles.push(handle);
      return handle;
    };
    const slots: WorkerHandle[] = [];
    for (let slot = 0; slot < workerCount; slot++) slots.push(await startWorker(slot));
    await Promise.all(slots.map((handle) => handle.ready));
    log(`${target.kind}: ${tasks} tasks, ${workerCount} workers ready`);

    const sweeper = (async () => {
      const client = recorder.client("sweeper", parent);
      while (!finished) {
        await client.reclaimExpired({ limit: 100 }).catch(() => undefined);
        await sleep(SWEEP_INTERVAL_MS);
      }
    })();

    const isReleased = async (lease: LeaseRef): Promise<boolean> => {
      const task = await parent.engine.getTask(lease.taskId);
      return task === null || task.epoch !== lease.epoch || task.state !== "leased";
    };

    const faults = (async () => {
      const plan = [...Array<"kill">(options.kills ?? 6).fill("kill"), ...Array<"freeze">(options.freezes ?? 2).fill("freeze")];
      for (let i = plan.length - 1; i > 0; i--) {
        const j = prng.int(0, i);
        [plan[i], plan[j]] = [plan[j] as "kill" | "freeze", plan[i] as "kill" | "freeze"];
      }
      for (const fault of plan) {
        await sleep(prng.int(80, 300));
        if (finished) return;
        const slot = prng.int(0, workerCount - 1);
        const victim = slots[slot] as WorkerHandle;
        if (!victim.alive) continue;
        if (fault === "kill") {
          await victim.kill();
          kills++;
          log(`${target.kind}: killed ${victim.id}`);
          slots[slot] = await startWorker(slot);
          // Faults land on working workers: a replacement still loading its modules holds nothing.
          await (slots[slot] as WorkerHandle).ready.catch(() => undefined);
          continue;
        }
        // Freeze the worker at an instant it holds a lease (or awaits a claim's answer): a freeze
        // that finds it between tasks is undone at once and tried again a little later.
        let frozen: Frozen | null = null;
        for (let tries = 0; tries < 20 && !finished && victim.alive; tries++) {
          frozen = await victim.freeze();
          if (frozen === null || frozen.kind !== "idle") break;
          victim.thaw();
          frozen = null;
          await sleep(prng.int(5, 25));
        }
        if (frozen === null) continue;
        freezes++;
        if (frozen.kind === "holding") {
          // Keep it frozen until its lease was reclaimed (or settled just before the stop): it
          // then wakes as a stale holder, and its commit must be refused.
          const until = Date.now() + 4 * leaseMs + 2_000;
          while (Date.now() < until && !(await isReleased(frozen.lease))) await sleep(50);
          staleHoldersFrozen++;
        } else {
          // Frozen inside a claim: a pause longer than a lease makes whatever the claim granted
          // expire before the worker reads it.
          await sleep(leaseMs + 200);
        }
        victim.thaw();
        log(`${target.kind}: froze ${victim.id} (${frozen.kind})`);
      }
    })();

    // Completion: every task terminal. Polled, with a deadline.
    let terminal = 0;
    while (terminal < tasks) {
      if (Date.now() > deadline) {
        violations.push(`only ${terminal} of ${tasks} tasks were terminal after ${Math.round((Date.now() - started) / 1000)} s (deadline)`);
        break;
      }
      const failure = handles.map((handle) => handle.failure).find((message) => message !== null);
      if (failure) {
        violations.push(failure);
        break;
      }
      const stats = await parent.engine.queueStats(QUEUE);
      terminal = stats.counts.completed + stats.counts.dead + stats.counts.cancelled;
      if (terminal < tasks) await sleep(100);
    }
    finished = true;
    await faults;
    for (const handle of handles) handle.thaw();
    await Promise.all(handles.map((handle) => handle.stop()));
    await sweeper;
    for (const handle of handles) if (handle.failure) violations.push(handle.failure);

    const history = mergeHistories([recorder.history(), ...(await Promise.all(handles.map((handle) => handle.history())))]);
    const checked = await verifyOutcome(parent, runOf, history);
    violations.push(...checked.violations);
    const report = checkHistory(history, { clock: { kind: "wall", skewMs: CLOCK_SKEW_MS }, maxViolations: 50 });
    for (const violation of report.violations) violations.push(`${violation.rule} ${violation.kind}: ${violation.message}`);
    if (report.truncated) violations.push("… the history checker found more violations than listed");
    keepJournals = violations.length > 0 && !inProcess;

    return {
      scenario: "worker-crashes",
      backend: target.kind,
      seed: options.seed,
      faults: kills + freezes,
      faultKinds: inProcess ? { "in-process crash": kills, "in-process freeze": freezes } : { SIGKILL: kills, SIGSTOP: freezes },
      operations: history.length,
      lost: checked.lost,
      duplicated: checked.duplicated,
      durationMs: Date.now() - started,
      violations,
      notes: [
        `${tasks} tasks, ${handles.length} workers started`,
        `${checked.staleRejected} stale commits refused`,
        `${staleHoldersFrozen} holders frozen past their lease`,
        `${report.stats.reclaimed} sweeper reclaims`,
        ...(keepJournals ? [`journals kept in ${journals}`] : []),
      ],
    };
  } finally {
    finished = true;
    for (const handle of handles) {
      handle.thaw();
      if (handle.alive) await handle.kill();
    }
    await parent.close();
    if (!keepJournals) await rm(journals, { recursive: true, force: true });
  }
}

interface Verified {
  readonly violations: string[];
  readonly lost: number;
  readonly duplicated: number;
  readonly staleRejected: number;
}

/**
 * Reads every task and its run's log through `backend` and compares them with the history: one
 * terminal outcome and one terminal event per task, written by the lease that completed it.
 */
async function verifyOutcome(backend: Backend, runOf: ReadonlyMap<string, string>, history: readonly HistoryEntry[]): Promise<Verified> {
  const violations: string[] = [];
  const settledOk = new Map<string, number[]>();
  const settleUnknown = new Map<string, number[]>();
  let staleRejected = 0;
  for (const entry of history) {
    if (entry.op !== "complete") continue;
    const { taskId, epoch } = entry.args as LeaseRef;
    if (entry.outcome === "ok") settledOk.set(taskId, [...(settledOk.get(taskId) ?? []), epoch]);
    else if (entry.outcome === "info") settleUnknown.set(taskId, [...(settleUnknown.get(taskId) ?? []), epoch]);
    else if (FENCE_CODES.has(entry.error?.code ?? "")) staleRejected++;
    else violations.push(`task ${taskId}: commit with epoch ${epoch} failed with ${entry.error?.code ?? "?"}: ${entry.error?.message ?? ""}`);
  }
  let lost = 0;
  let duplicated = 0;
  for (const [taskId, runId] of runOf) {
    const task = await backend.engine.getTask(taskId);
    if (task === null || task.state !== "completed") {
      lost++;
      violations.push(`task ${taskId} ended ${task?.state ?? "missing"}, not completed (lost)`);
      continue;
    }
    const events = await backend.workflows.readEvents(runId);
    const terminal = events.filter((event) => event.type === SETTLED_EVENT);
    if (terminal.length !== 1 || events.length !== 1) {
      if (terminal.length > 1) duplicated++;
      violations.push(`run ${runId} of task ${taskId} holds ${terminal.length} terminal event(s) among ${events.length} (W11: exactly one expected)`);
    }
    const written = terminal[0]?.payload as unknown as SettledEventPayload | undefined;
    if (written && (written.taskId !== taskId || written.epoch !== task.epoch)) {
      violations.push(`run ${runId}: the terminal event names task ${written.taskId} epoch ${written.epoch}, but task ${taskId} was completed under epoch ${task.epoch} (W11)`);
    }
    const oks = settledOk.get(taskId) ?? [];
    if (oks.length > 1) {
      duplicated++;
      violations.push(`task ${taskId} was settled ${oks.length} times (epochs ${oks.join(", ")}) (E7)`);
    }
    for (const epoch of oks) {
      if (epoch < task.epoch) violations.push(`task ${taskId}: a commit with epoch ${epoch} was accepted, but the task's final epoch is ${task.epoch}: a reclaimed holder completed it (E5, E11)`);
    }
    if (oks.length === 0 && !(settleUnknown.get(taskId) ?? []).includes(task.epoch)) {
      violations.push(`task ${taskId} is completed under epoch ${task.epoch}, but no commit of that epoch was accepted or left in doubt by a crash`);
    }
  }
  return { violations, lost, duplicated, staleRejected };
}
