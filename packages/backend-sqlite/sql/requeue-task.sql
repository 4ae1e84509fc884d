-- requeue-task: Put a task back in line (retry, release, revoke): ready or scheduled at run_at.
-- Parameters: state ('ready' | 'scheduled'), run_at, consumed, last_error (JSON), lease_end,
--   updated_at, seq.
-- Returns: nothing.
UPDATE {{tasks}} SET state = ?, concurrency_key = concurrency_key, run_at = ?, consumed = ?, last_error = ?, lease_end = ?,
  lease_expires_at = NULL, worker_id = NULL, updated_at = ? WHERE seq = ?
