-- sweep-task-keys: Forget a tenant's expired enqueue idempotency keys, at most 1000.
-- Parameters: tenant, now.
-- Returns: nothing.
DELETE FROM {{task_keys}} WHERE (tenant, queue, key) IN (
  SELECT tenant, queue, key FROM {{task_keys}} INDEXED BY {{task_keys_by_expiry}} WHERE tenant = ? AND expires_at <= ? LIMIT 1000)
