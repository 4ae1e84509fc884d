-- key-head: The first ready task of one key in E3 order (FIFO inside a key), to check a key's
-- head snapshot against. Read from tasks_ready_by_key: O(log n).
-- Parameters: tenant, queue, key.
-- Returns: { seq, priority, run_at } or none.
SELECT seq, priority, run_at FROM {{tasks}} INDEXED BY {{tasks_ready_by_key}}
WHERE tenant = ? AND queue = ? AND concurrency_key = ? AND state = 'ready'
ORDER BY priority DESC, run_at, seq LIMIT 1
