-- insert-signal: Buffer a signal nobody waits for: for any task that suspends on its key, or for
-- the target task alone (a waitpoint's signal, SPEC E25).
-- Parameters: tenant, id, key, payload (JSON), created_at, expires_at, target task seq (or NULL).
-- Returns: nothing.
INSERT INTO {{signals}} (tenant, id, key, payload, created_at, expires_at, target_seq) VALUES (?, ?, ?, ?, ?, ?, ?)
