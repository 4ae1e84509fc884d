-- value-exists: Whether a live value exists.
-- Parameters: tenant, key, now.
-- Returns: { found } or none.
SELECT 1 AS found FROM {{kv}} WHERE tenant = ? AND key = ? AND (expires_at IS NULL OR expires_at > ?)
