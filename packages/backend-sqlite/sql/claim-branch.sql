-- claim-branch: one queue's candidates in claim order, read from the tasks_ready index: O(log n + limit); the claim joins one per queue with UNION ALL.
-- Parameters: tenant, queue, now, that queue's limit
-- Returns: nothing alone: a fragment of the claim statement
SELECT * FROM (SELECT seq, priority, run_at FROM {{tasks}}
  WHERE tenant = ? AND queue = ? AND state = 'ready' AND run_at <= ?
  ORDER BY priority DESC, run_at, seq LIMIT ? + 0)
