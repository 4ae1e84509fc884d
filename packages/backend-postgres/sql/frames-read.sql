-- frames-read: the frames of one attempt of a task after a sequence, ascending (SPEC E18).
-- Parameters: $1 tenant_id, $2 task_id, $3 attempt (null: the task's latest), $4 after, $5 limit (null: all)
-- Returns: task_id, attempt, sequence, data, created_at per frame.
SELECT f.task_id, f.attempt, f.sequence, f.data, f.data_kind, f.data_bytes, f.created_at
FROM {schema}.frames f
WHERE f.tenant_id = $1 AND f.task_id = $2 AND f.sequence > $4
  AND f.attempt = coalesce($3::bigint, (
    SELECT t.attempt FROM {schema}.tasks t WHERE t.tenant_id = $1 AND t.id = $2
    UNION ALL
    SELECT d.attempt FROM {schema}.tasks_completed d WHERE d.tenant_id = $1 AND d.id = $2))
ORDER BY f.sequence
LIMIT $5
