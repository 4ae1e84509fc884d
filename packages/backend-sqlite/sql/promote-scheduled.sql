-- promote-scheduled: Make the due scheduled tasks of a queue ready (their ready time is their
-- run_at).
-- Parameters: tenant, queue, now.
-- Returns: nothing.
UPDATE {{tasks}} SET state = 'ready', concurrency_key = concurrency_key WHERE tenant = ? AND queue = ? AND state = 'scheduled' AND run_at <= ?
