-- delete-waits:
-- Parameters: task seq.
-- Returns: nothing.
DELETE FROM {{task_waits}} WHERE task_seq = ?
