-- run-get: one run.
-- Parameters: $1 tenant_id, $2 id
-- Returns: the run's columns; no row when absent.
SELECT id, workflow_id, version, status, input, context, context_kind, created_at, updated_at, completed_at, latest_sequence
FROM {schema}.runs
WHERE tenant_id = $1 AND id = $2
