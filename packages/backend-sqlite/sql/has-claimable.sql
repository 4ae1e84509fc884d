-- has-claimable: Whether a queue holds a task claimable now (ready, due, or timed out).
-- Parameters: tenant, queue, now, tenant, queue, now, tenant, queue, now.
-- Returns: { found }.
SELECT EXISTS (SELECT 1 FROM {{tasks}} WHERE tenant = ? AND queue = ? AND state = 'ready' AND run_at <= ?)
    OR EXISTS (SELECT 1 FROM {{tasks}} WHERE tenant = ? AND queue = ? AND state = 'scheduled' AND run_at <= ?)
    OR EXISTS (SELECT 1 FROM {{tasks}} WHERE tenant = ? AND queue = ? AND state = 'suspended' AND wait_timeout_at <= ?)
  AS found
