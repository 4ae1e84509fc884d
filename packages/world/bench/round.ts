/**
 * One round: N runs of one workflow started at once on one app server, timed from the lines that
 * bench/timed-world.mjs writes when the World acknowledges a run's or a step's event.
 *
 * - Elapsed: from the first `run_created` of the round to the last run's `run_completed`.
 * - Runs/s and steps/s: the round's runs and completed steps over that time.
 * - Step latency: for each step, from the World's acknowledgment of its first event (its
 *   `step_created`, or the `step_started` that creates it when the runtime runs it inline) to the
 *   acknowledgment of its `step_completed`: the step's wait for a delivery, its execution, and
 *   the World's writes, as the app process saw them.
 *
 * All of it is on the app process's monotonic clock, the same way for every World.
 */
import { type LatencySummary, ratePerSecond, summarizeLatencies } from "@mooring/bench/harness";
import type { AppServer } from "../test/support/app-server.js";
import type { BenchWorkflow } from "./workflows.js";

/** What one round measured. */
export interface RoundResult {
  readonly runs: number;
  readonly steps: number;
  readonly elapsedMs: number;
  readonly runsPerSec: number;
  readonly stepsPerSec: number;
  /** Step latency (module comment), in milliseconds. */
  readonly stepLatency: LatencySummary;
  /** From a run's `run_created` to its `run_completed`, in milliseconds. */
  readonly runLatency: LatencySummary;
}

/** What the timed World reported of one run. */
interface RunTimeline {
  createdMs: number | null;
  endedMs: number | null;
  failed: boolean;
  /** Each step's first event, by correlation id. */
  readonly stepFirstMs: Map<string, number>;
  readonly stepLatencies: number[];
}

/** The timed World's lines of one app server, by run, filled as they arrive. */
export class Journal {
  readonly #runs = new Map<string, RunTimeline>();
  readonly #onRunEnded = new Set<() => void>();

  constructor(server: Pick<AppServer, "onLine">) {
    server.onLine((line) => this.#record(line));
  }

  /** The runs' timelines once every one of them has ended; rejects after `timeoutMs` (a hang detector). */
  async ended(runIds: readonly string[], timeoutMs: number): Promise<RunTimeline[]> {
    const allEnded = () => runIds.every((runId) => this.#timeline(runId).endedMs !== null);
    if (!allEnded()) {
      await new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!allEnded()) return;
          settle();
          resolve();
        };
        const timer = setTimeout(() => {
          settle();
          const ended = runIds.filter((runId) => this.#timeline(runId).endedMs !== null).length;
          reject(new Error(`${ended} of ${runIds.length} runs ended within ${timeoutMs / 1000} s`));
        }, timeoutMs);
        const settle = () => {
          clearTimeout(timer);
          this.#onRunEnded.delete(check);
        };
        this.#onRunEnded.add(check);
      });
    }
    const timelines = runIds.map((runId) => this.#timeline(runId));
    for (const runId of runIds) this.#runs.delete(runId);
    return timelines;
  }

  #timeline(runId: string): RunTimeline {
    let timeline = this.#runs.get(runId);
    if (!timeline) {
      timeline = { createdMs: null, endedMs: null, failed: false, stepFirstMs: new Map(), stepLatencies: [] };
      this.#runs.set(runId, timeline);
    }
    return timeline;
  }

  /** Reads one `@bench <ms> <eventType> <runId> [<correlationId>]` line; other output is the app's own. */
  #record(line: string): void {
    if (!line.startsWith("@bench ")) return;
    const [, time, eventType, runId, correlationId] = line.split(" ");
    const ms = Number(time);
    if (runId === undefined || !Number.isFinite(ms)) return;
    const timeline = this.#timeline(runId);
    switch (eventType) {
      case "run_created":
        timeline.createdMs = ms;
        break;
      case "step_created":
      case "step_started":
        if (correlationId !== undefined && !timeline.stepFirstMs.has(correlationId)) timeline.stepFirstMs.set(correlationId, ms);
        break;
      case "step_completed": {
        const first = correlationId === undefined ? undefined : timeline.stepFirstMs.get(correlationId);
        if (first !== undefined) timeline.stepLatencies.push(ms - first);
        break;
      }
      case "run_completed":
      case "run_failed":
        timeline.endedMs = ms;
        timeline.failed = eventType === "run_failed";
        for (const check of [...this.#onRunEnded]) check();
        break;
    }
  }
}

/**
 * Starts `runs` runs of `workflow` at once (concurrent `POST /invoke`) and waits for all of them.
 * @throws Error when a run failed, completed fewer steps than the workflow has, or did not end within `timeoutMs`
 */
export async function measureRound(server: Pick<AppServer, "invoke">, journal: Journal, workflow: BenchWorkflow, runs: number, timeoutMs: number): Promise<RoundResult> {
  const runIds = await Promise.all(Array.from({ length: runs }, () => server.invoke(workflow.file, workflow.workflow, workflow.args)));
  const timelines = await journal.ended(runIds, timeoutMs);
  timelines.forEach((timeline, index) => {
    const runId = runIds[index];
    if (timeline.failed) throw new Error(`run ${runId} of ${workflow.workflow} failed`);
    if (timeline.createdMs === null) throw new Error(`run ${runId}: no run_created was timed`);
    if (timeline.stepLatencies.length !== workflow.steps) throw new Error(`run ${runId}: ${timeline.stepLatencies.length} of ${workflow.steps} steps completed`);
  });
  const first = Math.min(...timelines.map((timeline) => timeline.createdMs as number));
  const last = Math.max(...timelines.map((timeline) => timeline.endedMs as number));
  const elapsedMs = last - first;
  const steps = runs * workflow.steps;
  return {
    runs,
    steps,
    elapsedMs,
    runsPerSec: ratePerSecond(runs, elapsedMs) ?? 0,
    stepsPerSec: ratePerSecond(steps, elapsedMs) ?? 0,
    stepLatency: summarizeLatencies(timelines.flatMap((timeline) => timeline.stepLatencies)) as LatencySummary,
    runLatency: summarizeLatencies(timelines.map((timeline) => (timeline.endedMs as number) - (timeline.createdMs as number))) as LatencySummary,
  };
}
