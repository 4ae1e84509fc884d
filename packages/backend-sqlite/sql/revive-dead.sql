-- revive-dead: Make a dead task run again (retryDeadLetter, SPEC E12): ready or scheduled at run_at.
-- Names concurrency_key so that the key bookkeeping trigger counts the task again (migration 0008).
-- Parameters: state ('ready' | 'scheduled'), run_at, consumed, updated_at, seq.
-- Returns: nothing.
UPDATE {{tasks}} SET state = ?, concurrency_key = concurrency_key, run_at = ?, consumed = ?, dead_seq = NULL, updated_at = ? WHERE seq = ?
