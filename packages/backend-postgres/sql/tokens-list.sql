-- tokens-list: the tenant's tokens, oldest first, without hashes (SPEC T3).
-- Parameters: $1 tenant_id
-- Returns: id, tenant_id, name, role, created_at, expires_at, revoked_at.
SELECT id, tenant_id, name, role, created_at, expires_at, revoked_at
FROM {schema}.tokens
WHERE tenant_id = $1
ORDER BY seq
