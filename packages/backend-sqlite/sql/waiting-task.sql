-- waiting-task: One task, when it is suspended on a key and its timeout has not come: where a
-- waitpoint's signal goes at once (SPEC E25).
-- Parameters: tenant, key, task seq, now.
-- Returns: WaitingTaskRow, or no row.
SELECT t.seq, t.id, t.queue, t.wait_keys, t.wait_mode
FROM {{task_waits}} AS w JOIN {{tasks}} AS t ON t.seq = w.task_seq
WHERE w.tenant = ? AND w.key = ? AND w.task_seq = ? AND t.state = 'suspended' AND (t.wait_timeout_at IS NULL OR t.wait_timeout_at > ?)
