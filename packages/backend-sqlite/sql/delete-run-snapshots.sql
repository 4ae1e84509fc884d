-- delete-run-snapshots:
-- Parameters: run pk.
-- Returns: nothing.
DELETE FROM {{snapshots}} WHERE run_pk = ?
