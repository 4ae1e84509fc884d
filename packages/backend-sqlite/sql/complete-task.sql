-- complete-task: Settle a leased task as completed.
-- Parameters: result (JSON), result kind, result bytes (SPEC W13), updated_at, seq.
-- Returns: nothing.
UPDATE {{tasks}} SET state = 'completed', concurrency_key = concurrency_key, lease_end = 'completed', result = ?, result_kind = ?, result_bytes = ?, lease_expires_at = NULL,
  worker_id = NULL, updated_at = ? WHERE seq = ?
