-- dependents-cancel: tasks died or were cancelled, so their blocked dependents are cancelled,
-- transitively (SPEC E16).
-- Parameters: $1 now, $2 tenant_id, $3 failed task ids (text[]), $4 cancel reason
-- Returns: id, queue of each task cancelled.
WITH RECURSIVE doomed (id) AS (
  SELECT d.task_id
  FROM {schema}.task_dependencies d
  JOIN {schema}.tasks t ON t.tenant_id = d.tenant_id AND t.id = d.task_id
  WHERE d.tenant_id = $2 AND d.depends_on = ANY ($3::text[]) AND t.state = 'blocked'
  UNION
  SELECT d.task_id
  FROM doomed
  JOIN {schema}.task_dependencies d ON d.tenant_id = $2 AND d.depends_on = doomed.id
  JOIN {schema}.tasks t ON t.tenant_id = d.tenant_id AND t.id = d.task_id
  WHERE t.state = 'blocked'
)
UPDATE {schema}.tasks t
SET state = 'cancelled', cancel_reason = $4, ready_at = NULL, updated_at = $1::bigint
WHERE t.tenant_id = $2 AND t.id IN (SELECT id FROM doomed) AND t.state = 'blocked'
RETURNING t.id, t.queue
