-- work-available: whether a claim on queues would grant something now: an active tenant, a ready
-- task in a queue that is neither paused nor at its concurrency limit nor at its rate limit
-- (SPEC E19, E21), keyless or of a key in the fair order or due to be judged again (E20; a key
-- at its limit is out of that order, so work only full keys hold wakes nobody). A key's snapshot
-- may be better than its real head (migration 0007): then this answers yes once, and the claim
-- that follows corrects the snapshot.
-- Parameters: $1 now, $2 tenant_id, $3 queues (text[])
-- Returns: one row: available.
WITH clock AS (SELECT {schema}.now_ms($1::bigint) AS now)
SELECT NOT EXISTS (SELECT 1 FROM {schema}.tenants WHERE id = $2 AND status = 'suspended')
   AND EXISTS (
     SELECT 1
     FROM unnest($3::text[]) AS q(queue)
     CROSS JOIN clock c
     LEFT JOIN {schema}.queues s ON s.tenant_id = $2 AND s.queue = q.queue
     WHERE NOT coalesce(s.paused, false)
       AND (s.concurrency IS NULL OR s.concurrency > (
         SELECT count(*) FROM {schema}.tasks l
         WHERE l.tenant_id = $2 AND l.queue = q.queue AND l.state = 'leased' AND l.lease_expires_at > c.now))
       AND (s.rate_max IS NULL OR s.rate_max > (
         SELECT count(*) FROM {schema}.rate_grants g
         WHERE g.tenant_id = $2 AND g.queue = q.queue AND g.granted_at > c.now - s.rate_per_ms))
       AND (EXISTS (SELECT 1 FROM {schema}.tasks t
                    WHERE t.tenant_id = $2 AND t.queue = q.queue AND t.ready_at <= c.now AND t.concurrency_key IS NULL)
         OR EXISTS (SELECT 1 FROM {schema}.concurrency_keys k
                    WHERE k.tenant_id = $2 AND k.queue = q.queue AND k.head_seq IS NOT NULL AND NOT k.blocked)
         OR EXISTS (SELECT 1 FROM {schema}.concurrency_keys k WHERE k.tenant_id = $2 AND k.queue = q.queue AND k.recheck_at <= c.now))
   ) AS available
