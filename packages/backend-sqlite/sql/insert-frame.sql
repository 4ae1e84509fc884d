-- insert-frame: Append a frame.
-- Parameters: task seq, attempt, sequence, data (JSON), created_at.
-- Returns: nothing.
INSERT INTO {{frames}} (task_seq, attempt, sequence, data, created_at) VALUES (?, ?, ?, ?, ?)
