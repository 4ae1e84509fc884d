/**
 * What the workloads drive: a target is one thing to measure (a Mooring backend, a raw driver
 * running the same statements, or a peer library), reduced to the few operations the workloads
 * need. Each workload opens a fresh session, so no workload inherits another's data.
 *
 * Adding a target (Postgres and graphile-worker, Redis and BullMQ, ...) is one file exporting a
 * `TargetDefinition` plus one line in `main.ts`'s registry. A raw driver or a peer declares the
 * Mooring target it stands beside in `reference`, and the report prints the ratio of the two.
 */
import type { EventInput } from "@mooring/core";

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

/** An open target. Facets a target does not have are absent, and their workloads are skipped. */
export interface TargetSession {
  readonly queue: QueueOperations;
  readonly events?: EventOperations;
  readonly kv?: KeyValueOperations;
  /** Releases everything the session holds (connections, temporary files). Idempotent. */
  close(): Promise<void>;
}

/** How a target relates to the Mooring backend it is compared with. */
export interface TargetReference {
  /** The Mooring target this one stands beside, e.g. "sqlite". */
  readonly target: string;
  /** "baseline": the raw driver running the same statements; "peer": a library a user would pick instead. */
  readonly kind: "baseline" | "peer";
}

/** What a run of the benchmark should show for a target; reported as met or missed, never enforced. */
export interface TargetGoals {
  /** Least claim+complete (limit 1) tasks per second. */
  readonly minClaimCompletePerSec?: number;
  /** Least claim+complete rate as a fraction of each baseline's rate in the same run. */
  readonly minRatioToBaseline?: number;
  /** Largest p50 claim latency with the deep queue over that with the shallow queue. */
  readonly maxDeepQueueLatencyRatio?: number;
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
  /** Opens a fresh, empty session. */
  open(): Promise<TargetSession>;
}
