-- suspend-task: Park a leased task until signals arrive.
-- Parameters: wait_keys (JSON array), wait_mode, wait_timeout_at, updated_at, seq.
-- Returns: nothing.
UPDATE {{tasks}} SET state = 'suspended', concurrency_key = concurrency_key, lease_end = 'suspended', wait_keys = ?, wait_mode = ?,
  wait_timeout_at = ?, resume = NULL, lease_expires_at = NULL, worker_id = NULL, updated_at = ? WHERE seq = ?
