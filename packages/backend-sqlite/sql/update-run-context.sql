-- update-run-context: Replace a run's context.
-- Parameters: context (JSON), context kind (SPEC W13), updated_at, pk.
-- Returns: RunRow.
UPDATE {{runs}} SET context = ?, context_kind = ?, updated_at = ? WHERE pk = ?
RETURNING pk, id, workflow_id, version, status, input, context, context_kind, latest_sequence, created_at, updated_at, completed_at
