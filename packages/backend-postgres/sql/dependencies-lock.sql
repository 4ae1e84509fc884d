-- dependencies-lock: locks the dependencies of a task being enqueued and marks them as having
-- dependents (SPEC E16). Their settlement then waits for this enqueue to commit and takes the
-- path that releases or cancels dependents, so none is left blocked by a race.
-- Parameters: $1 tenant_id, $2 ids (text[], distinct, sorted)
-- Returns: id, state of each dependency that exists.
UPDATE {schema}.tasks
SET has_dependents = true
WHERE tenant_id = $1 AND id = ANY ($2::text[])
RETURNING id, state
