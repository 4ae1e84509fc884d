-- detach-signals:
-- Parameters: task seq.
-- Returns: nothing.
DELETE FROM {{task_signals}} WHERE task_seq = ?
