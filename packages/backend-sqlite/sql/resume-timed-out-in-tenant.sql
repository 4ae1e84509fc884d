-- resume-timed-out-in-tenant: The same for every queue of a tenant (reclaimExpired).
-- Parameters: tenant, now.
-- Returns: { seq, id, queue }[].
UPDATE {{tasks}} SET state = 'ready', concurrency_key = concurrency_key, run_at = wait_timeout_at, resume = 'timeout',
  wait_keys = NULL, wait_mode = NULL, wait_timeout_at = NULL
WHERE tenant = ? AND state = 'suspended' AND wait_timeout_at <= ?
RETURNING seq, id, queue
