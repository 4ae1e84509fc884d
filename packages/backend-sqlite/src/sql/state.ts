/**
 * Statements of the StateStore (SPEC section 4). A row is live while `expires_at` is NULL or
 * later than now; every read filters on it, so an expired entry is invisible at once whether or
 * not it was physically removed (S2). Keys compare as BINARY text: UTF-8 byte order, which is
 * code-point order.
 */
import { loadSql } from "../statements.js";

export interface CacheSnapshotRow {
  readonly execution_id: string;
  readonly sequence: number;
  readonly state: string;
  readonly saved_at: number;
}

export const UPSERT_CACHE_SNAPSHOT = loadSql("upsert-cache-snapshot");
export const SELECT_CACHE_SNAPSHOT = loadSql("select-cache-snapshot");
export const DELETE_CACHE_SNAPSHOT = loadSql("delete-cache-snapshot");
export const LIST_CACHE_SNAPSHOTS = loadSql("list-cache-snapshots");
export const UPSERT_VALUE = loadSql("upsert-value");
export const SELECT_VALUE = loadSql("select-value");
export const VALUE_EXISTS = loadSql("value-exists");
export const DELETE_VALUE = loadSql("delete-value");
export const DELETE_VALUES_WITH_PREFIX = loadSql("delete-values-with-prefix");
