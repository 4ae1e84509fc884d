/**
 * Batch claims: the `claim` calls a backend receives in one turn of the event loop for the same
 * tenant, queues and lease duration are granted by one statement (`sql/tasks-claim.sql`), one
 * slot per lease asked for, each slot naming its caller's worker. A pool of workers that finish
 * together and claim again together then costs one commit per round instead of one per worker.
 *
 * Each call still gets what it asked for, alone: at most its `limit` leases, in claim order
 * (SPEC E3), with its own `workerId`; calls are served in the order they were made, which is one
 * of the orders in which they could have run one after another.
 */
import type { ClaimInput, Lease } from "@mooring/core";
import { chunks, TurnQueue } from "./turn.js";

/**
 * The most slots one statement fills from several claims (a claim with a larger limit has its
 * statement to itself). Batching many small claims saves commits; merging large ones would only
 * make the workers that made them wait for one another.
 */
const MAX_SLOTS = 64;

/** A lease granted for a slot (1-based, in the order the slots were given). */
export interface SlottedLease {
  readonly slot: number;
  readonly lease: Lease;
}

/** Grants leases for `workers` (one entry per slot) of `tenantId` on `queues`. */
export type ClaimSlots = (tenantId: string, queues: readonly string[], leaseMs: number, workers: readonly string[]) => Promise<SlottedLease[]>;

interface PendingClaim {
  readonly tenantId: string;
  readonly queues: readonly string[];
  readonly leaseMs: number;
  readonly workerId: string;
  readonly limit: number;
  resolve(leases: Lease[]): void;
  reject(error: unknown): void;
}

export class ClaimBatcher {
  readonly #claimSlots: ClaimSlots;
  readonly #turn = new TurnQueue<PendingClaim>((claims) => this.#flush(claims));

  constructor(claimSlots: ClaimSlots) {
    this.#claimSlots = claimSlots;
  }

  /** Claims for one caller (SPEC E3), together with the like claims of this turn. */
  claim(tenantId: string, request: ClaimInput, limit: number): Promise<Lease[]> {
    const queues = [...new Set(request.queues)].sort();
    return new Promise<Lease[]>((resolve, reject) => {
      this.#turn.push({ tenantId, queues, leaseMs: request.leaseMs, workerId: request.workerId, limit, resolve, reject });
    });
  }

  /** Claims of the same tenant, queues and lease duration share statements. */
  #flush(claims: readonly PendingClaim[]): void {
    const groups = new Map<string, PendingClaim[]>();
    for (const claim of claims) {
      const key = JSON.stringify([claim.tenantId, claim.leaseMs, claim.queues]);
      const group = groups.get(key);
      if (group) group.push(claim);
      else groups.set(key, [claim]);
    }
    for (const group of groups.values()) {
      for (const batch of chunks(group, MAX_SLOTS, (claim) => claim.limit)) void this.#grant(batch);
    }
  }

  /** One statement for `claims`, which share tenant, queues and lease duration. */
  async #grant(claims: readonly PendingClaim[]): Promise<void> {
    const [like] = claims;
    if (!like) return;
    const workers = claims.flatMap((claim) => Array.from({ length: claim.limit }, () => claim.workerId));
    let granted: SlottedLease[];
    try {
      granted = await this.#claimSlots(like.tenantId, like.queues, like.leaseMs, workers);
    } catch (error) {
      for (const claim of claims) claim.reject(error);
      return;
    }
    let first = 1;
    for (const claim of claims) {
      const last = first + claim.limit;
      claim.resolve(granted.filter((entry) => entry.slot >= first && entry.slot < last).map((entry) => entry.lease));
      first = last;
    }
  }
}
