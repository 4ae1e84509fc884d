-- events-read: a run's events between two sequences, ascending (SPEC W9, W14).
-- Parameters: $1 tenant_id, $2 run_id, $3 after, $4 limit (null: all), $5 before (null: none)
-- Returns: run_id, sequence, type, payload, event_id, created_at per event.
SELECT run_id, sequence, type, payload, payload_kind, payload_bytes, event_id, created_at
FROM {schema}.events
WHERE tenant_id = $1 AND run_id = $2 AND sequence > $3 AND ($5::bigint IS NULL OR sequence < $5::bigint)
ORDER BY sequence
LIMIT $4
