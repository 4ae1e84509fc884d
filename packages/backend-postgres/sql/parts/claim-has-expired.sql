-- claim-has-expired: the has_expired column of the flags of tasks-claim and tasks-claim-limited:
-- whether a lease of the claimed queues has expired and awaits reclaim. Per queue, the oldest
-- lease's expiry only: one index probe each, however many leases are held or were recently
-- settled.
-- Uses: clock, settings (queue); $2 tenant_id
EXISTS (
  SELECT 1 FROM settings q
  CROSS JOIN LATERAL (
    SELECT 1 FROM {schema}.tasks t
    WHERE t.tenant_id = $2 AND t.queue = q.queue AND t.state = 'leased'
      AND t.lease_expires_at <= (SELECT now FROM clock)
    LIMIT 1
  ) e
) AS has_expired
