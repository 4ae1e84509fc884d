/**
 * Draining a queue through the queue operations: what the Mooring targets (and the raw baselines)
 * run where a peer runs its own worker loop. Also the bulk fill every queue workload starts with.
 */
import { LatencyRecorder, collectGarbage, ratePerSecond } from "./harness.js";
import type { ClaimedTask, DrainOperations, DrainPlan, DrainResult, FillResult, QueueOperations } from "./targets/target.js";

/** The largest batch core accepts (`MAX_LIMIT`), used to pre-fill queues in few calls. */
const PREFILL_BATCH = 10_000;

/** Small payloads, built once and frozen: the figures should be the target's cost, not the harness's allocations. */
export const payloadBatch = (size: number): readonly Readonly<Record<string, number>>[] =>
  Object.freeze(Array.from({ length: size }, (_, n) => Object.freeze({ n })));

export const workerName = (worker: number): string => `bench-worker-${worker}`;

/** Fills `queue` with `tasks` ready tasks in batches of at most `PREFILL_BATCH`. */
export async function prefillQueue(queue: QueueOperations, name: string, tasks: number): Promise<FillResult> {
  const full = payloadBatch(Math.min(PREFILL_BATCH, Math.max(1, tasks)));
  const started = performance.now();
  for (let done = 0; done < tasks; ) {
    const size = Math.min(full.length, tasks - done);
    await queue.enqueueMany(name, size === full.length ? full : full.slice(0, size));
    done += size;
  }
  const elapsedMs = performance.now() - started;
  collectGarbage();
  return { tasks, elapsedMs, tasksPerSec: ratePerSecond(tasks, elapsedMs) };
}

/**
 * Times the processing phase of a drain: its start, each confirmed completion, and this process's
 * CPU from the start, for every kind of target (queue loops and peers' workers alike).
 */
export class DrainClock {
  readonly startedAt: number;
  readonly #cpuBefore: NodeJS.CpuUsage;
  #completed = 0;
  #first: number | null = null;
  #last: number | null = null;

  constructor() {
    this.#cpuBefore = process.cpuUsage();
    this.startedAt = performance.now();
  }

  get completed(): number {
    return this.#completed;
  }

  /** Records a completion confirmed now; returns the number confirmed so far. */
  completion(): number {
    const now = performance.now();
    this.#first ??= now;
    this.#last = now;
    return ++this.#completed;
  }

  /**
   * The result, with the CPU used until now. `lastCompletionAt` replaces the last recorded
   * completion when the target confirms the end otherwise (graphile-worker: by a query).
   */
  finish(details: Pick<DrainResult, "truncated" | "fetches" | "cycleLatency" | "settings">, lastCompletionAt?: number): DrainResult {
    const cpu = process.cpuUsage(this.#cpuBefore);
    return {
      completed: this.#completed,
      startedAt: this.startedAt,
      firstCompletionAt: this.#first,
      lastCompletionAt: lastCompletionAt ?? this.#last,
      cpuMs: (cpu.user + cpu.system) / 1000,
      ...details,
    };
  }
}

/** Lets the other workers run before an empty-handed worker asks again. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * A drain on `queue`: `plan.concurrency` workers, each looping claim (limit `plan.batch`) and
 * complete every task it got, all at once (as an engine runs a claimed batch's no-op handlers
 * concurrently), until as many tasks were claimed as the fill added. With `plan.nextFetch`
 * "with-completion", a worker asks for its next tasks in the same turn as it completes the last
 * ones (a backend that pipelines the two makes one round trip); otherwise once they are completed.
 * A claim that comes back empty while others still hold the last tasks is asked again on the next
 * turn of the event loop. A completion counts when `complete` resolves, i.e. once the backend has
 * made it durable.
 */
export function queueDrain(queue: QueueOperations): DrainOperations {
  return {
    unsupported: () => null,
    fill: (plan) => prefillQueue(queue, plan.queue, plan.jobs),
    process: (plan) => processQueue(queue, plan),
  };
}

async function processQueue(queue: QueueOperations, plan: DrainPlan): Promise<DrainResult> {
  const cycles = new LatencyRecorder(Math.ceil(plan.jobs / plan.batch));
  const overlapped = plan.nextFetch === "with-completion";
  let claimed = 0;
  let fetches = 0;
  let truncated = false;
  const clock = new DrainClock();
  const completeOne = async (task: ClaimedTask): Promise<void> => {
    await queue.complete(task);
    clock.completion();
  };
  const completeAll = async (tasks: readonly ClaimedTask[]): Promise<void> => {
    if (tasks.length === 1) await completeOne(tasks[0] as ClaimedTask);
    else if (tasks.length > 1) await Promise.all(tasks.map(completeOne));
  };
  const claimNext = async (workerId: string): Promise<ClaimedTask[]> => {
    if (claimed >= plan.jobs) return [];
    const tasks = await queue.claim(plan.queue, workerId, plan.batch);
    fetches++;
    claimed += tasks.length;
    return tasks;
  };
  const deadline = clock.startedAt + plan.maxMs;
  /** One worker: each cycle completes what it holds and fetches what it will hold next. */
  const worker = async (index: number): Promise<void> => {
    const workerId = workerName(index);
    let held: ClaimedTask[] = [];
    while (claimed < plan.jobs || held.length > 0) {
      const before = performance.now();
      if (before >= deadline) {
        truncated = true;
        return;
      }
      let next: ClaimedTask[];
      if (overlapped) {
        [, next] = await Promise.all([completeAll(held), claimNext(workerId)]);
      } else {
        await completeAll(held);
        next = await claimNext(workerId);
      }
      if (held.length > 0) cycles.record(performance.now() - before);
      held = next;
      if (held.length === 0 && claimed < plan.jobs) await nextTurn();
    }
  };
  await Promise.all(Array.from({ length: plan.concurrency }, (_, index) => worker(index)));
  const fetching = overlapped ? "the next claim made with the completions" : "the next claim after them";
  return clock.finish({
    truncated,
    fetches,
    cycleLatency: cycles.summary(),
    settings: { mode: plan.batch === 1 ? `claim limit 1, complete; ${fetching}` : `claim limit ${plan.batch}, complete all at once; ${fetching}` },
  });
}
