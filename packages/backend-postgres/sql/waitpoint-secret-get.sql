-- waitpoint-secret-get: the tenant's secret under a token's kid, with the time the signal's
-- transaction judges the token at (SPEC E25).
-- Parameters: $1 now, $2 tenant_id, $3 kid (null: a malformed token, which names none)
-- Returns: one row: now, secret and valid_until (both null when the tenant has no such secret).
WITH clock AS (SELECT {schema}.now_ms($1::bigint) AS now)
SELECT c.now, s.secret, s.valid_until
FROM clock c
LEFT JOIN {schema}.waitpoint_secrets s ON s.tenant_id = $2 AND s.kid = $3
