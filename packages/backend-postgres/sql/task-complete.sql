-- task-complete: completes a locked task whose fence passed (SPEC E7, W11): the row moves to
-- tasks_completed (migration 0002) with its lease's leaseId, which E7's repeat is checked
-- against (migration 0003), and what a replay puts back (migration 0011).
-- Parameters: $1 now, $2 tenant_id, $3 id, $4 epoch, $5 result (json), $6 result kind, $7 result bytes (core's stored form, SPEC W13)
-- Returns: id, queue when completed.
WITH moved AS (
  DELETE FROM {schema}.tasks
  WHERE tenant_id = $2 AND id = $3 AND epoch = $4 AND state = 'leased'
  RETURNING tenant_id, id, queue, payload, payload_kind, payload_bytes, priority, run_at, max_attempts, attempt, epoch, lease_id, last_error, progress, concurrency_key,
            run_id, idempotency_key, created_at, seq, replays, backoff_base_ms, backoff_factor, backoff_max_ms
)
INSERT INTO {schema}.tasks_completed (
  tenant_id, id, queue, payload, payload_kind, payload_bytes, priority, run_at, max_attempts, attempt, epoch, lease_id, last_error,
  result, result_kind, result_bytes, progress, run_id, idempotency_key, created_at, updated_at, concurrency_key,
  seq, replays, backoff_base_ms, backoff_factor, backoff_max_ms)
SELECT m.tenant_id, m.id, m.queue, m.payload, m.payload_kind, m.payload_bytes, m.priority, m.run_at, m.max_attempts, m.attempt, m.epoch, m.lease_id,
       m.last_error, $5::json, $6::text, $7::bytea, m.progress, m.run_id, m.idempotency_key, m.created_at, $1::bigint, m.concurrency_key,
       m.seq, m.replays, m.backoff_base_ms, m.backoff_factor, m.backoff_max_ms
FROM moved m
RETURNING id, queue
