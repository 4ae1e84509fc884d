/**
 * What every facet of one backend shares: the connection, its statements, the task transitions,
 * the change feed and the limits. Facets are bound to a tenant; this is not.
 */
import type { Limits } from "@mooring/core";
import type { SqliteConnection } from "./connection.js";
import type { ChangeFeed } from "./notifications.js";
import type { SqlText } from "./sql/text.js";
import type { StatementCache } from "./statements.js";
import type { TaskTransitions } from "./tasks.js";

export interface SqliteContext {
  readonly connection: SqliteConnection;
  readonly statements: StatementCache;
  readonly transitions: TaskTransitions;
  readonly feed: ChangeFeed;
  readonly limits: Limits;
  /** The claim statement for a number of queues, built once per count. */
  claimStatement(queueCount: number): SqlText;
}
