-- token-revoke: revokes a token of the tenant (SPEC T3).
-- Parameters: $1 now, $2 tenant_id, $3 id
-- Returns: one row when revoked now; none when absent or revoked already.
WITH clock AS (SELECT {schema}.now_ms($1::bigint) AS now)
UPDATE {schema}.tokens t
SET revoked_at = c.now
FROM clock c
WHERE t.tenant_id = $2 AND t.id = $3 AND t.revoked_at IS NULL
RETURNING t.id
