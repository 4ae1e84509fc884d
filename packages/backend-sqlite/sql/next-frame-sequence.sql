-- next-frame-sequence: The next frame sequence of a task's attempt.
-- Parameters: task seq, attempt.
-- Returns: { next }.
SELECT coalesce(max(sequence), 0) + 1 AS next FROM {{frames}} WHERE task_seq = ? AND attempt = ?
