-- revoke-token: Revoke a tenant's unrevoked token.
-- Parameters: revoked_at, tenant, id.
-- Returns: nothing (changes: 1 when revoked now).
UPDATE {{tokens}} SET revoked_at = ? WHERE tenant = ? AND id = ? AND revoked_at IS NULL
