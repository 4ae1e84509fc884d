-- select-value: A live value.
-- Parameters: tenant, key, now.
-- Returns: { value } or none.
SELECT value FROM {{kv}} WHERE tenant = ? AND key = ? AND (expires_at IS NULL OR expires_at > ?)
