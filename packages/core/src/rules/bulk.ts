/**
 * The bulk operator calls (SPEC E26) over a backend's own single-task calls. The contract asks
 * each task to change atomically, not the batch: a concurrent claim must see a task before or
 * after its change, never half. So a bulk call pages through its candidates (C5: a page cursor
 * never repeats or skips a task, whatever changes meanwhile) and changes each one with the call
 * that already does it in one transaction or script, `cancel` or `retryDeadLetter`, which judges
 * the task's state again at that moment: a task another caller settled in between is skipped.
 */
import type { EngineBackend } from "../contracts/engine-backend.js";
import { MooringError } from "../errors.js";
import { type CancelTasksOptions, type RetryDeadLettersRequest, type TaskFilter, TERMINAL_TASK_STATES } from "../types.js";

/** Candidates read per page. */
const PAGE = 100;

/** `cancelTasks`: cancels up to `options.limit` non-terminal tasks matching `filter`, oldest first. */
export async function cancelEach(engine: Pick<EngineBackend, "listTasks" | "cancel">, filter: TaskFilter, options: CancelTasksOptions): Promise<{ cancelled: number }> {
  let cancelled = 0;
  let cursor: string | null = null;
  do {
    const page = await engine.listTasks({ ...filter, limit: PAGE, cursor });
    for (const task of page.items) {
      if (cancelled === options.limit) return { cancelled };
      if (!TERMINAL_TASK_STATES.has(task.state) && (await engine.cancel(task.id, options.reason))) cancelled++;
    }
    cursor = page.cursor;
  } while (cursor !== null && cancelled < options.limit);
  return { cancelled };
}

/** `retryDeadLetters`: makes up to `request.limit` dead tasks ready, oldest dead first. */
export async function retryEachDeadLetter(
  engine: Pick<EngineBackend, "listDeadLetters" | "retryDeadLetter">,
  request: RetryDeadLettersRequest,
): Promise<{ retried: number }> {
  let retried = 0;
  const options = request.resetAttempts === undefined ? {} : { resetAttempts: request.resetAttempts };
  while (retried < request.limit) {
    // Retried tasks leave the dead letters, so the first page always holds the next candidates.
    const page = await engine.listDeadLetters({ ...(request.queue === undefined ? {} : { queue: request.queue }), limit: Math.min(PAGE, request.limit - retried) });
    if (page.items.length === 0) break;
    let progressed = false;
    for (const task of page.items) {
      try {
        await engine.retryDeadLetter(task.id, options);
        retried++;
        progressed = true;
      } catch (error) {
        // Retried (or pruned) by another caller since the page was read: not this call's to count.
        if (!MooringError.is(error, "INVALID_STATE") && !MooringError.is(error, "NOT_FOUND")) throw error;
      }
    }
    if (!progressed) break;
  }
  return { retried };
}
