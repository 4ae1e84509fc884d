/**
 * Records a history of concurrent operations for `checkHistory`: every call is one entry with
 * when it was invoked, when it completed and how (ok, fail, info). `RecordingClient` wraps a
 * backend's engine and event log so that a workload records the operations the checker reads, in
 * the shapes it expects, by calling the backend through it.
 *
 * Usable from a plain Node script: nothing here needs vitest or the kit's runner.
 */
import { performance } from "node:perf_hooks";
import {
  type Backend,
  type ClaimInput,
  type Clock,
  type CompleteOptions,
  type EventInput,
  type EventRecord,
  type FailOptions,
  type FailResult,
  type Json,
  type Lease,
  type ManualClock,
  MooringError,
  type Progress,
  type ReclaimOptions,
  type ReclaimResult,
  type ReleaseOptions,
  type RenewOptions,
  type RetryDeadLetterOptions,
  type SuspendInput,
  type SuspendResult,
} from "@mooring/core";
import {
  type AppendArgs,
  type ClaimArgs,
  type ClockValue,
  type GrantedLease,
  HISTORY_OPS,
  type HistoryEntry,
  type HistoryError,
  type LeaseRef,
  type Outcome,
  type RecordedEvent,
  type ReclaimValue,
  type TaskRef,
} from "./types.js";

/** MooringError codes after which the call may have taken effect: the outcome is unknown. */
const INDETERMINATE_CODES: ReadonlySet<string> = new Set(["UNAVAILABLE", "TIMEOUT"]);

/** The smallest step between two times of one recorder, in milliseconds (a microsecond). */
const TIME_NUDGE_MS = 0.001;

/** A high-resolution epoch time in milliseconds. */
export function highResolutionNow(): number {
  return performance.timeOrigin + performance.now();
}

/** How an error ends an entry: `fail` when it definitely wrote nothing (SPEC C2), else `info`. */
export function classifyError(error: unknown): { readonly outcome: Exclude<Outcome, "ok">; readonly error: HistoryError } {
  if (MooringError.is(error)) {
    return { outcome: INDETERMINATE_CODES.has(error.code) ? "info" : "fail", error: { code: error.code, message: error.message } };
  }
  return { outcome: "info", error: { code: "RAW", message: error instanceof Error ? error.message : String(error) } };
}

interface PendingEntry {
  readonly index: number;
  readonly process: string;
  readonly op: string;
  readonly args: unknown;
  readonly invokedAt: number;
}

/** One invoked operation, to be completed exactly once. */
export interface Invocation {
  /** Completes the entry as `ok` with `value` (stored as given: summarize it first). */
  ok(value: unknown): void;
  /** Completes the entry as `fail` or `info`, classifying `error` with `classifyError`. */
  error(error: unknown): void;
}

export interface HistoryRecorderOptions {
  /** The time source; default `highResolutionNow`. Readings are made strictly increasing. */
  readonly now?: () => number;
}

/**
 * Collects entries. One recorder may serve any number of logical processes in one Node process;
 * its times are strictly increasing, so real-time order between its entries is exact.
 */
export class HistoryRecorder {
  readonly #now: () => number;
  readonly #completed: HistoryEntry[] = [];
  readonly #pending = new Map<number, PendingEntry>();
  #lastTime = Number.NEGATIVE_INFINITY;
  #nextIndex = 0;

  constructor(options: HistoryRecorderOptions = {}) {
    this.#now = options.now ?? highResolutionNow;
  }

  /** A reading of the time source, nudged past the previous one so that no two readings tie. */
  #time(): number {
    const reading = this.#now();
    this.#lastTime = reading > this.#lastTime ? reading : this.#lastTime + TIME_NUDGE_MS;
    return this.#lastTime;
  }

  /** Records the invocation of `op` by `process` now; complete it with the returned handle. */
  invoke(process: string, op: string, args: unknown): Invocation {
    const pending: PendingEntry = { index: this.#nextIndex++, process, op, args, invokedAt: this.#time() };
    this.#pending.set(pending.index, pending);
    let done = false;
    const complete = (outcome: Outcome, value: unknown, error: HistoryError | null): void => {
      if (done) throw new Error(`history entry #${pending.index} (${op}) completed twice`);
      done = true;
      this.#pending.delete(pending.index);
      this.#completed.push({ ...pending, completedAt: this.#time(), outcome, value: outcome === "ok" ? (value ?? null) : null, error });
    };
    return {
      ok: (value) => complete("ok", value, null),
      error: (thrown) => {
        const classified = classifyError(thrown);
        complete(classified.outcome, null, classified.error);
      },
    };
  }

  /**
   * Calls `call`, recording it as `op` with `args`; the entry's value is `summarize(result)`.
   * Resolves or rejects exactly as `call` does.
   */
  async record<T>(process: string, op: string, args: unknown, call: () => Promise<T>, summarize: (value: T) => unknown = (value) => value): Promise<T> {
    const invocation = this.invoke(process, op, args);
    let result: T;
    try {
      result = await call();
    } catch (error) {
      invocation.error(error);
      throw error;
    }
    invocation.ok(summarize(result));
    return result;
  }

  /** Advances a manual clock by `ms` and records it, so the checker knows when time moved. */
  advanceClock(process: string, clock: ManualClock, ms: number): number {
    const invocation = this.invoke(process, HISTORY_OPS.clock, { advanceBy: ms });
    const now = clock.advance(ms);
    invocation.ok({ now } satisfies ClockValue);
    return now;
  }

  /** Records a reading of `clock` (record one before a workload starts). */
  readClock(process: string, clock: Clock): number {
    const invocation = this.invoke(process, HISTORY_OPS.clock, { advanceBy: 0 });
    const now = clock.now();
    invocation.ok({ now } satisfies ClockValue);
    return now;
  }

  /** Operations invoked and not yet completed. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /**
   * The history so far, in invocation order. Operations still pending appear as `info` with
   * `completedAt: null`: their outcome is unknown.
   */
  history(): HistoryEntry[] {
    const pending = [...this.#pending.values()].map(
      (entry): HistoryEntry => ({ ...entry, completedAt: null, outcome: "info", value: null, error: { code: "PENDING", message: "never completed" } }),
    );
    return [...this.#completed, ...pending].sort((a, b) => a.index - b.index);
  }

  /** A client that records every call it makes on `backend` as `process`. */
  client(process: string, backend: Backend): RecordingClient {
    return new RecordingClient(this, process, backend);
  }
}

const leaseRef = (lease: Lease): LeaseRef => ({ taskId: lease.taskId, epoch: lease.epoch });
const taskRef = (taskId: string): TaskRef => ({ taskId });
const granted = (lease: Lease): GrantedLease => ({
  taskId: lease.taskId,
  epoch: lease.epoch,
  attempt: lease.attempt,
  expiresAt: lease.expiresAt,
  queue: lease.queue,
  ...(lease.concurrencyKey === undefined ? {} : { concurrencyKey: lease.concurrencyKey }),
});
const nothing = (): null => null;

/** How many events one page of `readAllEvents` asks for. */
const READ_PAGE = 1_000;

/**
 * The engine and event-log calls the checker reads, recorded with their canonical shapes. Each
 * method calls the backend exactly as its namesake does and returns what the backend returns.
 */
export class RecordingClient {
  readonly #recorder: HistoryRecorder;
  readonly #backend: Backend;
  readonly process: string;

  constructor(recorder: HistoryRecorder, process: string, backend: Backend) {
    this.#recorder = recorder;
    this.#backend = backend;
    this.process = process;
  }

  get backend(): Backend {
    return this.#backend;
  }

  claim(request: ClaimInput): Promise<Lease[]> {
    const args: ClaimArgs = { workerId: request.workerId, queues: [...request.queues], leaseMs: request.leaseMs, limit: request.limit ?? 1 };
    return this.#recorder.record(this.process, HISTORY_OPS.claim, args, () => this.#backend.engine.claim(request), (leases) => leases.map(granted));
  }

  renew(lease: Lease, options?: RenewOptions): Promise<Lease> {
    return this.#recorder.record(this.process, HISTORY_OPS.renew, leaseRef(lease), () => this.#backend.engine.renew(lease, options), (renewed) => ({ expiresAt: renewed.expiresAt }));
  }

  complete(lease: Lease, options?: CompleteOptions): Promise<void> {
    return this.#recorder.record(this.process, HISTORY_OPS.complete, leaseRef(lease), () => this.#backend.engine.complete(lease, options), nothing);
  }

  fail(lease: Lease, options: FailOptions): Promise<FailResult> {
    return this.#recorder.record(this.process, HISTORY_OPS.fail, leaseRef(lease), () => this.#backend.engine.fail(lease, options), (result) => ({ outcome: result.outcome }));
  }

  release(lease: Lease, options?: ReleaseOptions): Promise<void> {
    return this.#recorder.record(this.process, HISTORY_OPS.release, leaseRef(lease), () => this.#backend.engine.release(lease, options), nothing);
  }

  suspend(lease: Lease, input: SuspendInput): Promise<SuspendResult> {
    return this.#recorder.record(this.process, HISTORY_OPS.suspend, leaseRef(lease), () => this.#backend.engine.suspend(lease, input), (result) => ({ suspended: result.suspended }));
  }

  moveToDeadLetter(lease: Lease, error: Json): Promise<void> {
    return this.#recorder.record(this.process, HISTORY_OPS.moveToDeadLetter, leaseRef(lease), () => this.#backend.engine.moveToDeadLetter(lease, error), nothing);
  }

  progress(lease: Lease, progress: Progress): Promise<void> {
    return this.#recorder.record(this.process, HISTORY_OPS.progress, leaseRef(lease), () => this.#backend.engine.progress(lease, progress), nothing);
  }

  appendFrame(lease: Lease, data: Json): Promise<number> {
    return this.#recorder.record(this.process, HISTORY_OPS.appendFrame, leaseRef(lease), () => this.#backend.engine.appendFrame(lease, data));
  }

  cancel(taskId: string, reason?: string): Promise<boolean> {
    return this.#recorder.record(this.process, HISTORY_OPS.cancel, taskRef(taskId), () => this.#backend.engine.cancel(taskId, reason));
  }

  revokeLease(taskId: string): Promise<boolean> {
    return this.#recorder.record(this.process, HISTORY_OPS.revokeLease, taskRef(taskId), () => this.#backend.engine.revokeLease(taskId));
  }

  retryDeadLetter(taskId: string, options?: RetryDeadLetterOptions): Promise<void> {
    return this.#recorder.record(this.process, HISTORY_OPS.retryDeadLetter, taskRef(taskId), () => this.#backend.engine.retryDeadLetter(taskId, options), nothing);
  }

  reclaimExpired(options?: ReclaimOptions): Promise<ReclaimResult> {
    return this.#recorder.record(
      this.process,
      HISTORY_OPS.reclaim,
      { limit: options?.limit ?? null },
      () => this.#backend.engine.reclaimExpired(options),
      (result): ReclaimValue => ({ retried: [...result.retried], deadLettered: [...result.deadLettered] }),
    );
  }

  /** `appendEvents`, conditional when `expectedSequence` is given (a losing conditional append is a `fail`). */
  appendEvents(runId: string, events: readonly EventInput[], expectedSequence?: number): Promise<number[]> {
    const args: AppendArgs = {
      runId,
      events: events.map((event) => ({ type: event.type, payload: event.payload ?? null })),
      ...(expectedSequence === undefined ? {} : { expectedSequence }),
    };
    const options = expectedSequence === undefined ? undefined : { expectedSequence };
    return this.#recorder.record(this.process, HISTORY_OPS.append, args, () => this.#backend.workflows.appendEvents(runId, events, options), (sequences) => [...sequences]);
  }

  /** Reads the run's whole log, page by page, recorded as one `read`. */
  readAllEvents(runId: string): Promise<EventRecord[]> {
    return this.#recorder.record(
      this.process,
      HISTORY_OPS.read,
      { runId },
      async () => {
        const events: EventRecord[] = [];
        for (;;) {
          const page = await this.#backend.workflows.readEvents(runId, { after: events.at(-1)?.sequence ?? 0, limit: READ_PAGE });
          events.push(...page);
          if (page.length < READ_PAGE) return events;
        }
      },
      (events): RecordedEvent[] => events.map((event) => ({ sequence: event.sequence, type: event.type, payload: event.payload })),
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Histories as text, for workloads that span processes

/** One JSON line per entry. */
export function serializeHistory(entries: readonly HistoryEntry[]): string {
  return entries.map((entry) => JSON.stringify(entry)).join("\n") + (entries.length > 0 ? "\n" : "");
}

/** Entries from `serializeHistory`. @throws Error naming the first line that is not an entry. */
export function parseHistory(text: string): HistoryEntry[] {
  const entries: HistoryEntry[] = [];
  const lines = text.split("\n");
  for (const [number, line] of lines.entries()) {
    if (line.trim() === "") continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (error) {
      throw new Error(`history line ${number + 1} is not JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
    entries.push(asEntry(parsed, `history line ${number + 1}`));
  }
  return entries;
}

function asEntry(value: unknown, where: string): HistoryEntry {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error(`${where} is not an object`);
  const entry = value as Record<string, unknown>;
  const fail = (field: string): never => {
    throw new Error(`${where}: field ${field} is missing or malformed`);
  };
  if (!Number.isSafeInteger(entry.index)) fail("index");
  if (typeof entry.process !== "string") fail("process");
  if (typeof entry.op !== "string") fail("op");
  if (typeof entry.invokedAt !== "number") fail("invokedAt");
  if (entry.completedAt !== null && typeof entry.completedAt !== "number") fail("completedAt");
  if (entry.outcome !== "ok" && entry.outcome !== "fail" && entry.outcome !== "info") fail("outcome");
  if (!("args" in entry) || !("value" in entry) || !("error" in entry)) fail("args, value or error");
  return entry as unknown as HistoryEntry;
}

/**
 * One history from the histories of several recorders (one per process), in invocation-time
 * order, re-indexed from 0. Times of different processes compare to within clock resolution.
 */
export function mergeHistories(histories: readonly (readonly HistoryEntry[])[]): HistoryEntry[] {
  return histories
    .flat()
    .slice()
    .sort((a, b) => a.invokedAt - b.invokedAt || a.index - b.index)
    .map((entry, index) => ({ ...entry, index }));
}
