-- kv-exists: whether a key holds a live value (SPEC S2).
-- Parameters: $1 now, $2 tenant_id, $3 key
-- Returns: one row: present.
WITH clock AS (SELECT {schema}.now_ms($1::bigint) AS now)
SELECT EXISTS (
  SELECT 1 FROM {schema}.kv k CROSS JOIN clock c
  WHERE k.tenant_id = $2 AND k.key = $3 AND (k.expires_at IS NULL OR k.expires_at > c.now)
) AS present
