-- snapshot-latest: the durable snapshot with the highest sequence (SPEC W10).
-- Parameters: $1 tenant_id, $2 run_id
-- Returns: run_id, at_sequence, state, created_at; no row when none.
SELECT run_id, at_sequence, state, created_at
FROM {schema}.snapshots
WHERE tenant_id = $1 AND run_id = $2
ORDER BY at_sequence DESC
LIMIT 1
