-- cancel-task: Cancel a task (its lease, if any, is revoked by the state itself).
-- Parameters: cancel_reason, updated_at, seq.
-- Returns: nothing.
UPDATE {{tasks}} SET state = 'cancelled', concurrency_key = concurrency_key, cancel_reason = ?, lease_expires_at = NULL, worker_id = NULL,
  wait_keys = NULL, wait_mode = NULL, wait_timeout_at = NULL, updated_at = ? WHERE seq = ?
