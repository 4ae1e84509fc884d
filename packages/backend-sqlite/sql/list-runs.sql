-- list-runs: A page of runs in creation order.
-- Parameters: tenant, after pk (0 for the first page), limit.
-- Returns: RunRow[].
SELECT pk, id, workflow_id, version, status, input, context, context_kind, latest_sequence, created_at, updated_at, completed_at
FROM {{runs}} WHERE tenant = ? AND pk > ? ORDER BY pk LIMIT ? + 0
