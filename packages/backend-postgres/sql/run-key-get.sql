-- run-key-get: the run holding a key of a tenant, and the value it claimed it with (SPEC W15).
-- Parameters: $1 tenant_id, $2 key
-- Returns: run_id, value; no row when no run holds it.
SELECT run_id, value
FROM {schema}.run_keys
WHERE tenant_id = $1 AND key = $2
