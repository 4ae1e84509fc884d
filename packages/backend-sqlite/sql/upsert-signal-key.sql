-- upsert-signal-key: Record (or renew an expired) signal idempotency key.
-- Parameters: tenant, key, signal id, expires_at.
-- Returns: nothing.
INSERT INTO {{signal_keys}} (tenant, key, signal_id, expires_at) VALUES (?, ?, ?, ?)
ON CONFLICT (tenant, key) DO UPDATE SET signal_id = excluded.signal_id, expires_at = excluded.expires_at
