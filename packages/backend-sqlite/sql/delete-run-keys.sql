-- delete-run-keys: Release every key of a run, when it is deleted or replaced (SPEC W15).
-- Parameters: run pk.
-- Returns: nothing.
DELETE FROM {{run_keys}} WHERE run_pk = ?
