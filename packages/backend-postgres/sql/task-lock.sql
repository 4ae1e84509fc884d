-- task-lock: locks a task for the rest of the transaction, for the holder and operator calls
-- whose outcome depends on its state (SPEC E5, E8, E9, E12-E14). A completed task is final and
-- read from tasks_completed, unlocked. A task that a concurrent transaction completed while this
-- one waited for its row reads as absent here (the row left `tasks` after this statement's
-- snapshot): the caller reads again (src/settlement.ts, lockTask).
-- Parameters: $1 now, $2 tenant_id, $3 id
-- Returns: the task's state columns (lease_id: the fence's, SPEC T4; run_at: for the state a read shows) and now (the time the rest of the transaction uses); no row
--   when absent.
WITH live AS (
  SELECT t.id, t.queue, t.state, t.epoch, t.lease_id, t.ended_lease, t.lease_expires_at, t.completed_epoch, t.attempt,
         t.max_attempts, t.backoff_base_ms, t.backoff_factor, t.backoff_max_ms, t.has_dependents, t.run_at
  FROM {schema}.tasks t
  WHERE t.tenant_id = $2 AND t.id = $3
  FOR UPDATE
)
SELECT l.*, {schema}.now_ms($1::bigint) AS now FROM live l
UNION ALL
SELECT d.id, d.queue, 'completed', d.epoch, d.lease_id, NULL, NULL, d.epoch, d.attempt, d.max_attempts, NULL, NULL, NULL, false, NULL,
       {schema}.now_ms($1::bigint)
FROM {schema}.tasks_completed d
WHERE d.tenant_id = $2 AND d.id = $3 AND NOT EXISTS (SELECT 1 FROM live)
