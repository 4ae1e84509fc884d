-- waiting-tasks: The tasks suspended on a key whose timeout has not come, in enqueue order.
-- Parameters: tenant, key, now.
-- Returns: WaitingTaskRow[].
SELECT t.seq, t.id, t.queue, t.wait_keys, t.wait_mode
FROM {{task_waits}} AS w JOIN {{tasks}} AS t ON t.seq = w.task_seq
WHERE w.tenant = ? AND w.key = ? AND t.state = 'suspended' AND (t.wait_timeout_at IS NULL OR t.wait_timeout_at > ?)
ORDER BY t.seq
