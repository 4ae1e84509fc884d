/**
 * What the workloads drive: a target is one thing to measure (a Mooring backend, a raw driver
 * running the same statements, or a peer library), reduced to the few operations the workloads
 * need. Each workload opens a fresh session, so no workload inherits another's data.
 *
 * Adding a target is one file exporting a `TargetDefinition` plus one line in `main.ts`'s
 * registry. A raw driver or a peer declares the Mooring target it stands beside in `reference`,
 * and the report prints the ratio of the two.
 *
 * A peer library (graphile-worker, BullMQ) runs its own worker loop rather than exposing claim and
 * complete, so it offers the `drain` facet only: jobs added in bulk, then processed to the last by
 * its workers, timed from the first completion to the last. Mooring targets run the same drain
 * workloads through their queue operations.
 */
import type { EventInput } from "@mooring/core";
import type { LatencySummary } from "../harness.js";
import type { WorkloadId } from "../workload-ids.js";

/** A task a claim handed out; the target keeps whatever it needs to complete it. */
export interface ClaimedTask {
  readonly id: string;
}

/** The queue operations: the hot path of a workflow engine. */
export interface QueueOperations {
  /** Adds one ready task to `queue`. */
  enqueue(queue: string, payload: Readonly<Record<string, number>>): Promise<void>;
  /** Adds a batch of ready tasks to `queue` atomically. */
  enqueueMany(queue: string, payloads: readonly Readonly<Record<string, number>>[]): Promise<void>;
  /** Leases up to `limit` ready tasks of `queue` for `workerId`, in claim order (SPEC E3). */
  claim(queue: string, workerId: string, limit: number): Promise<ClaimedTask[]>;
  /** Settles a claimed task as completed (SPEC E7). */
  complete(task: ClaimedTask): Promise<void>;
  /** Per-key concurrency (SPEC E20); present only when the backend declares `concurrencyKeys`. */
  readonly keyed?: KeyedQueueOperations;
}

/** Tasks with concurrency keys and the queue's key limit (SPEC E20). */
export interface KeyedQueueOperations {
  /** Sets the queue's `keyConcurrency`. */
  setKeyConcurrency(queue: string, limit: number): Promise<void>;
  /** Adds one ready task of `key` to `queue`. */
  enqueue(queue: string, payload: Readonly<Record<string, number>>, key: string): Promise<void>;
  /** Adds a batch of ready tasks atomically, `keys[i]` being the key of `payloads[i]`. */
  enqueueMany(queue: string, payloads: readonly Readonly<Record<string, number>>[], keys: readonly string[]): Promise<void>;
}

/** The event log operations (SPEC W7). */
export interface EventOperations {
  /** Creates a run to append to. */
  createRun(runId: string): Promise<void>;
  /** Appends a batch to the run's log. */
  appendEvents(runId: string, events: readonly EventInput[]): Promise<void>;
}

/** The key/value operations of the state store (SPEC S2). */
export interface KeyValueOperations {
  set(key: string, value: Uint8Array): Promise<void>;
  get(key: string): Promise<Uint8Array | null>;
}

/** What a drain asks: `jobs` no-op jobs added in bulk, then processed to the last. */
export interface DrainPlan {
  /** The queue (or task identifier) the jobs go to; fresh per drain. */
  readonly queue: string;
  readonly jobs: number;
  /** Workers processing at once (a peer's `concurrency`). */
  readonly concurrency: number;
  /**
   * 1: each worker fetches one job at a time (a peer's plain mode). Above 1: jobs are fetched in
   * batches of this size (a Mooring claim `limit`; a peer's batch mode, e.g. graphile-worker's
   * local queue, which sets its own batch size and says so in `settings`).
   */
  readonly batch: number;
  /**
   * When a queue-loop worker asks for its next jobs, matching the peer it is paired with:
   * "after-completion" once its jobs' completions are confirmed (graphile-worker's plain worker);
   * "with-completion" in the same turn as it completes them, so that a backend that pipelines the
   * two makes one round trip (BullMQ's `moveToFinished` fetches the next job in the script that
   * completes the last; graphile-worker's local queue refills while completions are written).
   * A peer's own worker loop ignores it.
   */
  readonly nextFetch: "after-completion" | "with-completion";
  /** Give up after this many milliseconds of processing. */
  readonly maxMs: number;
}

/** A bulk load outside the clock, reported because it is a bulk-enqueue figure too. */
export interface FillResult {
  readonly tasks: number;
  readonly elapsedMs: number;
  readonly tasksPerSec: number | null;
}

/** What the processing of a drain measured. Times are `performance.now()` values of this process. */
export interface DrainResult {
  /** Jobs whose completion the target confirmed (committed to its store). */
  readonly completed: number;
  /** When the workers were started (after the fill). */
  readonly startedAt: number;
  /** When the first and the last completion were confirmed; null when none was. */
  readonly firstCompletionAt: number | null;
  readonly lastCompletionAt: number | null;
  /** CPU time of this process from `startedAt` to the last completion. */
  readonly cpuMs: number;
  /** True when `maxMs` passed before every job was completed. */
  readonly truncated: boolean;
  /** Fetches (claims) issued, when the target can count them; null otherwise. */
  readonly fetches: number | null;
  /** Latency of each worker cycle (fetch and complete), when the target can time it. */
  readonly cycleLatency: LatencySummary | null;
  /** How the target ran this drain (mode, batch sizes), for the report. */
  readonly settings: Readonly<Record<string, string>>;
}

/**
 * A drain in two steps, so that server counters can be read between them: `fill` adds the jobs,
 * `process` starts workers on them and resolves once the last completion is confirmed.
 */
export interface DrainOperations {
  /**
   * Why this target cannot run `plan` (e.g. no batch mode), or null when it can. Asked before
   * anything runs; a reason skips the workload visibly.
   */
  unsupported(plan: DrainPlan): string | null;
  /** Adds `plan.jobs` ready jobs to `plan.queue` in bulk, timed. */
  fill(plan: DrainPlan): Promise<FillResult>;
  /**
   * Processes the jobs of `plan.queue` (filled just before) with `plan.concurrency` workers and
   * resolves when all are completed, or when `plan.maxMs` has passed (`truncated`).
   */
  process(plan: DrainPlan): Promise<DrainResult>;
}

/**
 * Cumulative counters of the server a session talks to, read before and after a measured phase so
 * that the report can show the server's share of the work. Server-wide unless said otherwise:
 * other clients of a shared server count too.
 */
export interface ServerCounters {
  /** CPU time (user + system) of the server processes counted, in ms; null when unreadable. */
  readonly cpuMs: number | null;
  /** What `cpuMs` covers, e.g. "redis-server (whole server)". */
  readonly cpuScope: string;
  /** Commands (Redis) or transactions (Postgres) the server counted; null when unreadable. */
  readonly operations: number | null;
  /** What `operations` counts, e.g. "commands", "transactions". */
  readonly operationsUnit: string;
}

/** An open target. Facets a target does not have are absent, and their workloads are skipped. */
export interface TargetSession {
  /** Absent for a peer that only runs its own worker loop (`drain`). */
  readonly queue?: QueueOperations;
  readonly events?: EventOperations;
  readonly kv?: KeyValueOperations;
  /** A peer's worker loop; Mooring targets drain through `queue` instead. */
  readonly drain?: DrainOperations;
  /** Server-side counters, for targets backed by a server. */
  serverCounters?(): Promise<ServerCounters>;
  /** Releases everything the session holds (connections, temporary files, schemas, keys). Idempotent. */
  close(): Promise<void>;
}

/** How a target relates to the Mooring backend it is compared with. */
export interface TargetReference {
  /** The Mooring target this one stands beside, e.g. "sqlite". */
  readonly target: string;
  /** "baseline": the raw driver running the same statements; "peer": a library a user would pick instead. */
  readonly kind: "baseline" | "peer";
  /**
   * Workloads of the Mooring target compared with a different workload of this one, e.g.
   * `{ "drain-c50-batch": "drain-c50" }` for a peer without a batch mode: the Mooring target's
   * batched drain is set beside the peer's plain drain at the same concurrency.
   */
  readonly pairs?: Readonly<Partial<Record<WorkloadId, WorkloadId>>>;
}

/** What a run of the benchmark should show for a target; reported as met or missed, never enforced. */
export interface TargetGoals {
  /** Least claim+complete (limit 1) tasks per second. */
  readonly minClaimCompletePerSec?: number;
  /** Least claim+complete rate as a fraction of each baseline's rate in the same run. */
  readonly minRatioToBaseline?: number;
  /** Largest p50 claim latency with the deep queue over that with the shallow queue. */
  readonly maxDeepQueueLatencyRatio?: number;
  /** Least drain rate as a fraction of each peer's rate in the same run (1: at least as fast). */
  readonly minRatioToPeer?: number;
}

export interface TargetDefinition {
  /** Unique; a row label in the report. */
  readonly name: string;
  /** The `--backend` name that selects this target, e.g. "sqlite" for both "sqlite" and "raw-sqlite". */
  readonly backend: string;
  /** Set for raw drivers and peers. */
  readonly reference?: TargetReference;
  /** The concurrency of every workload unless the command line says otherwise. */
  readonly defaultConcurrency: number;
  readonly goals?: TargetGoals;
  /** Settings worth printing with the results (journal mode, pool size, versions). */
  readonly describe: () => Readonly<Record<string, string>>;
  /**
   * Why the target does not run `workload` (a peer runs the drains only; a server target runs the
   * drains it is paired on), or null when it does. Decided before any session is opened.
   */
  readonly skips?: (workload: WorkloadId) => string | null;
  /**
   * Checks once, before the run, that the target can be used (its server answers); resolves to
   * the reason when it cannot, and every row of the target is then reported "unavailable: <reason>"
   * without failing the run. Absent for in-process targets.
   */
  unavailable?(): Promise<string | null>;
  /** Opens a fresh, empty session. */
  open(): Promise<TargetSession>;
}
