-- delete-run-events:
-- Parameters: run pk.
-- Returns: nothing.
DELETE FROM {{events}} WHERE run_pk = ?
