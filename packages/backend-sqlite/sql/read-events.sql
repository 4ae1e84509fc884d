-- read-events: Events of a run between two sequences, ascending.
-- Parameters: tenant, run id, after, before, limit (-1: all).
-- Returns: EventRow[].
SELECT e.sequence, e.type, e.payload, e.payload_kind, e.payload_bytes, e.event_id, e.created_at
FROM {{runs}} AS r JOIN {{events}} AS e ON e.run_pk = r.pk
WHERE r.tenant = ? AND r.id = ? AND e.sequence > ? AND e.sequence < ?
ORDER BY e.sequence LIMIT ? + 0
