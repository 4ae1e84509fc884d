-- attach-signal: Attach a signal to a task, after those it holds.
-- Parameters: task seq, task seq, signal id, key, payload (JSON), created_at.
-- Returns: nothing.
INSERT INTO {{task_signals}} (task_seq, n, signal_id, key, payload, created_at)
VALUES (?, (SELECT coalesce(max(n), 0) + 1 FROM {{task_signals}} WHERE task_seq = ?), ?, ?, ?, ?)
