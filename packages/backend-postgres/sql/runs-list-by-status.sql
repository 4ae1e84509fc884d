-- runs-list-by-status: one page of the runs of one status in creation order (SPEC W5, C5).
-- Parameters: $1 tenant_id, $2 after (seq; 0 for the first page), $3 limit (page size + 1), $4 status
-- Returns: the run's columns and seq (the cursor key).
SELECT id, workflow_id, version, status, input, context, context_kind, created_at, updated_at, completed_at, latest_sequence, seq
FROM {schema}.runs
WHERE tenant_id = $1 AND status = $4 AND seq > $2
ORDER BY seq
LIMIT $3
