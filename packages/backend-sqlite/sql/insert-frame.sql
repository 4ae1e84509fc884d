-- insert-frame: Append a frame.
-- Parameters: task seq, attempt, sequence, data (JSON), data kind, data bytes (SPEC W13), created_at.
-- Returns: nothing.
INSERT INTO {{frames}} (task_seq, attempt, sequence, data, data_kind, data_bytes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
