-- insert-run: Create a run in status pending.
-- Parameters: tenant, id, workflow_id, version, input (JSON), context (JSON), context kind (SPEC W13), created_at,
--   updated_at.
-- Returns: RunRow.
INSERT INTO {{runs}} (tenant, id, workflow_id, version, status, input, context, context_kind, created_at, updated_at)
VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?)
RETURNING pk, id, workflow_id, version, status, input, context, context_kind, latest_sequence, created_at, updated_at, completed_at
