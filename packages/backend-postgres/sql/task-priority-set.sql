-- task-priority-set: gives a locked task that is not terminal a new priority (SPEC E26). The claim
-- indexes hold the priority, so claims order the task by it from the commit on, and the key's
-- ready head is offered again by the trigger of migration 0007 (E20); a lease, if any, is kept.
-- Parameters: $1 now, $2 tenant_id, $3 id, $4 priority
-- Returns: id, queue when applied.
UPDATE {schema}.tasks
SET priority = $4::bigint, updated_at = $1::bigint
WHERE tenant_id = $2 AND id = $3 AND state NOT IN ('completed', 'dead', 'cancelled')
RETURNING id, queue
