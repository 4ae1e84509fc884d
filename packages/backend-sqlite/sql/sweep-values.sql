-- sweep-values: Drop a tenant's expired cache values, at most 1000.
-- Parameters: tenant, now.
-- Returns: nothing.
DELETE FROM {{kv}} WHERE (tenant, key) IN (
  SELECT tenant, key FROM {{kv}} INDEXED BY {{kv_by_expiry}} WHERE tenant = ? AND expires_at IS NOT NULL AND expires_at <= ? LIMIT 1000)
