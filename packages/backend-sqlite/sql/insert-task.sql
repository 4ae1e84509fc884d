-- insert-task: Insert a task.
-- Parameters: tenant, id, queue, state, payload (JSON), priority, run_at, max_attempts,
--   backoff_base_ms, backoff_factor, backoff_max_ms, pending_deps, cancel_reason, run_id,
--   idempotency_key, created_at, updated_at.
-- Returns: { seq }.
INSERT INTO {{tasks}} (tenant, id, queue, state, payload, priority, run_at, max_attempts, backoff_base_ms,
  backoff_factor, backoff_max_ms, pending_deps, cancel_reason, run_id, idempotency_key, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
RETURNING seq
