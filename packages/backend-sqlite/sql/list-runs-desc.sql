-- list-runs-desc: A page of runs, newest first, of one status or all (SPEC W14).
-- Parameters: tenant, status, status again (null: every status), before pk, limit.
-- Returns: RunRow[].
SELECT pk, id, workflow_id, version, status, input, context, context_kind, latest_sequence, created_at, updated_at, completed_at
FROM {{runs}} WHERE tenant = ? AND (? IS NULL OR status = ?) AND pk < ? ORDER BY pk DESC LIMIT ? + 0
