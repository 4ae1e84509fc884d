-- complete-task: Settle a leased task as completed.
-- Parameters: result (JSON), updated_at, seq.
-- Returns: nothing.
UPDATE {{tasks}} SET state = 'completed', lease_end = 'completed', result = ?, lease_expires_at = NULL,
  worker_id = NULL, updated_at = ? WHERE seq = ?
