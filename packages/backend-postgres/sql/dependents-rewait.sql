-- dependents-rewait: a replayed completed task (SPEC E26) is not completed any more, so each of
-- its dependents still blocked waits for it again: one pending dependency more (its completion
-- took one off, or the dependent was enqueued while it was completed and did not count it), which
-- its next completion takes off exactly once (dependents-release). Dependents it released are
-- not blocked and stay as they are. While one waits for it, the task has dependents to release
-- or cancel (has_dependents). Run after task-restore, a statement of its own: its snapshot then
-- sees the dependent of an enqueue that held the completed row until it committed (see
-- dependencies-lock), which task-restore waited for.
-- Parameters: $1 tenant_id, $2 id (the replayed task, back in `tasks`)
-- Returns: id of each dependent that waits for it again.
WITH waiting AS (
  UPDATE {schema}.tasks t
  SET pending_deps = t.pending_deps + 1
  FROM {schema}.task_dependencies d
  WHERE d.tenant_id = $1 AND d.depends_on = $2 AND t.tenant_id = $1 AND t.id = d.task_id AND t.state = 'blocked'
  RETURNING t.id
),
marked AS (
  UPDATE {schema}.tasks
  SET has_dependents = true
  WHERE tenant_id = $1 AND id = $2 AND EXISTS (SELECT 1 FROM waiting)
  RETURNING id
)
SELECT w.id FROM waiting w
