-- leases-expired-lock: locks up to $3 expired leases of the tenant, oldest expiry first (SPEC
-- E10, E11). SKIP LOCKED gives concurrent sweepers and claimers disjoint sets, and a lease
-- renewed meanwhile no longer qualifies when its row is locked, so each expiry is handled once.
-- Parameters: $1 now, $2 tenant_id, $3 limit
-- Returns: id, queue, attempt, max_attempts, backoff_base_ms, backoff_factor, backoff_max_ms,
--   has_dependents, now per lease.
WITH clock AS (SELECT {schema}.now_ms($1::bigint) AS now)
SELECT t.id, t.queue, t.attempt, t.max_attempts, t.backoff_base_ms, t.backoff_factor, t.backoff_max_ms,
       t.has_dependents, c.now
FROM {schema}.tasks t CROSS JOIN clock c
WHERE t.tenant_id = $2 AND t.state = 'leased' AND t.lease_expires_at <= c.now
ORDER BY t.lease_expires_at, t.seq
LIMIT $3
FOR UPDATE OF t SKIP LOCKED
