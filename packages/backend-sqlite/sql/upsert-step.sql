-- upsert-step: Insert a step, or replace every field of an existing one but its position and
-- created_at.
-- Parameters: run pk, id, position, status, name, input, output, error (JSON), created_at,
--   updated_at.
-- Returns: StepRow.
INSERT INTO {{steps}} (run_pk, id, position, status, name, input, output, error, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (run_pk, id) DO UPDATE SET
  status = excluded.status, name = excluded.name, input = excluded.input, output = excluded.output,
  error = excluded.error, updated_at = excluded.updated_at
RETURNING id, position, status, name, input, output, error, created_at, updated_at
