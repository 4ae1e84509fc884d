-- kv-set-if-absent: stores bytes only when the key holds no live value (SPEC S3). The insert and
-- the conflict check are one atomic step, so of k concurrent attempts exactly one stores.
-- Parameters: $1 now, $2 tenant_id, $3 key, $4 value (bytea), $5 ttl_ms (null: no expiry)
-- Returns: one row when stored; none when a live value was there.
WITH clock AS (SELECT {schema}.now_ms($1::bigint) AS now)
INSERT INTO {schema}.kv AS k (tenant_id, key, value, expires_at)
SELECT $2, $3, $4::bytea, c.now + $5::bigint FROM clock c
ON CONFLICT (tenant_id, key) DO UPDATE
SET value = excluded.value, expires_at = excluded.expires_at
WHERE k.expires_at IS NOT NULL AND k.expires_at <= (SELECT now FROM clock)
RETURNING 1 AS stored
