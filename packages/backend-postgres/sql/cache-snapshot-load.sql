-- cache-snapshot-load: an execution's live cached snapshot (SPEC S1, S2).
-- Parameters: $1 now, $2 tenant_id, $3 execution_id
-- Returns: execution_id, sequence, state, saved_at; no row when absent or expired.
WITH clock AS (SELECT {schema}.now_ms($1::bigint) AS now)
SELECT s.execution_id, s.sequence, s.state, s.saved_at
FROM {schema}.cache_snapshots s CROSS JOIN clock c
WHERE s.tenant_id = $2 AND s.execution_id = $3 AND (s.expires_at IS NULL OR s.expires_at > c.now)
