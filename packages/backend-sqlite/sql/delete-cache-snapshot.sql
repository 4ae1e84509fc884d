-- delete-cache-snapshot: Remove a cached snapshot.
-- Parameters: tenant, execution id, now.
-- Returns: { live } (1 when it was live) or none.
DELETE FROM {{cache_snapshots}} WHERE tenant = ? AND execution_id = ?
RETURNING (expires_at IS NULL OR expires_at > ?) AS live
