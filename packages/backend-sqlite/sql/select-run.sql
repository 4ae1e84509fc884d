-- select-run: One run.
-- Parameters: tenant, id.
-- Returns: RunRow or none.
SELECT pk, id, workflow_id, version, status, input, context, context_kind, latest_sequence, created_at, updated_at, completed_at
FROM {{runs}} WHERE tenant = ? AND id = ?
