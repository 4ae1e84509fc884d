/**
 * What every facet of one backend shares: the database, the notification hub, the batchers of
 * claims and completions, and the settings that statements take as parameters.
 */
import type { Limits } from "@mooring/core";
import type { ClaimBatcher } from "./claims.js";
import type { CompletionBatcher } from "./completions.js";
import type { Database, Queryable } from "./database.js";
import type { NotificationHub, Topic } from "./notifications.js";

export interface BackendContext {
  readonly db: Database;
  readonly hub: NotificationHub;
  readonly claims: ClaimBatcher;
  readonly completions: CompletionBatcher;
  readonly limits: Limits;
  /** The schema's LISTEN/NOTIFY channel. */
  readonly channel: string;
  /** The death-order sequence as a regclass literal (built by the identifier helper). */
  readonly deathOrder: string;
  /** The advisory-lock scope of signal keys. */
  readonly signalLockScope: string;
  /** The advisory-lock scope of each tenant's waitpoint secrets. */
  readonly waitpointLockScope: string;
  /** How often `waitForWork` checks for work when no notification comes (its floor). */
  readonly pollIntervalMs: number;
}

/**
 * Notifications a transaction collects and sends just before it commits (SPEC E19): Postgres
 * delivers them when the transaction commits, and never when it rolls back.
 */
export class Outbox {
  readonly #kinds: Topic[] = [];
  readonly #queues: string[] = [];
  readonly #taskIds: (string | null)[] = [];

  /** A task event, or (with a null task id and topic "work") a wake-up of the queue's waiters. */
  add(topic: Topic, queue: string, taskId: string | null): void {
    this.#kinds.push(topic);
    this.#queues.push(queue);
    this.#taskIds.push(taskId);
  }

  get empty(): boolean {
    return this.#kinds.length === 0;
  }

  /** Sends what was collected on `tx`, stamped `at`, for the backends listening to `tenantId`. */
  async send(tx: Queryable, context: BackendContext, tenantId: string, at: number): Promise<void> {
    if (this.empty) return;
    await tx.query("notify", [context.channel, tenantId, this.#kinds, this.#queues, this.#taskIds, at]);
  }
}
