-- runs-list-desc: one page of runs, newest first, of one status or all (SPEC W14, C5).
-- Parameters: $1 tenant_id, $2 before (the seq of the previous page's last run; null for the first),
--   $3 limit (page size + 1), $4 status (null: every status)
-- Returns: the run's columns and seq (the cursor key).
SELECT id, workflow_id, version, status, input, context, context_kind, created_at, updated_at, completed_at, latest_sequence, seq
FROM {schema}.runs
WHERE tenant_id = $1 AND ($2::bigint IS NULL OR seq < $2::bigint) AND ($4::text IS NULL OR status = $4::text)
ORDER BY seq DESC
LIMIT $3
