-- runs-list-of-workflow: one page of one workflow's runs in creation order, of one status or all (SPEC W14, C5).
-- Parameters: $1 tenant_id, $2 after (seq; 0 for the first page), $3 limit (page size + 1),
--   $4 status (null: every status), $5 workflow_id
-- Returns: the run's columns and seq (the cursor key).
SELECT id, workflow_id, version, status, input, context, context_kind, created_at, updated_at, completed_at, latest_sequence, seq
FROM {schema}.runs
WHERE tenant_id = $1 AND workflow_id = $5 AND seq > $2 AND ($4::text IS NULL OR status = $4::text)
ORDER BY seq
LIMIT $3
