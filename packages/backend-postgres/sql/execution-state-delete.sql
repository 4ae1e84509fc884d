-- execution-state-delete: removes an execution's cached snapshot and every key under its exact
-- executionKey prefix, compared as a literal prefix, never as a pattern (SPEC S4).
-- Parameters: $1 now, $2 tenant_id, $3 execution_id, $4 key prefix (executionKeyPrefix)
-- Returns: one row: removed (how many live entries were removed).
WITH clock AS (SELECT {schema}.now_ms($1::bigint) AS now),
keys AS (
  DELETE FROM {schema}.kv
  WHERE tenant_id = $2 AND key >= $4::text AND starts_with(key, $4::text)
  RETURNING expires_at
),
snapshot AS (
  DELETE FROM {schema}.cache_snapshots
  WHERE tenant_id = $2 AND execution_id = $3
  RETURNING expires_at
)
SELECT (SELECT count(*) FROM keys k CROSS JOIN clock c WHERE k.expires_at IS NULL OR k.expires_at > c.now)
     + (SELECT count(*) FROM snapshot s CROSS JOIN clock c WHERE s.expires_at IS NULL OR s.expires_at > c.now) AS removed
