-- event-ids-find: the first of some caller event ids the run already has (SPEC W15); run by a
-- transaction that holds the run's lock, so no append can come between the look and the write.
-- Parameters: $1 tenant_id, $2 run_id, $3 event ids (text[])
-- Returns: event_id, sequence of the earliest such event; no row when none.
SELECT event_id, sequence
FROM {schema}.events
WHERE tenant_id = $1 AND run_id = $2 AND event_id = ANY($3::text[])
ORDER BY sequence
LIMIT 1
