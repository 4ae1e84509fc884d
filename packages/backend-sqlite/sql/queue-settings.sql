-- queue-settings: A queue's settings.
-- Parameters: tenant, queue.
-- Returns: { concurrency, paused } or none.
SELECT concurrency, paused FROM {{queues}} WHERE tenant = ? AND queue = ?
