/**
 * Statements of the StateStore (SPEC section 4). A row is live while `expires_at` is NULL or
 * later than now; every read filters on it, so an expired entry is invisible at once whether or
 * not it was physically removed (S2). Keys compare as BINARY text: UTF-8 byte order, which is
 * code-point order.
 */
import { sql } from "./text.js";

export interface CacheSnapshotRow {
  readonly execution_id: string;
  readonly sequence: number;
  readonly state: string;
  readonly saved_at: number;
}

/**
 * Save (overwrite) a cached snapshot.
 * Parameters: tenant, execution id, sequence, state (JSON), saved_at, expires_at. Returns: nothing.
 */
export const UPSERT_CACHE_SNAPSHOT = sql`
  INSERT INTO {{cache_snapshots}} (tenant, execution_id, sequence, state, saved_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)
  ON CONFLICT (tenant, execution_id) DO UPDATE SET
    sequence = excluded.sequence, state = excluded.state, saved_at = excluded.saved_at, expires_at = excluded.expires_at`;

/**
 * A live cached snapshot.
 * Parameters: tenant, execution id, now. Returns: CacheSnapshotRow or none.
 */
export const SELECT_CACHE_SNAPSHOT = sql`
  SELECT execution_id, sequence, state, saved_at FROM {{cache_snapshots}}
  WHERE tenant = ? AND execution_id = ? AND (expires_at IS NULL OR expires_at > ?)`;

/**
 * Remove a cached snapshot.
 * Parameters: tenant, execution id, now. Returns: { live } (1 when it was live) or none.
 */
export const DELETE_CACHE_SNAPSHOT = sql`
  DELETE FROM {{cache_snapshots}} WHERE tenant = ? AND execution_id = ?
  RETURNING (expires_at IS NULL OR expires_at > ?) AS live`;

/**
 * A page of live cached snapshot ids in code-point order.
 * Parameters: tenant, after id ('' for the first page), now, limit. Returns: { execution_id }[].
 */
export const LIST_CACHE_SNAPSHOTS = sql`
  SELECT execution_id FROM {{cache_snapshots}}
  WHERE tenant = ? AND execution_id > ? AND (expires_at IS NULL OR expires_at > ?)
  ORDER BY execution_id LIMIT ? + 0`;

/**
 * Store bytes, replacing value and TTL.
 * Parameters: tenant, key, value (BLOB), expires_at (null: no TTL). Returns: nothing.
 */
export const UPSERT_VALUE = sql`
  INSERT INTO {{kv}} (tenant, key, value, expires_at) VALUES (?, ?, ?, ?)
  ON CONFLICT (tenant, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`;

/**
 * A live value.
 * Parameters: tenant, key, now. Returns: { value } or none.
 */
export const SELECT_VALUE = sql`
  SELECT value FROM {{kv}} WHERE tenant = ? AND key = ? AND (expires_at IS NULL OR expires_at > ?)`;

/**
 * Whether a live value exists.
 * Parameters: tenant, key, now. Returns: { found } or none.
 */
export const VALUE_EXISTS = sql`
  SELECT 1 AS found FROM {{kv}} WHERE tenant = ? AND key = ? AND (expires_at IS NULL OR expires_at > ?)`;

/**
 * Remove a value.
 * Parameters: tenant, key, now. Returns: { live } (1 when it was live) or none.
 */
export const DELETE_VALUE = sql`
  DELETE FROM {{kv}} WHERE tenant = ? AND key = ?
  RETURNING (expires_at IS NULL OR expires_at > ?) AS live`;

/**
 * Remove every value whose key starts with a prefix, matched literally: a range on the primary
 * key (prefix <= key < the prefix with its last character incremented) narrowed by an exact
 * substr comparison, never LIKE or GLOB, so no character of an id acts as a wildcard.
 * Parameters: tenant, prefix, upper bound, prefix, prefix, now. Returns: { live }[] (one per removed row).
 */
export const DELETE_VALUES_WITH_PREFIX = sql`
  DELETE FROM {{kv}} WHERE tenant = ? AND key >= ? AND key < ? AND substr(key, 1, length(?)) = ?
  RETURNING (expires_at IS NULL OR expires_at > ?) AS live`;
