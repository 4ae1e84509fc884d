-- kv-delete: removes a key (SPEC S2).
-- Parameters: $1 now, $2 tenant_id, $3 key
-- Returns: one row: existed (whether a live value was removed).
WITH clock AS (SELECT {schema}.now_ms($1::bigint) AS now),
removed AS (
  DELETE FROM {schema}.kv
  WHERE tenant_id = $2 AND key = $3
  RETURNING expires_at
)
SELECT EXISTS (SELECT 1 FROM removed r CROSS JOIN clock c WHERE r.expires_at IS NULL OR r.expires_at > c.now) AS existed
