-- set-progress: Record progress.
-- Parameters: progress (JSON), updated_at, seq.
-- Returns: nothing.
UPDATE {{tasks}} SET progress = ?, updated_at = ? WHERE seq = ?
