-- complete-held-keyless: complete-held for a lease without a concurrency key, the common case. Its
-- SET does not name concurrency_key, so no key bookkeeping trigger is compiled into it (migration
-- 0008), and it matches only a task without a key: a keyed task whose lease lost its
-- concurrencyKey matches nothing, and the caller's full fence check then settles it by
-- complete-task, which runs the trigger.
-- Parameters: result (JSON), result kind, result bytes (SPEC W13), updated_at, tenant, id, epoch, lease_id, now.
-- Returns: CompletedRow or none.
UPDATE {{tasks}} SET state = 'completed', lease_end = 'completed', result = ?, result_kind = ?, result_bytes = ?, lease_expires_at = NULL,
  worker_id = NULL, updated_at = ?
WHERE tenant = ? AND id = ? AND epoch = ? AND lease_id = ? AND state = 'leased' AND lease_expires_at > ? AND concurrency_key IS NULL
RETURNING seq, tenant, id, queue,
  (SELECT coalesce(q.concurrency, q.key_concurrency) FROM {{queues}} AS q WHERE q.tenant = {{tasks}}.tenant AND q.queue = {{tasks}}.queue) AS queue_concurrency,
  EXISTS (SELECT 1 FROM {{task_deps}} AS x WHERE x.dep_seq = {{tasks}}.seq) AS has_dependents
