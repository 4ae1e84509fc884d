-- select-task: One task by id, with its queue's concurrency limit, else its key limit (null: neither),
-- which a holder call that ends the lease needs to decide whether to wake the queue's waiters.
-- Parameters: tenant, id.
-- Returns: TaskRow with queue_concurrency, or none.
SELECT t.*, (SELECT coalesce(q.concurrency, q.key_concurrency) FROM {{queues}} AS q WHERE q.tenant = t.tenant AND q.queue = t.queue) AS queue_concurrency
FROM {{tasks}} AS t WHERE t.tenant = ? AND t.id = ?
