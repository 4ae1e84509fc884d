-- list-runs-by-status: A page of runs of one status in creation order.
-- Parameters: tenant, status, after pk, limit.
-- Returns: RunRow[].
SELECT pk, id, workflow_id, version, status, input, context, context_kind, latest_sequence, created_at, updated_at, completed_at
FROM {{runs}} WHERE tenant = ? AND status = ? AND pk > ? ORDER BY pk LIMIT ? + 0
