-- update-run-status: Move a run's status.
-- Parameters: status, updated_at, completed_at (kept when null), pk.
-- Returns: RunRow.
UPDATE {{runs}} SET status = ?, updated_at = ?, completed_at = coalesce(completed_at, ?) WHERE pk = ?
RETURNING pk, id, workflow_id, version, status, input, context, context_kind, latest_sequence, created_at, updated_at, completed_at
