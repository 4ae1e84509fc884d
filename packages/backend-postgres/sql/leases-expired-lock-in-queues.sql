-- leases-expired-lock-in-queues: leases-expired-lock confined to the queues a claim reads (the
-- claim-side reclaim of docs/decisions.md).
-- Parameters: $1 now, $2 tenant_id, $3 limit, $4 queues (text[])
-- Returns: as leases-expired-lock.
WITH clock AS (SELECT {schema}.now_ms($1::bigint) AS now)
SELECT t.id, t.queue, t.attempt, t.max_attempts, t.backoff_base_ms, t.backoff_factor, t.backoff_max_ms,
       t.has_dependents, c.now
FROM {schema}.tasks t CROSS JOIN clock c
WHERE t.tenant_id = $2 AND t.queue = ANY ($4::text[]) AND t.state = 'leased' AND t.lease_expires_at <= c.now
ORDER BY t.lease_expires_at, t.seq
LIMIT $3
FOR UPDATE OF t SKIP LOCKED
