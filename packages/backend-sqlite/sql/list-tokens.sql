-- list-tokens: A tenant's tokens, oldest first (without hashes).
-- Parameters: tenant.
-- Returns: TokenRow[] (hash column omitted).
SELECT id, tenant, name, role, created_at, expires_at, revoked_at FROM {{tokens}} WHERE tenant = ? ORDER BY seq
