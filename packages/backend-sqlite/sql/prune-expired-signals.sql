-- prune-expired-signals: Drop a key's expired buffered signals.
-- Parameters: tenant, key, now.
-- Returns: nothing.
DELETE FROM {{signals}} WHERE tenant = ? AND key = ? AND expires_at <= ?
