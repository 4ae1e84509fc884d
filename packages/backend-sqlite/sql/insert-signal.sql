-- insert-signal: Buffer a signal nobody waits for.
-- Parameters: tenant, id, key, payload (JSON), created_at, expires_at.
-- Returns: nothing.
INSERT INTO {{signals}} (tenant, id, key, payload, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)
