-- runs-list-of-workflow-desc: one page of one workflow's runs, newest first, of one status or all (SPEC W14, C5).
-- Parameters: $1 tenant_id, $2 before (seq; null for the first page), $3 limit (page size + 1),
--   $4 status (null: every status), $5 workflow_id
-- Returns: the run's columns and seq (the cursor key).
SELECT id, workflow_id, version, status, input, context, context_kind, created_at, updated_at, completed_at, latest_sequence, seq
FROM {schema}.runs
WHERE tenant_id = $1 AND workflow_id = $5 AND ($2::bigint IS NULL OR seq < $2::bigint) AND ($4::text IS NULL OR status = $4::text)
ORDER BY seq DESC
LIMIT $3
