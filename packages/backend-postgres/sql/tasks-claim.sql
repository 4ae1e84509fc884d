-- tasks-claim: grants one lease per slot on the claimable tasks of queues $3 in claim order
-- (priority, ready time, enqueue order), in one statement (SPEC E3, E4, E14, T2), when none of
-- the queues limits its claims. A slot is one lease a claim asked for; the claims of one moment
-- share the statement, each slot naming its claim's worker, so a worker pool costs one commit per
-- round, not per worker.
-- Each queue's candidates come from the claim index (sql/parts/claim-candidates.sql) and are
-- leased as sql/parts/lease-grant.sql says.
-- A queue that is not paused and has a concurrency limit (E17), a rate limit (E21) or tasks with
-- concurrency keys (E20) is limited: then this statement grants nothing and says so
-- (needs_lock), and the caller claims again with tasks-claim-limited under the queues' lock. So a
-- claim of queues that use none of them is planned and run without their parts (the plan of a
-- statement is made at every execution, and those parts cost a fifth more planning).
-- A timed-out suspension is claimable at its timeout (E14).
-- Parameters: $1 now, $2 tenant_id, $3 queues (text[], distinct), $4 worker ids (text[], one
--   per slot), $5 lease_ms, $6 claim token, $7 lease ids (text[], one per slot)
-- Returns: one row per lease granted, in claim order (slot: 1 for the first, ..., id, queue,
--   payload, attempt, epoch, lease_id, worker_id, lease_expires_at, resume_signals,
--   resume_timed_out, concurrency_key: null here), or one row with a null id when none was; every
--   row carries suspended (the tenant is), needs_lock (a queue is limited) and has_expired (an
--   expired lease in these queues awaits reclaim).
WITH clock AS (SELECT {schema}.now_ms($1::bigint) AS now),
settings AS (
  SELECT q.queue, coalesce(s.paused, false) AS paused, (s.concurrency IS NOT NULL OR s.rate_max IS NOT NULL) AS limited
  FROM unnest($3::text[]) AS q(queue)
  LEFT JOIN {schema}.queues s ON s.tenant_id = $2 AND s.queue = q.queue
),
flags AS (
  SELECT
    EXISTS (SELECT 1 FROM {schema}.tenants WHERE id = $2 AND status = 'suspended') AS suspended,
    (EXISTS (SELECT 1 FROM {schema}.concurrency_keys k WHERE k.tenant_id = $2 AND k.queue = ANY ($3::text[]))
      OR EXISTS (SELECT 1 FROM settings WHERE limited AND NOT paused)) AS needs_lock,
    {part:claim-has-expired}
),
slots AS (
  SELECT s.queue, CASE WHEN s.paused THEN 0 ELSE cardinality($4::text[]) END AS keyless_slots
  FROM settings s CROSS JOIN flags f
  WHERE NOT f.suspended AND NOT f.needs_lock
),
{part:claim-candidates},
picked AS (SELECT row_id, slot FROM candidates),
{part:lease-grant}
SELECT g.slot, g.id, g.queue, g.payload, g.payload_kind, g.payload_bytes, g.attempt, g.epoch, g.lease_id, g.worker_id, g.lease_expires_at, g.resume_signals,
       g.resume_timed_out, g.concurrency_key, f.suspended, f.needs_lock, f.has_expired
FROM flags f
LEFT JOIN granted g ON true
ORDER BY g.slot
