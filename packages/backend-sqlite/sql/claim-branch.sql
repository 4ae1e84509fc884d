-- claim-branch: one queue's candidates in claim order, read from the tasks_ready_keyless index: O(log n + limit); the claim joins one per queue with UNION ALL. Only queues without concurrency keys are claimed this way, so their ready tasks are all keyless.
-- Parameters: tenant, queue, now, that queue's limit
-- Returns: nothing alone: a fragment of the claim statement
SELECT * FROM (SELECT seq, priority, run_at FROM {{tasks}} INDEXED BY {{tasks_ready_keyless}}
  WHERE tenant = ? AND queue = ? AND state = 'ready' AND concurrency_key IS NULL AND run_at <= ?
  ORDER BY priority DESC, run_at, seq LIMIT ? + 0)
