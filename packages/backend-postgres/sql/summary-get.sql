-- summary-get: the summary of one attempt of a task (SPEC E28).
-- Parameters: $1 tenant_id, $2 task_id, $3 attempt (null: the task's latest)
-- Returns: attempt, summary, updated_at; no row when that attempt has none or the task is unknown.
SELECT s.attempt, s.summary, s.updated_at
FROM {schema}.task_summaries s
WHERE s.tenant_id = $1 AND s.task_id = $2
  AND s.attempt = coalesce($3::bigint, (
    SELECT t.attempt FROM {schema}.tasks t WHERE t.tenant_id = $1 AND t.id = $2
    UNION ALL
    SELECT d.attempt FROM {schema}.tasks_completed d WHERE d.tenant_id = $1 AND d.id = $2))
