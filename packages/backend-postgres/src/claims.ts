/**
 * Batch claims: the `claim` calls a backend receives for the same tenant, queues and lease
 * duration are granted by as few statements as possible (`sql/tasks-claim.sql`), one slot per
 * lease asked for, each slot naming its caller's worker.
 *
 * Per group, one statement is in flight at a time: the claims made while it runs wait for it and
 * then go together in the next one (claims of one turn of the event loop always go together).
 * A pool of workers in one process then reads the claim index once per round instead of once per
 * worker. Concurrent claim statements on one queue would each walk past the rows the others have
 * locked and the index entries their updates left behind, so letting them overlap costs the
 * server more than it saves the caller: this is the local-queue technique of the peers
 * (graphile-worker), with each worker keeping its own lease and limit.
 *
 * Each call still gets what it asked for, alone: at most its `limit` leases, in claim order
 * (SPEC E3), with its own `workerId`; calls are served in the order they were made, which is one
 * of the orders in which they could have run one after another.
 */
import type { ClaimInput, Lease } from "@mooring/core";
import { TurnQueue, takeChunk } from "./turn.js";

/**
 * The most slots one statement fills from several claims (a claim with a larger limit has its
 * statement to itself).
 */
const MAX_SLOTS = 500;

/** A lease granted for a slot (1-based, in the order the slots were given). */
export interface SlottedLease {
  readonly slot: number;
  readonly lease: Lease;
}

/**
 * Grants the slots of one statement: the engine of the claims' tenant (engine.ts, `claimSlots`),
 * handed in with each claim, so that the batcher calls back into the engine that called it.
 */
export interface SlotGranter {
  /** Grants leases for `workers` (one entry per slot) on `queues`. */
  claimSlots(queues: readonly string[], leaseMs: number, workers: readonly string[]): Promise<SlottedLease[]>;
}

interface PendingClaim {
  readonly tenantId: string;
  readonly queues: readonly string[];
  readonly leaseMs: number;
  readonly workerId: string;
  readonly limit: number;
  readonly granter: SlotGranter;
  resolve(leases: Lease[]): void;
  reject(error: unknown): void;
}

/** The claims of one group (tenant, queues, lease duration) waiting for the statement in flight. */
interface ClaimGroup {
  readonly waiting: PendingClaim[];
  inFlight: boolean;
}

export class ClaimBatcher {
  readonly #groups = new Map<string, ClaimGroup>();
  readonly #turn = new TurnQueue<PendingClaim>((claims) => this.#arrive(claims));

  /**
   * Claims for one caller (SPEC E3), together with the like claims made meanwhile; `granter` is
   * the caller's engine (any engine of the group's tenant grants for the whole group).
   */
  claim(tenantId: string, request: ClaimInput, limit: number, granter: SlotGranter): Promise<Lease[]> {
    const queues = [...new Set(request.queues)].sort();
    return new Promise<Lease[]>((resolve, reject) => {
      this.#turn.push({ tenantId, queues, leaseMs: request.leaseMs, workerId: request.workerId, limit, granter, resolve, reject });
    });
  }

  /** Files the claims of a turn under their groups and starts each idle group. */
  #arrive(claims: readonly PendingClaim[]): void {
    const touched = new Set<string>();
    for (const claim of claims) {
      const key = JSON.stringify([claim.tenantId, claim.leaseMs, claim.queues]);
      let group = this.#groups.get(key);
      if (!group) {
        group = { waiting: [], inFlight: false };
        this.#groups.set(key, group);
      }
      group.waiting.push(claim);
      touched.add(key);
    }
    for (const key of touched) void this.#drain(key);
  }

  /**
   * Grants the waiting claims of group `key`, one statement at a time, until none waits. The
   * statements' failures reach their claims, never this loop.
   */
  async #drain(key: string): Promise<void> {
    const group = this.#groups.get(key);
    if (!group || group.inFlight) return;
    group.inFlight = true;
    try {
      while (group.waiting.length > 0) await this.#grant(takeChunk(group.waiting, MAX_SLOTS, (claim) => claim.limit));
    } finally {
      group.inFlight = false;
      this.#groups.delete(key);
    }
  }

  /** One statement for `claims`, which share tenant, queues and lease duration. */
  async #grant(claims: readonly PendingClaim[]): Promise<void> {
    const [like] = claims;
    if (!like) return;
    const workers = claims.flatMap((claim) => Array.from({ length: claim.limit }, () => claim.workerId));
    let granted: SlottedLease[];
    try {
      granted = await like.granter.claimSlots(like.queues, like.leaseMs, workers);
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
