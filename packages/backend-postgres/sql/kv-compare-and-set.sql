-- kv-compare-and-set: replaces a key's live value only when it equals the expected bytes (SPEC S3).
-- A concurrent winner's update is re-read before the comparison (READ COMMITTED), so of k
-- attempts with the same expected value exactly one swaps.
-- Parameters: $1 now, $2 tenant_id, $3 key, $4 expected (bytea), $5 next (bytea), $6 ttl_ms (null: no expiry)
-- Returns: one row when swapped.
WITH clock AS (SELECT {schema}.now_ms($1::bigint) AS now)
UPDATE {schema}.kv k
SET value = $5::bytea, expires_at = c.now + $6::bigint
FROM clock c
WHERE k.tenant_id = $2 AND k.key = $3 AND k.value = $4::bytea AND (k.expires_at IS NULL OR k.expires_at > c.now)
RETURNING 1 AS stored
