-- select-token-by-hash: The token with a hash.
-- Parameters: hash.
-- Returns: TokenRow or none.
SELECT id, tenant, name, role, hash, created_at, expires_at, revoked_at FROM {{tokens}} WHERE hash = ?
