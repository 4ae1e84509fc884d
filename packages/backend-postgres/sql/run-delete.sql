-- run-delete: removes a run; its steps, events and snapshots go with it (ON DELETE CASCADE, SPEC W5).
-- Parameters: $1 tenant_id, $2 id
-- Returns: one row when the run existed.
DELETE FROM {schema}.runs
WHERE tenant_id = $1 AND id = $2
RETURNING id
