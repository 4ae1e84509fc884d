-- resume-timed-out-task: Resume one suspended task whose timeout has come (as
-- RESUME_TIMED_OUT_IN_QUEUE, for one task).
-- Parameters: seq, now.
-- Returns: TaskRow or none (when it is not a due suspension).
UPDATE {{tasks}} SET state = 'ready', concurrency_key = concurrency_key, run_at = wait_timeout_at, resume = 'timeout',
  wait_keys = NULL, wait_mode = NULL, wait_timeout_at = NULL
WHERE seq = ? AND state = 'suspended' AND wait_timeout_at <= ?
RETURNING *
