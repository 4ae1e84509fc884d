-- sweep-signals: Drop a tenant's expired buffered signals, at most 1000.
-- Parameters: tenant, now.
-- Returns: nothing.
DELETE FROM {{signals}} WHERE seq IN (
  SELECT seq FROM {{signals}} INDEXED BY {{signals_by_expiry}} WHERE tenant = ? AND expires_at <= ? LIMIT 1000)
