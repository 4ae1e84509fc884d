-- insert-run: Create a run in status pending.
-- Parameters: tenant, id, workflow_id, version, input (JSON), context (JSON), created_at,
--   updated_at.
-- Returns: RunRow.
INSERT INTO {{runs}} (tenant, id, workflow_id, version, status, input, context, created_at, updated_at)
VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?)
RETURNING pk, id, workflow_id, version, status, input, context, latest_sequence, created_at, updated_at, completed_at
