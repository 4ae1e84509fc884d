-- revive-dead: Make a dead task ready again.
-- Parameters: run_at, consumed, updated_at, seq.
-- Returns: nothing.
UPDATE {{tasks}} SET state = 'ready', concurrency_key = concurrency_key, run_at = ?, consumed = ?, dead_seq = NULL, updated_at = ? WHERE seq = ?
