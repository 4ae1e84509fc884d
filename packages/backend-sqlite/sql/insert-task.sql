-- insert-task: Insert a task. A task with a concurrency key joins its key's row by trigger (migration 0004).
-- Parameters: tenant, id, queue, state, payload (JSON), payload kind, payload bytes (SPEC W13), priority, run_at, max_attempts,
--   backoff_base_ms, backoff_factor, backoff_max_ms, pending_deps, cancel_reason, run_id,
--   idempotency_key, concurrency_key, created_at, updated_at.
-- Returns: { seq }.
INSERT INTO {{tasks}} (tenant, id, queue, state, payload, payload_kind, payload_bytes, priority, run_at, max_attempts, backoff_base_ms,
  backoff_factor, backoff_max_ms, pending_deps, cancel_reason, run_id, idempotency_key, concurrency_key, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
RETURNING seq
