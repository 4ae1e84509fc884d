-- tasks-complete: completes a batch of leases in one statement (SPEC E7), the completions of one
-- moment coalesced (batch completion). A lease is applied only while it is its task's current,
-- unexpired lease (E5, T4): each task is read by its primary key and judged (epoch, leaseId,
-- state, expiry),
-- then that very row version is moved by its address to tasks_completed (migrations 0002, 0011), so the
-- statement reads the batch's rows and nothing else. A row that a concurrent call changed
-- meanwhile is a new version: the move skips it and the caller judges it from its current state.
-- Tasks with dependents are left to task-complete, which releases them in the same transaction
-- (E16).
-- Parameters: $1 now, $2 tenant_ids (text[]), $3 ids (text[]), $4 epochs (bigint[]),
--   $5 results (json[]), $6 channel, $7 lease_ids (text[]), $8 result kinds (text[]), $9 result bytes
--   (bytea[]) (core's stored form, SPEC W13)
-- Returns: tenant_id, id, epoch and lease_id of each lease applied (two calls for one task in one
--   batch, a stale or forged lease and the current one, are told apart by epoch and leaseId).
WITH clock AS (SELECT {schema}.now_ms($1::bigint) AS now),
input AS (
  SELECT * FROM unnest($2::text[], $3::text[], $4::bigint[], $5::json[], $7::text[], $8::text[], $9::bytea[])
    AS i(tenant_id, id, epoch, result, lease_id, result_kind, result_bytes)
),
-- The judgement is made outside the key lookup (whose LIMIT keeps it one index probe per input
-- row) and the update names no indexed state, so no plan can walk the index of held leases, whose
-- dead entries grow with the load.
found AS (
  SELECT i.result, i.result_kind, i.result_bytes, k.row_id, k.row_version
  FROM input i
  CROSS JOIN LATERAL (
    SELECT t.ctid AS row_id, t.xmin AS row_version, t.state, t.epoch, t.lease_id, t.lease_expires_at, t.has_dependents
    FROM {schema}.tasks t WHERE t.tenant_id = i.tenant_id AND t.id = i.id LIMIT 1
  ) k
  WHERE k.epoch = i.epoch AND k.lease_id = i.lease_id AND k.state = 'leased' AND k.lease_expires_at > (SELECT now FROM clock) AND NOT k.has_dependents
),
moved AS (
  DELETE FROM {schema}.tasks t
  USING found f
  -- The version judged (its address and creating transaction), and no other.
  WHERE t.ctid = f.row_id AND t.xmin = f.row_version
  RETURNING t.tenant_id, t.id, t.queue, t.payload, t.payload_kind, t.payload_bytes, t.priority, t.run_at, t.max_attempts, t.attempt, t.epoch, t.lease_id,
            t.last_error, f.result, f.result_kind, f.result_bytes, t.progress, t.run_id, t.idempotency_key, t.created_at, t.concurrency_key,
            t.seq, t.replays, t.backoff_base_ms, t.backoff_factor, t.backoff_max_ms
),
done AS (
  INSERT INTO {schema}.tasks_completed (
    tenant_id, id, queue, payload, payload_kind, payload_bytes, priority, run_at, max_attempts, attempt, epoch, lease_id,
    last_error, result, result_kind, result_bytes, progress, run_id, idempotency_key, created_at, updated_at, concurrency_key,
    seq, replays, backoff_base_ms, backoff_factor, backoff_max_ms)
  SELECT m.tenant_id, m.id, m.queue, m.payload, m.payload_kind, m.payload_bytes, m.priority, m.run_at, m.max_attempts, m.attempt, m.epoch, m.lease_id,
         m.last_error, m.result, m.result_kind, m.result_bytes, m.progress, m.run_id, m.idempotency_key, m.created_at, c.now, m.concurrency_key,
         m.seq, m.replays, m.backoff_base_ms, m.backoff_factor, m.backoff_max_ms
  FROM moved m CROSS JOIN clock c
  RETURNING tenant_id, id, epoch, lease_id, queue, updated_at AS now
),
notified AS (
  SELECT pg_notify($6, json_build_object('t', d.tenant_id, 'k', 'completed', 'q', d.queue, 'i', d.id, 'a', d.now)::text)
  FROM done d
  -- The listening tenants are read once for the whole batch.
  WHERE d.tenant_id = ANY (ARRAY(SELECT l.tenant_id FROM {schema}.listeners l WHERE l.topic = 'completed'))
)
SELECT d.tenant_id, d.id, d.epoch, d.lease_id, (SELECT count(*) FROM notified) AS notified
FROM done d
