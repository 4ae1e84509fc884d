-- dead-letter-retry: makes a locked dead task ready now (SPEC E12); with reset, the attempts
-- consumed count from 0 again, so the next lease is attempt 1. The attempt number of the latest
-- lease and its streams stay as they were (the next attempt 1 appends after them).
-- Parameters: $1 now, $2 tenant_id, $3 id, $4 reset attempts (boolean)
-- Returns: id, queue when applied.
UPDATE {schema}.tasks
SET state = 'queued', run_at = $1::bigint, ready_at = $1::bigint, death_seq = NULL,
    consumed = CASE WHEN $4::boolean THEN 0 ELSE consumed END, updated_at = $1::bigint
WHERE tenant_id = $2 AND id = $3 AND state = 'dead'
RETURNING id, queue
