-- signal-waiting-tasks: the tasks suspended on a key whose suspension has not timed out, in
-- enqueue order, locked (SPEC E15); with a task id, that task only (a waitpoint's, SPEC E25).
-- Parameters: $1 now, $2 tenant_id, $3 key, $4 task_id (null: every task)
-- Returns: id, queue, suspend_keys, suspend_mode, signals (jsonb) and now per task.
WITH clock AS (SELECT {schema}.now_ms($1::bigint) AS now)
SELECT t.id, t.queue, t.suspend_keys, t.suspend_mode, t.signals, c.now
FROM {schema}.tasks t CROSS JOIN clock c
WHERE t.tenant_id = $2 AND t.state = 'suspended' AND t.suspend_keys @> ARRAY[$3::text]
  AND ($4::text IS NULL OR t.id = $4)
  AND (t.suspend_timeout_at IS NULL OR t.suspend_timeout_at > c.now)
ORDER BY t.seq
FOR UPDATE OF t
