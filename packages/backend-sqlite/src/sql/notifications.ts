/**
 * Statements of the change feed that carries wake-ups and task events between connections
 * (SPEC E19). Rows are written by `SqliteConnection.notify` inside the transaction that caused
 * them.
 */
import { loadSql } from "../statements.js";

export interface NotificationRow {
  readonly seq: number;
  readonly tenant: string;
  readonly kind: string;
  readonly task_id: string;
  readonly queue: string;
  readonly at: number;
}

export const FEED_HEAD = loadSql("feed-head");
export const READ_FEED = loadSql("read-feed");
