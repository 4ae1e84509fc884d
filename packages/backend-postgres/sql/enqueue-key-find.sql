-- enqueue-key-find: the task holding an idempotency key (SPEC E2).
-- Parameters: $1 tenant_id, $2 queue, $3 key
-- Returns: task_id; no row when the key is free.
SELECT task_id
FROM {schema}.enqueue_keys
WHERE tenant_id = $1 AND queue = $2 AND key = $3
