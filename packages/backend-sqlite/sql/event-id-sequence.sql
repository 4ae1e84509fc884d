-- event-id-sequence: The sequence of the run's event with a caller's id, to name it in a CONFLICT (SPEC W15).
-- Parameters: run pk, event id.
-- Returns: { sequence } or none.
SELECT sequence FROM {{events}} WHERE run_pk = ? AND event_id = ?
