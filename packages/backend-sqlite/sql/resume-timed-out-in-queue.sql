-- resume-timed-out-in-queue: Resume the suspended tasks of a queue whose timeout has come: ready
-- since their timeoutAt, the next lease carrying timedOut.
-- Parameters: tenant, queue, now.
-- Returns: { seq, id, queue }[].
UPDATE {{tasks}} SET state = 'ready', concurrency_key = concurrency_key, run_at = wait_timeout_at, resume = 'timeout',
  wait_keys = NULL, wait_mode = NULL, wait_timeout_at = NULL
WHERE tenant = ? AND queue = ? AND state = 'suspended' AND wait_timeout_at <= ?
RETURNING seq, id, queue
