/**
 * The fence of holder calls (SPEC E5, T4). Statements carry the epoch and the leaseId in their
 * WHERE clause, or run after task-lock judged the locked row, so a write with a stale or forged
 * lease matches no row; core's `judgeFence` then says why, from the task row as it is
 * now, so the caller gets the first failing check's code and the documented details.
 */
import { type FencedLease, type FenceVerdict, type HolderCall, judgeFence } from "@mooring/core";
import { shownState } from "./rows.js";

/** The task columns the fence reads. */
export interface FenceRow {
  readonly state: string;
  readonly epoch: number;
  /** The latest lease's leaseId; null before the first lease (or one granted before migration 0003). */
  readonly lease_id: string | null;
  readonly ended_lease: string | null;
  readonly lease_expires_at: number | null;
  readonly completed_epoch: number | null;
  /** When a queued task is due: its state reads ready from then on, scheduled before. */
  readonly run_at: number | null;
}

/** Judges `lease` against the task `row` (undefined when the tenant has no such task) at `now`. */
export function judgeFenceRow(row: FenceRow | undefined, lease: FencedLease, now: number, call: HolderCall): FenceVerdict {
  const task = row && {
    state: shownState(row.state, row.run_at, now),
    epoch: row.epoch,
    leaseId: row.lease_id,
    leaseEnd: row.ended_lease,
    leaseExpiresAt: row.lease_expires_at,
    completedEpoch: row.completed_epoch,
  };
  return judgeFence(task, lease, now, call);
}
