/**
 * The fence of holder calls (SPEC E5, T4), decided once for every TypeScript backend: the Redis
 * backend's Lua (`lua/includes/tasks.lua`, `fence`) is the one other copy, because its decision
 * must run inside the script, and it returns the same fields.
 *
 * The checks run in the order docs/decisions.md fixes, and the first that fails decides:
 * unknown task → NOT_FOUND; a newer lease exists → STALE_LEASE; an epoch never granted →
 * INVALID_STATE; the latest epoch with another lease's `leaseId` (a forgery, T4) → STALE_LEASE,
 * before anything else about the task is judged, so a guesser learns nothing more; the task cancelled or the lease revoked → LEASE_REVOKED; the lease expired (still
 * held past its expiry, or reclaimed) → LEASE_EXPIRED; the task not leased under this epoch →
 * INVALID_STATE, except `complete` repeated with the lease that completed the task (E7), which
 * the `leaseId` check has already vetted.
 */
import { MooringError } from "../errors.js";
import { leaseIdsEqual } from "../lease-ids.js";

/** What the fence reads of a task, as it is now (its effective state). */
export interface FencedTask {
  /** The task's state (a TaskState). */
  readonly state: string;
  /** The epoch of the task's latest lease; 0 before the first. */
  readonly epoch: number;
  /**
   * The `leaseId` of the task's latest lease, kept after that lease ends (E7's repeat needs it);
   * null before the first lease, or for a lease granted before the store kept lease ids, which
   * then matches no presented id. @see SPEC T4
   */
  readonly leaseId: string | null;
  /**
   * How the latest lease ended when neither its holder nor a settlement ended it: "revoked"
   * (revokeLease, E13) or "expired" (reclaimed, E10). Any other value, or null, is neither.
   */
  readonly leaseEnd: string | null;
  /** When the latest lease expires; read only while the task is leased. */
  readonly leaseExpiresAt: number | null;
  /** The epoch of the lease that completed the task; null when no lease completed it. */
  readonly completedEpoch: number | null;
}

/** The fenced part of a lease. */
export interface FencedLease {
  readonly taskId: string;
  readonly epoch: number;
  /** @see SPEC T4 */
  readonly leaseId: string;
}

/** Which holder call is fenced: only `complete` has E7's idempotent repeat. */
export type HolderCall = "complete" | "other";

/** The codes a fence rejects with. */
export type FenceCode = "NOT_FOUND" | "STALE_LEASE" | "INVALID_STATE" | "LEASE_REVOKED" | "LEASE_EXPIRED";

/**
 * The `details` of every error a fence raises (STALE_LEASE, LEASE_REVOKED, LEASE_EXPIRED always;
 * NOT_FOUND and INVALID_STATE when a holder call raises them), on every backend.
 */
export type FenceErrorDetails = {
  /** The lease's task. */
  readonly taskId: string;
  /** The epoch of the lease the call held. */
  readonly leaseEpoch: number;
  /** The epoch of the task's latest lease now; null when the task does not exist. */
  readonly currentEpoch: number | null;
  /** The task's state now; null when the task does not exist. */
  readonly state: string | null;
};

export type FenceVerdict =
  /** The lease is the task's current, unexpired lease: the call may write. */
  | { readonly kind: "held" }
  /** `complete` repeated with the lease that completed the task: succeed, write nothing (E7). */
  | { readonly kind: "repeat" }
  /** The first check that failed; the call must write nothing. */
  | { readonly kind: "rejected"; readonly code: FenceCode; readonly message: string; readonly details: FenceErrorDetails };

const HELD: FenceVerdict = Object.freeze({ kind: "held" });
const REPEAT: FenceVerdict = Object.freeze({ kind: "repeat" });

/** The one `details` shape of fence errors, for `lease` and the task as it is now (undefined: absent). */
export function fenceErrorDetails(lease: Pick<FencedLease, "taskId" | "epoch">, task: Pick<FencedTask, "epoch" | "state"> | undefined): FenceErrorDetails {
  return { taskId: lease.taskId, leaseEpoch: lease.epoch, currentEpoch: task?.epoch ?? null, state: task?.state ?? null };
}

function rejected(code: FenceCode, message: string, lease: FencedLease, task: FencedTask | undefined): FenceVerdict {
  return { kind: "rejected", code, message, details: fenceErrorDetails(lease, task) };
}

/**
 * Judges `lease` for a holder call at `now` against `task` (undefined when the caller's tenant has
 * no such task). Pure: the caller reads the task and writes only on "held".
 * @see SPEC E5, E7, T4
 */
export function judgeFence(task: FencedTask | undefined, lease: FencedLease, now: number, call: HolderCall): FenceVerdict {
  const id = lease.taskId;
  if (!task) return rejected("NOT_FOUND", `task ${id} does not exist`, lease, task);
  if (lease.epoch < task.epoch) {
    return rejected("STALE_LEASE", `task ${id} was leased again (epoch ${task.epoch}) after this lease (epoch ${lease.epoch})`, lease, task);
  }
  if (lease.epoch > task.epoch || lease.epoch === 0) {
    return rejected("INVALID_STATE", `no lease with epoch ${lease.epoch} was granted for task ${id}`, lease, task);
  }
  if (!leaseIdsEqual(lease.leaseId, task.leaseId)) {
    // The message says no more than a stale lease's would: the state is not the guesser's business.
    return rejected("STALE_LEASE", `the lease (epoch ${lease.epoch}) is not task ${id}'s lease: its leaseId differs`, lease, task);
  }
  if (task.state === "cancelled" || task.leaseEnd === "revoked") {
    return rejected("LEASE_REVOKED", `the lease on task ${id} was revoked${task.state === "cancelled" ? " (the task was cancelled)" : ""}`, lease, task);
  }
  if (task.leaseEnd === "expired" || (task.state === "leased" && now >= (task.leaseExpiresAt ?? 0))) {
    return rejected("LEASE_EXPIRED", `the lease on task ${id} expired`, lease, task);
  }
  if (task.state !== "leased") {
    if (call === "complete" && task.state === "completed" && task.completedEpoch === lease.epoch) return REPEAT;
    return rejected("INVALID_STATE", `task ${id} is ${task.state}, not leased under epoch ${lease.epoch}`, lease, task);
  }
  return HELD;
}

/** The MooringError of a rejected verdict. */
export function fenceError(verdict: Extract<FenceVerdict, { kind: "rejected" }>, backend?: string): MooringError {
  return new MooringError(verdict.code, verdict.message, { ...(backend === undefined ? {} : { backend }), details: verdict.details });
}

/**
 * Throws the error of a rejected verdict; otherwise says whether the call may write ("held") or
 * is E7's repeat ("repeat").
 */
export function enforceFence(verdict: FenceVerdict, backend?: string): "held" | "repeat" {
  if (verdict.kind === "rejected") throw fenceError(verdict, backend);
  return verdict.kind;
}
