-- runs-list: one page of runs in creation order (SPEC W5, C5).
-- Parameters: $1 tenant_id, $2 after (the seq of the previous page's last run; 0 for the first), $3 limit (page size + 1)
-- Returns: the run's columns and seq (the cursor key).
SELECT id, workflow_id, version, status, input, context, context_kind, created_at, updated_at, completed_at, latest_sequence, seq
FROM {schema}.runs
WHERE tenant_id = $1 AND seq > $2
ORDER BY seq
LIMIT $3
