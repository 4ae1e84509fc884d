-- upsert-value: Store bytes, replacing value and TTL.
-- Parameters: tenant, key, value (BLOB), expires_at (null: no TTL).
-- Returns: nothing.
INSERT INTO {{kv}} (tenant, key, value, expires_at) VALUES (?, ?, ?, ?)
ON CONFLICT (tenant, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at
