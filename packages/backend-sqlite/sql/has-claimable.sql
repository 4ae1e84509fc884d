-- has-claimable: Whether a queue without a key limit holds a task claimable now (ready, with or
-- without a concurrency key, due, or timed out).
-- Parameters: { tenant, queue, now }.
-- Returns: { found }.
SELECT EXISTS (SELECT 1 FROM {{tasks}} INDEXED BY {{tasks_ready_keyless}}
               WHERE tenant = @tenant AND queue = @queue AND state = 'ready' AND concurrency_key IS NULL AND run_at <= @now)
    OR EXISTS (SELECT 1 FROM {{tasks}} INDEXED BY {{tasks_ready_by_key}}
               WHERE tenant = @tenant AND queue = @queue AND state = 'ready' AND concurrency_key IS NOT NULL AND run_at <= @now)
    OR EXISTS (SELECT 1 FROM {{tasks}} WHERE tenant = @tenant AND queue = @queue AND state = 'scheduled' AND run_at <= @now)
    OR EXISTS (SELECT 1 FROM {{tasks}} WHERE tenant = @tenant AND queue = @queue AND state = 'suspended' AND wait_timeout_at <= @now)
  AS found
