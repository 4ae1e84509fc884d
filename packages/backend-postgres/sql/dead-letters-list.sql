-- dead-letters-list: one page of dead tasks in the order they died, optionally of one queue (SPEC E12, C5).
-- Parameters: $1 now, $2 tenant_id, $3 after (death order of the previous page's last task; 0 for
--   the first), $4 queue (null: every queue), $5 limit (page size + 1)
-- Returns: the columns of task-get, and death_seq (the cursor key).
WITH clock AS (SELECT {schema}.now_ms($1::bigint) AS now)
SELECT t.id, t.queue, t.state, t.payload, t.attempt, t.max_attempts, t.epoch, t.priority, t.run_at, t.lease_expires_at,
       t.worker_id, t.last_error, t.result, t.progress, t.cancel_reason, t.run_id, t.idempotency_key, t.created_at,
       t.updated_at, t.suspend_timeout_at,
       ARRAY(
         SELECT d.depends_on
         FROM {schema}.task_dependencies d
         JOIN {schema}.tasks dt ON dt.tenant_id = d.tenant_id AND dt.id = d.depends_on
         WHERE d.tenant_id = t.tenant_id AND d.task_id = t.id AND dt.state <> 'completed'
         ORDER BY d.ordinal
       ) AS pending_dependencies,
       c.now, t.death_seq
FROM {schema}.tasks t CROSS JOIN clock c
WHERE t.tenant_id = $2 AND t.state = 'dead' AND t.death_seq > $3 AND ($4::text IS NULL OR t.queue = $4::text)
ORDER BY t.death_seq
LIMIT $5
