-- read-frames: Frames of an attempt after a sequence, ascending.
-- Parameters: task seq, attempt, after, limit (-1: all).
-- Returns: FrameRow[].
SELECT attempt, sequence, data, data_kind, data_bytes, created_at FROM {{frames}} WHERE task_seq = ? AND attempt = ? AND sequence > ?
ORDER BY sequence LIMIT ? + 0
