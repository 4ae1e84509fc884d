-- sweep-cache-snapshots: Drop a tenant's expired cached snapshots, at most 1000.
-- Parameters: tenant, now.
-- Returns: nothing.
DELETE FROM {{cache_snapshots}} WHERE (tenant, execution_id) IN (
  SELECT tenant, execution_id FROM {{cache_snapshots}} INDEXED BY {{cache_snapshots_by_expiry}}
  WHERE tenant = ? AND expires_at IS NOT NULL AND expires_at <= ? LIMIT 1000)
