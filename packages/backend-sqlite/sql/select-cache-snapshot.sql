-- select-cache-snapshot: A live cached snapshot.
-- Parameters: tenant, execution id, now.
-- Returns: CacheSnapshotRow or none.
SELECT execution_id, sequence, state, saved_at FROM {{cache_snapshots}}
WHERE tenant = ? AND execution_id = ? AND (expires_at IS NULL OR expires_at > ?)
