-- task-restore: a replay of a completed task (SPEC E26) moves it back from tasks_completed into
-- `tasks` (migrations 0002, 0011), ready or scheduled at a time, as it was enqueued (its enqueue
-- order, priority, backoff, key and idempotency key) with its outcome cleared and its replays
-- counted. Its epoch, leaseId and attempt number stay (the next lease's epoch is above them, E5).
-- The last run's attempt counts as spent, so the next lease is one above it (its frames a stream
-- of their own), or, with reset, attempt 1 (appending after attempt 1's frames). Its dependents
-- still blocked wait for it again: dependents-rewait, run next in the same transaction, counts it
-- pending for them and sets has_dependents (false here: the dependents it released are not its
-- own to release or cancel again). Concurrent replays take turns on the completed row: the second
-- moves nothing.
-- Parameters: $1 now, $2 tenant_id, $3 id, $4 reset attempts (boolean), $5 run at (null: now),
--   $6 backoff_base_ms, $7 backoff_factor, $8 backoff_max_ms: the default for a task completed
--   before migration 0011, which kept no backoff
-- Returns: id, queue when moved.
WITH moved AS (
  DELETE FROM {schema}.tasks_completed
  WHERE tenant_id = $2 AND id = $3
  RETURNING *
)
INSERT INTO {schema}.tasks (
  tenant_id, id, seq, queue, payload, payload_kind, payload_bytes, priority, run_at, ready_at, max_attempts, backoff_base_ms,
  backoff_factor, backoff_max_ms, idempotency_key, run_id, state, consumed, attempt, epoch, lease_id, concurrency_key, replays,
  created_at, updated_at)
OVERRIDING SYSTEM VALUE
SELECT m.tenant_id, m.id, m.seq, m.queue, m.payload, m.payload_kind, m.payload_bytes, m.priority, coalesce($5::bigint, $1::bigint),
       coalesce($5::bigint, $1::bigint), m.max_attempts, coalesce(m.backoff_base_ms, $6::bigint), coalesce(m.backoff_factor, $7::double precision),
       coalesce(m.backoff_max_ms, $8::bigint), m.idempotency_key, m.run_id, 'queued',
       CASE WHEN $4::boolean THEN 0 ELSE m.attempt END, m.attempt, m.epoch, m.lease_id, m.concurrency_key,
       m.replays + 1, m.created_at, $1::bigint
FROM moved m
RETURNING id, queue
