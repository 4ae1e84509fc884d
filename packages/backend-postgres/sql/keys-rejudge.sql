-- keys-rejudge: judges the blocked keys of the claimed queues again, after a fair claim that picked
-- tasks its lease UPDATE could not see (tasks-claim-limited, unleased_picks): such a pick counted
-- against its key's keyConcurrency, which blocked the key until the pick's lease would have
-- expired. Run in the claim's transaction, whose leases this statement sees; a key whose
-- unexpired leases fill its limit is blocked again as it was. Rare (a race), and set-based.
-- Parameters: $1 now, $2 tenant_id, $3 queues (text[])
-- Returns: one row per queue (nothing to read).
SELECT q.queue, (SELECT count(*) FROM {schema}.judge_keys($2, q.queue, ARRAY(
         SELECT k.key FROM {schema}.concurrency_keys k WHERE k.tenant_id = $2 AND k.queue = q.queue AND k.blocked),
       {schema}.now_ms($1::bigint), s.key_concurrency, '{}'::tid[], NULL)) AS judged
FROM unnest($3::text[]) AS q(queue)
JOIN {schema}.queues s ON s.tenant_id = $2 AND s.queue = q.queue
