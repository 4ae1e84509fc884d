-- read-events: Events of a run after a sequence, ascending.
-- Parameters: tenant, run id, after, limit (-1: all).
-- Returns: EventRow[].
SELECT e.sequence, e.type, e.payload, e.created_at
FROM {{runs}} AS r JOIN {{events}} AS e ON e.run_pk = r.pk
WHERE r.tenant = ? AND r.id = ? AND e.sequence > ?
ORDER BY e.sequence LIMIT ? + 0
