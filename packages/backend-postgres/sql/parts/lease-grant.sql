-- lease-grant: the `granted` CTE of tasks-claim and tasks-claim-limited: leases each row of
-- `picked` (row_id, slot), which the statement has locked. The UPDATE bumps the epoch (the
-- fencing token) and the attempt, and gives the lease its slot's worker and leaseId (SPEC T4;
-- drawn by the client, since no CSPRNG is guaranteed in SQL). A timed-out suspension claimed at
-- its timeout resumes with timedOut (E14); a lease carries the task's resumption, if any, until
-- the task suspends again.
-- Uses: clock, picked; $4 worker ids, $5 lease_ms, $6 claim token, $7 lease ids (one per slot)
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
  -- Each pick by its address (a TID scan per row), in slot order: the picks are locked, so they
  -- cannot move, and the update reads only the rows it grants. The addresses go through an array
  -- so that every plan, custom or generic, sees a short list and fetches row by row: a join on
  -- the picks themselves may be planned as a scan of every task when the statistics are stale,
  -- and a list of every address rechecked per row costs the square of the batch.
  FROM unnest(ARRAY(SELECT k.row_id FROM picked k ORDER BY k.slot)) WITH ORDINALITY AS r(row_id, slot)
  CROSS JOIN clock c
  WHERE t.ctid = r.row_id
  RETURNING r.slot, t.id, t.queue, t.payload, t.payload_kind, t.payload_bytes, t.attempt, t.epoch, t.lease_id, t.worker_id, t.lease_expires_at, t.resume_signals,
            t.resume_timed_out, t.concurrency_key
)
