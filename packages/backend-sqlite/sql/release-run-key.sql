-- release-run-key: Release a key if this run holds it (SPEC W15).
-- Parameters: tenant, key, run pk.
-- Returns: nothing.
DELETE FROM {{run_keys}} WHERE tenant = ? AND key = ? AND run_pk = ?
