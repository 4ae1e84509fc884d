/**
 * The fence of holder calls (SPEC E5), in the order docs/decisions.md fixes. Statements carry the
 * epoch in their WHERE clause, so a write with a stale lease matches no row; this module then
 * says why, from the task as it is now, so the caller gets the first failing check's code.
 */
import { MooringError } from "@mooring/core";

/** The task columns the fence reads. */
export interface FenceRow {
  readonly state: string;
  readonly epoch: number;
  readonly ended_lease: string | null;
  readonly lease_expires_at: number | null;
  readonly completed_epoch: number | null;
}

/** The fenced part of a lease. */
export interface HeldLease {
  readonly taskId: string;
  readonly epoch: number;
}

export type FenceVerdict =
  /** The lease is the task's current, unexpired lease: the call may write. */
  | { readonly kind: "valid" }
  /** `complete` repeated with the lease that completed the task: succeed, write nothing (E7). */
  | { readonly kind: "repeat" }
  | { readonly kind: "rejected"; readonly error: MooringError };

/** Which holder call is fenced: only `complete` has the idempotent repeat. */
export type HolderCall = "complete" | "other";

function reject(code: "NOT_FOUND" | "STALE_LEASE" | "INVALID_STATE" | "LEASE_REVOKED" | "LEASE_EXPIRED", message: string, lease: HeldLease, row?: FenceRow): FenceVerdict {
  return {
    kind: "rejected",
    error: new MooringError(code, message, {
      backend: "postgres",
      details: { taskId: lease.taskId, epoch: lease.epoch, ...(row ? { currentEpoch: row.epoch, state: row.state } : {}) },
    }),
  };
}

/**
 * Checks `lease` against the task `row` (undefined when the tenant has no such task) at `now`:
 * NOT_FOUND, STALE_LEASE, INVALID_STATE (a lease never granted), LEASE_REVOKED, LEASE_EXPIRED,
 * INVALID_STATE (not leased under this epoch), in that order.
 */
export function checkFence(row: FenceRow | undefined, lease: HeldLease, now: number, call: HolderCall): FenceVerdict {
  if (!row) return reject("NOT_FOUND", `task ${lease.taskId} does not exist`, lease);
  if (lease.epoch < row.epoch) {
    return reject("STALE_LEASE", `task ${lease.taskId} was leased again (epoch ${row.epoch}) after this lease (epoch ${lease.epoch})`, lease, row);
  }
  if (lease.epoch > row.epoch || lease.epoch === 0) {
    return reject("INVALID_STATE", `task ${lease.taskId} never had a lease with epoch ${lease.epoch}`, lease, row);
  }
  if (row.state === "cancelled" || row.ended_lease === "revoked") {
    return reject("LEASE_REVOKED", `the lease on task ${lease.taskId} was ${row.state === "cancelled" ? "cancelled" : "revoked"}`, lease, row);
  }
  if (row.ended_lease === "expired" || (row.state === "leased" && now >= (row.lease_expires_at ?? 0))) {
    return reject("LEASE_EXPIRED", `the lease on task ${lease.taskId} expired`, lease, row);
  }
  if (row.state !== "leased") {
    if (call === "complete" && row.state === "completed" && row.completed_epoch === lease.epoch) return { kind: "repeat" };
    return reject("INVALID_STATE", `task ${lease.taskId} is not leased under epoch ${lease.epoch} (it is ${row.state})`, lease, row);
  }
  return { kind: "valid" };
}

/** Throws the verdict's error; returns whether the call is a repeat. */
export function enforceFence(verdict: FenceVerdict): "valid" | "repeat" {
  if (verdict.kind === "rejected") throw verdict.error;
  return verdict.kind;
}
