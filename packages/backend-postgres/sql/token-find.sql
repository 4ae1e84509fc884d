-- token-find: the live token with a hash, whatever its tenant (SPEC T3).
-- Parameters: $1 now, $2 hash (sha256 hex)
-- Returns: id, tenant_id, name, role, expires_at, hash; no row when unknown, revoked or expired.
WITH clock AS (SELECT {schema}.now_ms($1::bigint) AS now)
SELECT t.id, t.tenant_id, t.name, t.role, t.expires_at, t.hash
FROM {schema}.tokens t CROSS JOIN clock c
WHERE t.hash = $2 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > c.now)
