-- task-get: one task with its pending dependencies (SPEC E13, E16); the caller derives the
-- effective state from the stored one and now (docs/decisions.md).
-- Parameters: $1 now, $2 tenant_id, $3 id
-- Returns: the task's record columns, pending_dependencies (text[]) and now; no row when absent.
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
       c.now
FROM {schema}.tasks t CROSS JOIN clock c
WHERE t.tenant_id = $2 AND t.id = $3
