-- task-forget-resumption: a suspend that buffered signals satisfied at once keeps the lease, and
-- the task's previous resumption ends (SPEC E14).
-- Parameters: $1 tenant_id, $2 id, $3 epoch
-- Returns: id when applied.
UPDATE {schema}.tasks
SET resume_signals = NULL, resume_timed_out = false
WHERE tenant_id = $1 AND id = $2 AND epoch = $3 AND state = 'leased'
RETURNING id
