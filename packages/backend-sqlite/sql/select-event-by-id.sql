-- select-event-by-id: The event of a run with a caller's id (SPEC W15).
-- Parameters: tenant, run id, event id.
-- Returns: EventRow or none.
SELECT e.sequence, e.type, e.payload, e.payload_kind, e.payload_bytes, e.event_id, e.created_at
FROM {{runs}} AS r JOIN {{events}} AS e ON e.run_pk = r.pk
WHERE r.tenant = ? AND r.id = ? AND e.event_id = ?
