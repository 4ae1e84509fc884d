-- task-lock: locks a task for the rest of the transaction, for the holder and operator calls
-- whose outcome depends on its state (SPEC E5, E8, E9, E12-E14).
-- Parameters: $1 now, $2 tenant_id, $3 id
-- Returns: the task's state columns and now (the time the rest of the transaction uses); no row
--   when absent.
SELECT t.id, t.queue, t.state, t.epoch, t.ended_lease, t.lease_expires_at, t.completed_epoch, t.attempt,
       t.max_attempts, t.backoff_base_ms, t.backoff_factor, t.backoff_max_ms, t.has_dependents,
       {schema}.now_ms($1::bigint) AS now
FROM {schema}.tasks t
WHERE t.tenant_id = $2 AND t.id = $3
FOR UPDATE
