-- resume-on-signals: Resume a suspended task whose signals arrived: ready at run_at, the next lease
-- carrying them.
-- Parameters: run_at, updated_at, seq.
-- Returns: nothing.
UPDATE {{tasks}} SET state = 'ready', concurrency_key = concurrency_key, run_at = ?, resume = 'signals', wait_keys = NULL, wait_mode = NULL,
  wait_timeout_at = NULL, updated_at = ? WHERE seq = ?
