-- queue-settings: A queue's settings.
-- Parameters: tenant, queue.
-- Returns: { concurrency, paused, key_concurrency, rate_max, rate_per_ms } or none.
SELECT concurrency, paused, key_concurrency, rate_max, rate_per_ms FROM {{queues}} WHERE tenant = ? AND queue = ?
