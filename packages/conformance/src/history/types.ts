/**
 * The shape of a recorded history (in the manner of Jepsen): one entry per operation a process
 * invoked, with when it was invoked, when it completed, and how. The checker reads only the
 * operations named in `HISTORY_OPS`, with the argument and value shapes below; every other entry is
 * carried along and ignored, so a workload may record whatever else it does.
 *
 * Entries are plain JSON (no class instances, no `undefined`), so that a history written by one
 * process (`serializeHistory`) is checked by another.
 */

/**
 * How an operation ended. `ok`: it succeeded and `value` is what it returned. `fail`: it was
 * rejected and definitely wrote nothing (every MooringError code but UNAVAILABLE and TIMEOUT,
 * SPEC C2). `info`: the outcome is unknown (a transport error, a timeout, a crash before the
 * reply): it may or may not have taken effect.
 */
export type Outcome = "ok" | "fail" | "info";

/** The error of a `fail` or `info` entry: a MooringError code, or "RAW" for anything else. */
export interface HistoryError {
  readonly code: string;
  readonly message: string;
}

/**
 * One operation of one process.
 *
 * Times are high-resolution epoch milliseconds (`performance.timeOrigin + performance.now()`),
 * strictly increasing across every invocation and completion one recorder sees (a logical nudge
 * of a microsecond separates readings that tie), so that "A completed before B was invoked" is
 * `a.completedAt < b.invokedAt` within one recorder. Across processes the times are comparable to
 * within the machine's clock resolution.
 */
export interface HistoryEntry<Args = unknown, Value = unknown> {
  /** Logical counter: the order in which the recorder saw the invocations, from 0. */
  readonly index: number;
  /** The logical process (a worker, a client) that made the call; one call at a time per process is not required. */
  readonly process: string;
  readonly op: string;
  readonly args: Args;
  readonly invokedAt: number;
  /** Null when the operation never completed (its process died or the history was cut): treated as +∞. */
  readonly completedAt: number | null;
  readonly outcome: Outcome;
  /** What an `ok` operation returned, summarized (see the op shapes below); null otherwise. */
  readonly value: Value | null;
  readonly error: HistoryError | null;
}

/** The operations the checker understands. */
export const HISTORY_OPS = Object.freeze({
  /** `engine.claim`: args `ClaimArgs`, value `GrantedLease[]`. */
  claim: "claim",
  /** `engine.renew`: args `LeaseRef`, value `{ expiresAt }`. */
  renew: "renew",
  /** `engine.complete`: args `LeaseRef`. */
  complete: "complete",
  /** `engine.fail`: args `LeaseRef`, value `{ outcome: "retry" | "dead" }`. */
  fail: "fail",
  /** `engine.release`: args `LeaseRef`. */
  release: "release",
  /** `engine.suspend`: args `LeaseRef`, value `{ suspended }`. */
  suspend: "suspend",
  /** `engine.moveToDeadLetter`: args `LeaseRef`. */
  moveToDeadLetter: "moveToDeadLetter",
  /** `engine.progress`: args `LeaseRef` (fenced, does not end the lease). */
  progress: "progress",
  /** `engine.appendFrame`: args `LeaseRef` (fenced, does not end the lease). */
  appendFrame: "appendFrame",
  /** `engine.cancel`: args `TaskRef`, value boolean. */
  cancel: "cancel",
  /** `engine.revokeLease`: args `TaskRef`, value boolean. */
  revokeLease: "revokeLease",
  /** `engine.retryDeadLetter`: args `TaskRef`. */
  retryDeadLetter: "retryDeadLetter",
  /** `engine.reclaimExpired`: value `{ retried, deadLettered }`. */
  reclaim: "reclaim",
  /** `workflows.appendEvents`: args `AppendArgs`, value the assigned sequences. */
  append: "append",
  /** A read of a run's whole log: args `{ runId }`, value `RecordedEvent[]`. */
  read: "read",
  /** A reading or an advance of the clock the backend uses: args `{ advanceBy }`, value `{ now }`. */
  clock: "clock",
} as const);

export type HistoryOp = (typeof HISTORY_OPS)[keyof typeof HISTORY_OPS];

/** The fencing identity of a lease (SPEC E5): what every holder call is checked against. */
export interface LeaseRef {
  readonly taskId: string;
  readonly epoch: number;
}

export interface TaskRef {
  readonly taskId: string;
}

export interface ClaimArgs {
  readonly workerId: string;
  readonly queues: readonly string[];
  readonly leaseMs: number;
  readonly limit: number;
}

/** A lease as a claim granted it, without its payload. */
export interface GrantedLease extends LeaseRef {
  readonly attempt: number;
  /** In the backend's clock (SPEC C3). */
  readonly expiresAt: number;
  /** The task's queue and concurrency key, for E20; absent in histories recorded without them. */
  readonly queue?: string;
  readonly concurrencyKey?: string;
}

export interface RecordedEventInput {
  readonly type: string;
  readonly payload: unknown;
}

export interface AppendArgs {
  readonly runId: string;
  readonly events: readonly RecordedEventInput[];
  /** The condition of a conditional append (SPEC W8), when it had one. */
  readonly expectedSequence?: number;
}

export interface RecordedEvent extends RecordedEventInput {
  readonly sequence: number;
}

export interface ReclaimValue {
  readonly retried: readonly string[];
  readonly deadLettered: readonly string[];
}

export interface ClockValue {
  readonly now: number;
}

/** The rules a violation can break. E5 covers fencing failures that are not E7's. */
export type HistoryRule = "E4" | "E5" | "E7" | "E11" | "E20" | "W7" | "W8";

export type ViolationKind =
  /** E4: one (task, epoch) granted twice. */
  | "epoch-granted-twice"
  /** E4: a lease granted while another lease of the task was still valid. */
  | "overlapping-leases"
  /** E20: more leases of one (queue, concurrencyKey) valid at once than its keyConcurrency. */
  | "key-limit-exceeded"
  /** E5: a claim that started after another finished granted an epoch no higher than it. */
  | "epoch-not-increasing"
  /** E7: two different leases completed one task. */
  | "completed-twice"
  /** E7: a task reached more than one terminal outcome. */
  | "settled-twice"
  /** E7 (complete) or E5 (other holder calls): a holder call accepted after a newer lease was granted. */
  | "superseded-holder-accepted"
  /** E7 (complete) or E5 (other holder calls): a holder call accepted after its lease had expired. */
  | "expired-holder-accepted"
  /** E5: a holder call accepted after a cancel or revokeLease that ended its lease. */
  | "revoked-holder-accepted"
  /** E5: a holder call accepted for a (task, epoch) no claim had granted by then (a forged fence). */
  | "ungranted-lease-accepted"
  /** E7: a repeated complete of the lease that completed the task was rejected. */
  | "repeated-complete-rejected"
  /** E11: a reclaim result that names one task twice. */
  | "task-twice-in-one-reclaim"
  /** E11: more reclaims of a task than expired leases to account for them. */
  | "expiry-reclaimed-twice"
  /** E11: a reclaim of a task none of whose leases can have expired by then. */
  | "reclaimed-unexpired"
  /** E11: a holder call accepted after a reclaim of its lease. */
  | "holder-accepted-after-reclaim"
  /** W7: an append whose sequences are not contiguous or not one per event. */
  | "batch-not-contiguous"
  /** W7: one sequence acknowledged to two appends. */
  | "sequence-acknowledged-twice"
  /** W7: acknowledged sequences with more gaps than unacknowledged appends can fill. */
  | "sequence-gap"
  /** W7: a read of the log that is not exactly 1..n. */
  | "read-not-gap-free"
  /** W7: a read that lacks or alters an acknowledged event. */
  | "acknowledged-event-lost"
  /** W7: a read holding an event no append (acknowledged or of unknown outcome) wrote. */
  | "phantom-event"
  /** W8: a conditional append acknowledged at a sequence other than expectedSequence + 1. */
  | "conditional-append-misplaced";

export interface Violation {
  readonly rule: HistoryRule;
  readonly kind: ViolationKind;
  readonly message: string;
  /** Indexes (`HistoryEntry.index`) of the entries that show it. */
  readonly entries: readonly number[];
}

export interface HistoryStats {
  readonly entries: number;
  readonly ok: number;
  readonly fail: number;
  readonly info: number;
  readonly tasks: number;
  readonly leases: number;
  /** Task mentions in successful reclaim results. */
  readonly reclaimed: number;
  readonly runs: number;
  /** Events of acknowledged appends. */
  readonly appendedEvents: number;
}

export interface HistoryReport {
  readonly valid: boolean;
  /** At most `maxViolations` of them, in the order found. */
  readonly violations: readonly Violation[];
  /** Whether more violations were found than reported. */
  readonly truncated: boolean;
  readonly stats: HistoryStats;
}
