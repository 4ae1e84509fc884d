-- complete-held: Fence and settle in one statement: completes the task only when the lease is the
-- current one (its epoch and its leaseId, SPEC T4), still held and unexpired, which is exactly when
-- the fence check of docs/decisions.md passes (state 'leased' implies neither cancelled nor revoked,
-- and epoch >= 1). No row means the fence did not pass and nothing was written: the caller runs the
-- full check for the precise error. For a lease that carries a concurrency key: the SET names
-- concurrency_key, so the key bookkeeping trigger runs (migration 0008).
-- Parameters: result (JSON), result kind, result bytes (SPEC W13), updated_at, tenant, id, epoch, lease_id, now.
-- Returns: CompletedRow or none.
UPDATE {{tasks}} SET state = 'completed', concurrency_key = concurrency_key, lease_end = 'completed', result = ?, result_kind = ?, result_bytes = ?, lease_expires_at = NULL,
  worker_id = NULL, updated_at = ?
WHERE tenant = ? AND id = ? AND epoch = ? AND lease_id = ? AND state = 'leased' AND lease_expires_at > ?
RETURNING seq, tenant, id, queue,
  (SELECT coalesce(q.concurrency, q.key_concurrency) FROM {{queues}} AS q WHERE q.tenant = {{tasks}}.tenant AND q.queue = {{tasks}}.queue) AS queue_concurrency,
  EXISTS (SELECT 1 FROM {{task_deps}} AS x WHERE x.dep_seq = {{tasks}}.seq) AS has_dependents
