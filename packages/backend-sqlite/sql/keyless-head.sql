-- keyless-head: The first ready task without a concurrency key of one queue, in E3 order (E20:
-- such a task is a key of its own, never granted). Read from tasks_ready_keyless: O(log n).
-- Parameters: tenant, queue, now.
-- Returns: { seq, priority, run_at } or none.
SELECT seq, priority, run_at FROM {{tasks}} INDEXED BY {{tasks_ready_keyless}}
WHERE tenant = ? AND queue = ? AND state = 'ready' AND concurrency_key IS NULL AND run_at <= ?
ORDER BY priority DESC, run_at, seq LIMIT 1
