-- dependents-release: tasks completed, so their blocked dependents have that many pending
-- dependencies less; those with none left become queued, not before their runAt (SPEC E16).
-- Parameters: $1 now, $2 tenant_id, $3 completed task ids (text[])
-- Returns: id, queue, state of each dependent changed.
UPDATE {schema}.tasks t
SET pending_deps = t.pending_deps - d.n,
    state = CASE WHEN t.pending_deps - d.n <= 0 THEN 'queued' ELSE t.state END,
    run_at = CASE WHEN t.pending_deps - d.n <= 0 THEN greatest(t.run_at, $1::bigint) ELSE t.run_at END,
    ready_at = CASE WHEN t.pending_deps - d.n <= 0 THEN greatest(t.run_at, $1::bigint) END,
    updated_at = CASE WHEN t.pending_deps - d.n <= 0 THEN $1::bigint ELSE t.updated_at END
FROM (
  SELECT task_id, count(*) AS n
  FROM {schema}.task_dependencies
  WHERE tenant_id = $2 AND depends_on = ANY ($3::text[])
  GROUP BY task_id
) d
WHERE t.tenant_id = $2 AND t.id = d.task_id AND t.state = 'blocked'
RETURNING t.id, t.queue, t.state
