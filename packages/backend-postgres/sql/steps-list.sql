-- steps-list: a run's steps in first-insertion order (SPEC W6).
-- Parameters: $1 tenant_id, $2 run_id
-- Returns: the steps' columns.
SELECT run_id, id, status, name, input, output, error, position, created_at, updated_at
FROM {schema}.steps
WHERE tenant_id = $1 AND run_id = $2
ORDER BY position
