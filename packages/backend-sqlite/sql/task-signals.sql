-- task-signals: The signals attached to a task since its latest suspend, in delivery order.
-- Parameters: task seq.
-- Returns: SignalRow[].
SELECT signal_id, key, payload, created_at FROM {{task_signals}} WHERE task_seq = ? ORDER BY n
