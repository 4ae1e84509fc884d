/**
 * Statements of the change feed that carries wake-ups and task events between connections
 * (SPEC E19). Rows are written by `SqliteConnection.notify` inside the transaction that caused
 * them.
 */
import { sql } from "./text.js";

export interface NotificationRow {
  readonly seq: number;
  readonly tenant: string;
  readonly kind: string;
  readonly task_id: string;
  readonly queue: string;
  readonly at: number;
}

/**
 * The newest feed position.
 * Parameters: none. Returns: { seq } (0 when the feed is empty).
 */
export const FEED_HEAD = sql`
  SELECT coalesce(max(seq), 0) AS seq FROM {{notifications}}`;

/**
 * Feed rows after a position, in commit order.
 * Parameters: after seq, limit. Returns: NotificationRow[].
 */
export const READ_FEED = sql`
  SELECT seq, tenant, kind, task_id, queue, at FROM {{notifications}} WHERE seq > ? ORDER BY seq LIMIT ? + 0`;
