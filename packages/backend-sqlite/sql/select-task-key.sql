-- select-task-key: The live task id an idempotency key names.
-- Parameters: tenant, queue, key, now.
-- Returns: { task_id } or none.
SELECT task_id FROM {{task_keys}} WHERE tenant = ? AND queue = ? AND key = ? AND expires_at > ?
