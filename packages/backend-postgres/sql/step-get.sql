-- step-get: one step (SPEC W6).
-- Parameters: $1 tenant_id, $2 run_id, $3 id
-- Returns: the step's columns; no row when absent.
SELECT run_id, id, status, name, input, output, error, position, created_at, updated_at
FROM {schema}.steps
WHERE tenant_id = $1 AND run_id = $2 AND id = $3
