-- insert-token: Store a token's hash.
-- Parameters: id, tenant, name, role, hash, created_at, expires_at.
-- Returns: nothing.
INSERT INTO {{tokens}} (id, tenant, name, role, hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)
