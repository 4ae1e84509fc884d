/**
 * Batch completion: the `complete` calls a backend receives in one turn of the event loop are
 * applied by one statement (`sql/tasks-complete.sql`, one commit for all of them), the technique
 * that lets peers go past one commit per job. Each call still gets its own outcome: a lease the
 * statement did not apply is judged by the fence (SPEC E5) from the task as it is now, and a task
 * with dependents is completed by the transactional path that releases them (E16).
 */
import { enforceFence, type FencedLease, storedValueColumns, type Value } from "@mooring/core";
import type { Database } from "./database.js";
import { type FenceRow, judgeFenceRow } from "./fence.js";
import { chunks, TurnQueue } from "./turn.js";

/** Most completions one statement applies. */
const MAX_BATCH = 500;

interface PendingCompletion {
  readonly tenantId: string;
  readonly lease: FencedLease;
  readonly result: Value | undefined;
  readonly completer: TransactionalCompleter;
  resolve(): void;
  reject(error: unknown): void;
}

interface FenceReadRow extends FenceRow {
  readonly tenant_id: string;
  readonly id: string;
  readonly now: number;
}

/**
 * Completes one lease in its own transaction (the path for tasks with dependents): the engine
 * that called `complete` (engine.ts, `completeInTransaction`), handed in with the call.
 */
export interface TransactionalCompleter {
  completeInTransaction(lease: FencedLease, result: Value | undefined): Promise<void>;
}

const keyOf = (tenantId: string, taskId: string): string => `${tenantId}\u0000${taskId}`;
/** A lease, not just a task: a stale (or forged, SPEC T4) and a current lease of one task may share a batch. */
const leaseKeyOf = (tenantId: string, taskId: string, epoch: number | string, leaseId: string): string =>
  `${keyOf(tenantId, taskId)}\u0000${String(epoch)}\u0000${leaseId}`;

export class CompletionBatcher {
  readonly #db: Database;
  readonly #channel: string;
  readonly #turn = new TurnQueue<PendingCompletion>((items) => {
    for (const batch of chunks(items, MAX_BATCH)) void this.#apply(batch);
  });

  constructor(db: Database, channel: string) {
    this.#db = db;
    this.#channel = channel;
  }

  /** Completes `lease` (SPEC E7) together with the other completions of this turn. */
  complete(tenantId: string, lease: FencedLease, result: Value | undefined, completer: TransactionalCompleter): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#turn.push({ tenantId, lease, result, completer, resolve, reject });
    });
  }

  async #apply(batch: readonly PendingCompletion[]): Promise<void> {
    let leftovers: PendingCompletion[];
    const results = batch.map((item) => storedValueColumns(item.result));
    try {
      // Safe to repeat after a lost connection: a completion that was applied then reads as the
      // idempotent repeat of E7 below.
      const applied = await this.#db.query<{ tenant_id: string; id: string; epoch: string | number; lease_id: string }>(
        "tasks-complete",
        [
          this.#db.nowParam(),
          batch.map((item) => item.tenantId),
          batch.map((item) => item.lease.taskId),
          batch.map((item) => item.lease.epoch),
          results.map(([text]) => text),
          this.#channel,
          batch.map((item) => item.lease.leaseId),
          results.map(([, kind]) => kind),
          results.map(([, , bytes]) => bytes),
        ],
        "safe",
      );
      const done = new Set(applied.map((row) => leaseKeyOf(row.tenant_id, row.id, row.epoch, row.lease_id)));
      leftovers = [];
      for (const item of batch) {
        // The same lease twice in one batch: the first is applied, the second is its repeat.
        if (done.delete(leaseKeyOf(item.tenantId, item.lease.taskId, item.lease.epoch, item.lease.leaseId))) item.resolve();
        else leftovers.push(item);
      }
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    if (leftovers.length > 0) await this.#judge(leftovers);
  }

  /** Says why each leftover was not applied, or completes it in a transaction when it should be. */
  async #judge(leftovers: readonly PendingCompletion[]): Promise<void> {
    let rows: FenceReadRow[];
    try {
      rows = await this.#db.query<FenceReadRow>(
        "tasks-fence",
        [this.#db.nowParam(), leftovers.map((item) => item.tenantId), leftovers.map((item) => item.lease.taskId)],
        "safe",
      );
    } catch (error) {
      for (const item of leftovers) item.reject(error);
      return;
    }
    const byKey = new Map(rows.map((row) => [keyOf(row.tenant_id, row.id), row]));
    await Promise.all(
      leftovers.map(async (item) => {
        const row = byKey.get(keyOf(item.tenantId, item.lease.taskId));
        const verdict = judgeFenceRow(row, item.lease, row?.now ?? 0, "complete");
        try {
          if (enforceFence(verdict, "postgres") === "held") await item.completer.completeInTransaction(item.lease, item.result);
          item.resolve();
        } catch (error) {
          item.reject(error);
        }
      }),
    );
  }
}
