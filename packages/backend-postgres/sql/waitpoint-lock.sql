-- waitpoint-lock: locks the waitpoint a verified token names (SPEC E25), so that two deliveries
-- of one token take turns and the second finds it delivered.
-- Parameters: $1 tenant_id, $2 id
-- Returns: task_id, key, signal_id (null until it delivered); no row when the tenant has no such
--   waitpoint.
SELECT task_id, key, signal_id
FROM {schema}.waitpoints
WHERE tenant_id = $1 AND id = $2
FOR UPDATE
