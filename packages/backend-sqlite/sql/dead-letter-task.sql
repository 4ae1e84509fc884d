-- dead-letter-task: Dead-letter a task; dead_seq orders the tenant's dead letters.
-- Parameters: consumed, last_error (JSON), lease_end, tenant, updated_at, seq.
-- Returns: nothing.
UPDATE {{tasks}} SET state = 'dead', concurrency_key = concurrency_key, consumed = ?, last_error = ?, lease_end = ?,
  dead_seq = (SELECT coalesce(max(dead_seq), 0) + 1 FROM {{tasks}} WHERE tenant = ? AND state = 'dead'),
  lease_expires_at = NULL, worker_id = NULL, wait_keys = NULL, wait_mode = NULL, wait_timeout_at = NULL,
  updated_at = ? WHERE seq = ?
