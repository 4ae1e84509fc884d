-- list-steps: A run's steps in first-insertion order.
-- Parameters: run pk.
-- Returns: StepRow[].
SELECT id, position, status, name, input, output, error, created_at, updated_at FROM {{steps}} WHERE run_pk = ? ORDER BY position
