/**
 * The fence of holder calls (SPEC E5). Statements carry the epoch in their WHERE clause, so a write
 * with a stale lease matches no row; core's `judgeFence` then says why, from the task row as it is
 * now, so the caller gets the first failing check's code and the documented details.
 */
import { type FencedLease, type FenceVerdict, type HolderCall, judgeFence } from "@mooring/core";

/** The task columns the fence reads. */
export interface FenceRow {
  readonly state: string;
  readonly epoch: number;
  readonly ended_lease: string | null;
  readonly lease_expires_at: number | null;
  readonly completed_epoch: number | null;
  /** When a queued task is due: its state reads ready from then on, scheduled before. */
  readonly run_at: number | null;
}

/** Judges `lease` against the task `row` (undefined when the tenant has no such task) at `now`. */
export function judgeFenceRow(row: FenceRow | undefined, lease: FencedLease, now: number, call: HolderCall): FenceVerdict {
  const task = row && {
    state: row.state === "queued" ? ((row.run_at ?? 0) <= now ? "ready" : "scheduled") : row.state,
    epoch: row.epoch,
    leaseEnd: row.ended_lease,
    leaseExpiresAt: row.lease_expires_at,
    completedEpoch: row.completed_epoch,
  };
  return judgeFence(task, lease, now, call);
}
