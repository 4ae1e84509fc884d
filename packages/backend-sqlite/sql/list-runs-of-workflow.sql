-- list-runs-of-workflow: A page of one workflow's runs in creation order, of one status or all (SPEC W14).
-- Parameters: tenant, workflow id, status, status again (null: every status), after pk, limit.
-- Returns: RunRow[].
SELECT pk, id, workflow_id, version, status, input, context, context_kind, latest_sequence, created_at, updated_at, completed_at
FROM {{runs}} WHERE tenant = ? AND workflow_id = ? AND (? IS NULL OR status = ?) AND pk > ? ORDER BY pk LIMIT ? + 0
