-- tasks-claim-limited: tasks-claim for queues that limit their claims (SPEC E17 concurrency, E20
-- concurrency keys, E21 rate limits), run by a caller that holds their settings rows (queues-lock)
-- in the same transaction, so that the claims of a limited queue take turns: the count of its
-- leases or of its interval's grants, and the grants the statement makes, are one transaction even
-- with several claim statements on several connections. Grants in claim order (priority, ready
-- time, enqueue order) with the same slots, locks and lease columns as tasks-claim.
-- A rate-limited queue grants at most rate_max minus the grants of the last rate_per_ms ms (a
-- sliding interval on the server's clock), records each lease it grants in rate_grants and deletes
-- the grants that left the interval.
-- A queue with concurrency keys is served by claim_fairly (migrations 0007, 0008), which picks the
-- slots' tasks in fair order (the first ones set-based); this statement leases them as it leases
-- the others.
-- Candidates and leases are tasks-claim's (sql/parts/). A timed-out suspension is claimable at
-- its timeout (E14).
-- Parameters: $1 now, $2 tenant_id, $3 queues (text[], distinct), $4 worker ids (text[], one
--   per slot), $5 lease_ms, $6 claim token, $7 lease ids (text[], one per slot)
-- claim_fairly's statements each see the tasks committed when they run, this statement's UPDATE
-- only those committed when it began: a task enqueued in between can be picked (its key then
-- judged with that pick) and not leased. unleased_picks says so; the caller then judges the
-- queues' blocked keys again (keys-rejudge), in the same transaction.
-- Returns: tasks-claim's rows (needs_lock is always false here) and unleased_picks.
WITH clock AS (SELECT {schema}.now_ms($1::bigint) AS now),
settings AS (
  SELECT q.queue, s.concurrency, coalesce(s.paused, false) AS paused, s.rate_max, s.rate_per_ms
  FROM unnest($3::text[]) AS q(queue)
  LEFT JOIN {schema}.queues s ON s.tenant_id = $2 AND s.queue = q.queue
),
flags AS (
  SELECT
    EXISTS (SELECT 1 FROM {schema}.tenants WHERE id = $2 AND status = 'suspended') AS suspended,
    false AS needs_lock,
    EXISTS (SELECT 1 FROM {schema}.concurrency_keys k WHERE k.tenant_id = $2 AND k.queue = ANY ($3::text[])) AS keyed,
    {part:claim-has-expired}
),
allowances AS (
  SELECT s.queue,
         CASE WHEN s.paused THEN 0
              ELSE least(
                CASE WHEN s.concurrency IS NULL THEN cardinality($4::text[])
                     ELSE greatest(0, least(cardinality($4::text[]), s.concurrency - (
                       SELECT count(*) FROM {schema}.tasks t
                       WHERE t.tenant_id = $2 AND t.queue = s.queue AND t.state = 'leased'
                         AND t.lease_expires_at > (SELECT now FROM clock))))
                END,
                CASE WHEN s.rate_max IS NULL THEN cardinality($4::text[])
                     ELSE greatest(0, s.rate_max - (
                       SELECT count(*) FROM {schema}.rate_grants g
                       WHERE g.tenant_id = $2 AND g.queue = s.queue AND g.granted_at > (SELECT now FROM clock) - s.rate_per_ms))
                END)
         END AS slots,
         f.keyed
  FROM settings s CROSS JOIN flags f
  WHERE NOT f.suspended
),
-- A claim of queues with keys is claim_fairly's alone, keyless heads included.
slots AS (
  SELECT queue, slots, CASE WHEN keyed THEN 0 ELSE slots END AS keyless_slots FROM allowances
),
{part:claim-candidates},
-- The function's total depends on the flags, so that no plan can call it for a claim without
-- keys: it returns at once for a total of 0.
fair AS (
  SELECT p.row_id, p.slot
  FROM flags f
  CROSS JOIN LATERAL {schema}.claim_fairly($2, (SELECT now FROM clock), ARRAY(SELECT s.queue FROM slots s ORDER BY s.queue),
                                           ARRAY(SELECT s.slots FROM slots s ORDER BY s.queue),
                                           CASE WHEN f.keyed AND NOT f.suspended THEN cardinality($4::text[]) ELSE 0 END,
                                           $5) p
  WHERE f.keyed AND NOT f.suspended
),
-- At most one of candidates (queues without keys) and fair (with keys) has rows.
picked AS (SELECT row_id, slot FROM candidates UNION ALL SELECT row_id, slot FROM fair),
{part:lease-grant},
-- Data-modifying CTEs run once whether or not the query reads them (SPEC E21's grant log).
rate_recorded AS (
  INSERT INTO {schema}.rate_grants (tenant_id, queue, granted_at)
  SELECT $2, g.queue, c.now
  FROM granted g JOIN settings s ON s.queue = g.queue CROSS JOIN clock c
  WHERE s.rate_max IS NOT NULL
),
rate_forgotten AS (
  DELETE FROM {schema}.rate_grants g
  USING settings s, clock c
  WHERE g.tenant_id = $2 AND g.queue = s.queue AND s.rate_max IS NOT NULL AND g.granted_at <= c.now - s.rate_per_ms
)
SELECT g.slot, g.id, g.queue, g.payload, g.payload_kind, g.payload_bytes, g.attempt, g.epoch, g.lease_id, g.worker_id, g.lease_expires_at, g.resume_signals,
       g.resume_timed_out, g.concurrency_key, f.suspended, f.needs_lock, f.has_expired,
       (SELECT count(*) FROM fair) > (SELECT count(*) FROM granted) AS unleased_picks
FROM flags f
LEFT JOIN granted g ON true
ORDER BY g.slot
