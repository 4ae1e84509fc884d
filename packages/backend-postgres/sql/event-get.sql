-- event-get: the event of a run with a caller's id (SPEC W15).
-- Parameters: $1 tenant_id, $2 run_id, $3 event_id
-- Returns: run_id, sequence, type, payload, event_id, created_at; no row when absent.
SELECT run_id, sequence, type, payload, payload_kind, payload_bytes, event_id, created_at
FROM {schema}.events
WHERE tenant_id = $1 AND run_id = $2 AND event_id = $3
