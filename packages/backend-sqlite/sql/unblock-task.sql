-- unblock-task: Release a blocked task whose dependencies completed.
-- Parameters: state ('ready' | 'scheduled'), run_at, updated_at, seq.
-- Returns: nothing.
UPDATE {{tasks}} SET state = ?, concurrency_key = concurrency_key, run_at = ?, updated_at = ? WHERE seq = ?
