-- insert-waitpoint: Record a waitpoint just issued, by its token's fingerprint, never the token (SPEC E25).
-- Parameters: tenant, id, task seq, key, kid, fingerprint, expires_at, created_at.
-- Returns: nothing.
INSERT INTO {{waitpoints}} (tenant, id, task_seq, key, kid, fingerprint, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
