-- select-step: One step.
-- Parameters: run pk, step id.
-- Returns: StepRow or none.
SELECT id, position, status, name, input, output, error, created_at, updated_at FROM {{steps}} WHERE run_pk = ? AND id = ?
