-- kv-set: stores bytes under a key, replacing any value and TTL (SPEC S2).
-- Parameters: $1 now, $2 tenant_id, $3 key, $4 value (bytea), $5 ttl_ms (null: no expiry)
-- Returns: nothing.
WITH clock AS (SELECT {schema}.now_ms($1::bigint) AS now)
INSERT INTO {schema}.kv (tenant_id, key, value, expires_at)
SELECT $2, $3, $4::bytea, c.now + $5::bigint FROM clock c
ON CONFLICT (tenant_id, key) DO UPDATE
SET value = excluded.value, expires_at = excluded.expires_at
