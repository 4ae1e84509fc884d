-- dependencies-lock: locks the dependencies of a task being enqueued and marks them as having
-- dependents (SPEC E16). Their settlement then waits for this enqueue to commit and takes the
-- path that releases or cancels dependents, so none is left blocked by a race. A completed
-- dependency is read from tasks_completed, its row key-share locked: a replay (SPEC E26, task-restore)
-- moving it back waits for this enqueue to commit, and then counts the new dependent among those
-- that wait for it again (dependents-rewait). One that a concurrent transaction completed, or
-- replayed, while this one waited for its row reads as absent here: the caller reads again.
-- Parameters: $1 tenant_id, $2 ids (text[], distinct, sorted)
-- Returns: id, state of each dependency that exists.
WITH marked AS (
  UPDATE {schema}.tasks
  SET has_dependents = true
  WHERE tenant_id = $1 AND id = ANY ($2::text[])
  RETURNING id, state
),
done AS (
  SELECT d.id FROM {schema}.tasks_completed d WHERE d.tenant_id = $1 AND d.id = ANY ($2::text[])
  FOR KEY SHARE
)
SELECT id, state FROM marked
UNION ALL
SELECT id, 'completed' FROM done
