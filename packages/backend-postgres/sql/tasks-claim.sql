-- tasks-claim: grants one lease per slot on the claimable tasks of queues $3 in claim order
-- (priority, ready time, enqueue order), in one statement (SPEC E3, E4, E14, T2), when none of
-- the queues limits its claims. A slot is one lease a claim asked for; the claims of one moment
-- share the statement, each slot naming its claim's worker, so a worker pool costs one commit per
-- round, not per worker.
-- Each queue's candidates come from the claim index (claimable rows only), locked with
-- FOR UPDATE SKIP LOCKED, so concurrent claimers never wait for each other nor take one task
-- twice; the UPDATE bumps the epoch (the fencing token) and the attempt, and gives the lease
-- its slot's leaseId (SPEC T4; drawn by the client, since no CSPRNG is guaranteed in SQL).
-- A queue that is not paused and has a concurrency limit (E17), a rate limit (E21) or tasks with
-- concurrency keys (E20) is limited: then this statement grants nothing and says so
-- (needs_lock), and the caller claims again with tasks-claim-limited under the queues' lock. So a
-- claim of queues that use none of them is planned and run without their parts (the plan of a
-- statement is made at every execution, and those parts cost a fifth more planning).
-- A timed-out suspension is claimable at its timeout and resumes with timedOut (E14); a lease
-- carries the task's resumption, if any, until the task suspends again.
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
    -- Per queue, the oldest lease's expiry only: one index probe each, however many leases are
    -- held or were recently settled.
    EXISTS (
      SELECT 1 FROM settings q
      CROSS JOIN LATERAL (
        SELECT 1 FROM {schema}.tasks t
        WHERE t.tenant_id = $2 AND t.queue = q.queue AND t.state = 'leased'
          AND t.lease_expires_at <= (SELECT now FROM clock)
        LIMIT 1
      ) e
    ) AS has_expired
),
slots AS (
  SELECT s.queue, CASE WHEN s.paused THEN 0 ELSE cardinality($4::text[]) END AS slots
  FROM settings s CROSS JOIN flags f
  WHERE NOT f.suspended AND NOT f.needs_lock
),
candidates AS (
  SELECT r.*, row_number() OVER (ORDER BY r.priority DESC, r.ready_at, r.seq) AS slot
  FROM slots s
  CROSS JOIN LATERAL (
    SELECT t.ctid AS row_id, t.id, t.priority, t.ready_at, t.seq
    FROM {schema}.tasks t
    WHERE t.tenant_id = $2 AND t.queue = s.queue AND t.ready_at <= (SELECT now FROM clock) AND t.concurrency_key IS NULL
    ORDER BY t.priority DESC, t.ready_at, t.seq
    LIMIT s.slots
    FOR UPDATE OF t SKIP LOCKED
  ) r
  ORDER BY r.priority DESC, r.ready_at, r.seq
  LIMIT cardinality($4::text[])
),
granted AS (
  UPDATE {schema}.tasks t
  SET state = 'leased',
      attempt = t.consumed + 1,
      epoch = t.epoch + 1,
      lease_id = ($7::text[])[r.slot],
      lease_ms = $5,
      lease_expires_at = c.now + $5::bigint,
      worker_id = ($4::text[])[r.slot],
      ended_lease = NULL,
      run_at = t.ready_at,
      ready_at = NULL,
      -- In SET, t is the row before the update: a suspension claimed at its timeout resumes here.
      resume_signals = CASE WHEN t.state = 'suspended' THEN coalesce(t.signals, '[]'::jsonb) ELSE t.resume_signals END,
      resume_timed_out = CASE WHEN t.state = 'suspended' THEN true ELSE t.resume_timed_out END,
      signals = NULL,
      suspend_keys = NULL,
      suspend_mode = NULL,
      suspend_timeout_at = NULL,
      claim_token = $6,
      updated_at = c.now
  -- Each candidate by its address (a TID scan per row), in slot order: the candidates are locked,
  -- so they cannot move, and the update reads only the rows it grants. The addresses go through
  -- an array so that every plan, custom or generic, sees a short list and fetches row by row: a
  -- join on the candidates themselves may be planned as a scan of every task when the statistics
  -- are stale, and a list of every address rechecked per row costs the square of the batch.
  FROM unnest(ARRAY(SELECT k.row_id FROM candidates k ORDER BY k.slot)) WITH ORDINALITY AS r(row_id, slot)
  CROSS JOIN clock c
  WHERE t.ctid = r.row_id
  RETURNING r.slot, t.id, t.queue, t.payload, t.payload_kind, t.payload_bytes, t.attempt, t.epoch, t.lease_id, t.worker_id, t.lease_expires_at, t.resume_signals,
            t.resume_timed_out, t.concurrency_key
)
SELECT g.slot, g.id, g.queue, g.payload, g.payload_kind, g.payload_bytes, g.attempt, g.epoch, g.lease_id, g.worker_id, g.lease_expires_at, g.resume_signals,
       g.resume_timed_out, g.concurrency_key, f.suspended, f.needs_lock, f.has_expired
FROM flags f
LEFT JOIN granted g ON true
ORDER BY g.slot
