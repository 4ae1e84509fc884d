-- update-run-context: Replace a run's context.
-- Parameters: context (JSON), updated_at, pk.
-- Returns: RunRow.
UPDATE {{runs}} SET context = ?, updated_at = ? WHERE pk = ?
RETURNING pk, id, workflow_id, version, status, input, context, latest_sequence, created_at, updated_at, completed_at
