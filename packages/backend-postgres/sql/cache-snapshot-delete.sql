-- cache-snapshot-delete: removes an execution's cached snapshot (SPEC S1).
-- Parameters: $1 now, $2 tenant_id, $3 execution_id
-- Returns: one row: existed (whether a live snapshot was removed; an expired one was invisible already).
WITH clock AS (SELECT {schema}.now_ms($1::bigint) AS now),
removed AS (
  DELETE FROM {schema}.cache_snapshots
  WHERE tenant_id = $2 AND execution_id = $3
  RETURNING expires_at
)
SELECT EXISTS (SELECT 1 FROM removed r CROSS JOIN clock c WHERE r.expires_at IS NULL OR r.expires_at > c.now) AS existed
