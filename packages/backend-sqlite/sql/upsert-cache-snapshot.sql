-- upsert-cache-snapshot: Save (overwrite) a cached snapshot.
-- Parameters: tenant, execution id, sequence, state (JSON), saved_at, expires_at.
-- Returns: nothing.
INSERT INTO {{cache_snapshots}} (tenant, execution_id, sequence, state, saved_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (tenant, execution_id) DO UPDATE SET
  sequence = excluded.sequence, state = excluded.state, saved_at = excluded.saved_at, expires_at = excluded.expires_at
