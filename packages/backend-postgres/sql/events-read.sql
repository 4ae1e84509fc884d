-- events-read: a run's events after a sequence, ascending (SPEC W9).
-- Parameters: $1 tenant_id, $2 run_id, $3 after, $4 limit (null: all)
-- Returns: run_id, sequence, type, payload, created_at per event.
SELECT run_id, sequence, type, payload, created_at
FROM {schema}.events
WHERE tenant_id = $1 AND run_id = $2 AND sequence > $3
ORDER BY sequence
LIMIT $4
