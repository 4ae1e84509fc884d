-- list-cache-snapshots: A page of live cached snapshot ids in code-point order.
-- Parameters: tenant, after id ('' for the first page), now, limit.
-- Returns: { execution_id }[].
SELECT execution_id FROM {{cache_snapshots}}
WHERE tenant = ? AND execution_id > ? AND (expires_at IS NULL OR expires_at > ?)
ORDER BY execution_id LIMIT ? + 0
