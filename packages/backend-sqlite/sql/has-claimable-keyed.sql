-- has-claimable-keyed: Whether a queue with concurrency keys holds a task a claim could grant now
-- (E20): a keyless ready task, a key in the fair order, a blocked key whose earliest lease has
-- expired, or a due scheduled task or timed-out suspension. A stale head snapshot may answer yes
-- once: waitForWork is a hint, and the claim that follows corrects the snapshot.
-- Parameters: { tenant, queue, now }.
-- Returns: { found }.
SELECT EXISTS (SELECT 1 FROM {{tasks}} INDEXED BY {{tasks_ready_keyless}}
               WHERE tenant = @tenant AND queue = @queue AND state = 'ready' AND concurrency_key IS NULL AND run_at <= @now)
    OR EXISTS (SELECT 1 FROM {{concurrency_keys}} INDEXED BY {{concurrency_keys_fair}}
               WHERE tenant = @tenant AND queue = @queue AND head_seq IS NOT NULL AND blocked = 0)
    OR EXISTS (SELECT 1 FROM {{concurrency_keys}} INDEXED BY {{concurrency_keys_blocked}}
               WHERE tenant = @tenant AND queue = @queue AND blocked = 1 AND blocked_until <= @now)
    OR EXISTS (SELECT 1 FROM {{tasks}} WHERE tenant = @tenant AND queue = @queue AND state = 'scheduled' AND run_at <= @now)
    OR EXISTS (SELECT 1 FROM {{tasks}} WHERE tenant = @tenant AND queue = @queue AND state = 'suspended' AND wait_timeout_at <= @now)
  AS found
