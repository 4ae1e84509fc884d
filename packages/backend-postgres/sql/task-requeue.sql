-- task-requeue: makes a locked dead task ready now (retryDeadLetter, SPEC E12) or, for a replay
-- (E26), a locked dead or cancelled task ready or scheduled at a time, its outcome cleared and
-- its replays counted. With reset, the attempts consumed count from 0 again, so the next lease is
-- attempt 1; a replay counts the last run's attempt as spent (a task cancelled under a lease had
-- not consumed it), so the next lease is one above it; a retry keeps them (a dead task consumed
-- its last attempt), so the next lease is one more attempt too. The attempt number of the latest
-- lease, its epoch (the next lease's is above it, E5) and its streams stay as they were (the next
-- attempt 1 appends after them).
-- Parameters: $1 now, $2 tenant_id, $3 id, $4 reset attempts (boolean), $5 replay (boolean),
--   $6 run at (null: now)
-- Returns: id, queue when applied.
UPDATE {schema}.tasks
SET state = 'queued', run_at = coalesce($6::bigint, $1::bigint), ready_at = coalesce($6::bigint, $1::bigint), death_seq = NULL,
    consumed = CASE WHEN $4::boolean THEN 0 WHEN $5::boolean THEN attempt ELSE consumed END,
    last_error = CASE WHEN $5::boolean THEN NULL ELSE last_error END,
    result = CASE WHEN $5::boolean THEN NULL ELSE result END,
    progress = CASE WHEN $5::boolean THEN NULL ELSE progress END,
    cancel_reason = CASE WHEN $5::boolean THEN NULL ELSE cancel_reason END,
    replays = replays + $5::boolean::int,
    updated_at = $1::bigint
WHERE tenant_id = $2 AND id = $3 AND (state = 'dead' OR ($5::boolean AND state = 'cancelled'))
RETURNING id, queue
