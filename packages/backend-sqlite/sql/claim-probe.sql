-- claim-probe: Everything claim reads about one queue before it writes, in one statement of index
-- probes: the tenant's status, the queue's settings (E17, E20, E21), whether the queue has
-- concurrency keys (then claim grants one task at a time in fair order), and whether any expired
-- lease, due scheduled task or timed-out suspension needs handling first (so the statements that
-- handle them run only then). The queue's settings are one probe of its row.
-- Parameters: { tenant, queue, now }.
-- Returns: ClaimProbeRow.
SELECT
  (SELECT status FROM {{tenants}} WHERE id = @tenant) AS tenant_status,
  s.concurrency, coalesce(s.paused, 0) AS paused, s.key_concurrency, s.rate_max, s.rate_per_ms,
  EXISTS (SELECT 1 FROM {{concurrency_keys}} WHERE tenant = @tenant AND queue = @queue) AS has_keys,
  EXISTS (SELECT 1 FROM {{tasks}} WHERE tenant = @tenant AND queue = @queue AND state = 'leased' AND lease_expires_at <= @now) AS expired,
  EXISTS (SELECT 1 FROM {{tasks}} WHERE tenant = @tenant AND queue = @queue AND state = 'scheduled' AND run_at <= @now) AS due,
  EXISTS (SELECT 1 FROM {{tasks}} WHERE tenant = @tenant AND queue = @queue AND state = 'suspended' AND wait_timeout_at <= @now) AS timed_out
FROM (SELECT 1) LEFT JOIN {{queues}} s ON s.tenant = @tenant AND s.queue = @queue
