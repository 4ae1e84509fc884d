-- upsert-task-key: Record (or renew an expired) idempotency key.
-- Parameters: tenant, queue, key, task id, expires_at.
-- Returns: nothing.
INSERT INTO {{task_keys}} (tenant, queue, key, task_id, expires_at) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (tenant, queue, key) DO UPDATE SET task_id = excluded.task_id, expires_at = excluded.expires_at
