-- delete-value: Remove a value.
-- Parameters: tenant, key, now.
-- Returns: { live } (1 when it was live) or none.
DELETE FROM {{kv}} WHERE tenant = ? AND key = ?
RETURNING (expires_at IS NULL OR expires_at > ?) AS live
