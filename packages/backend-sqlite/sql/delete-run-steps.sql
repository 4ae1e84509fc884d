-- delete-run-steps:
-- Parameters: run pk.
-- Returns: nothing.
DELETE FROM {{steps}} WHERE run_pk = ?
