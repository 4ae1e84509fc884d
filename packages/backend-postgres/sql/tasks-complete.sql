-- tasks-complete: completes a batch of leases in one statement (SPEC E7), the completions of one
-- moment coalesced (batch completion). A lease is applied only while it is its task's current,
-- unexpired lease: the epoch is in the WHERE clause (E5), and a row that a concurrent call changed
-- is re-read before it is judged. Tasks with dependents are left to task-complete, which
-- releases them in the same transaction (E16).
-- Parameters: $1 now, $2 tenant_ids (text[]), $3 ids (text[]), $4 epochs (bigint[]),
--   $5 results (json[]), $6 channel
-- Returns: tenant_id, id and epoch of each lease applied (two calls for one task in one batch, a
--   stale lease and the current one, are told apart by the epoch).
WITH clock AS (SELECT {schema}.now_ms($1::bigint) AS now),
input AS (
  SELECT * FROM unnest($2::text[], $3::text[], $4::bigint[], $5::json[]) AS i(tenant_id, id, epoch, result)
),
-- Each task by its primary key (the LIMIT keeps the lookup a parameterized index probe per
-- input row), then updated by its address: the statement reads the batch's rows, never every
-- lease held (a join on the key alone may be planned as a scan of the leased index, whose dead
-- entries grow with the load). A row that moves meanwhile fails the address check and is judged
-- by the caller from its current state. As in tasks-claim, the ANY offers the planner the TID
-- scan; a per-row address probe rechecks it instead, for far less than the update costs.
found AS (
  SELECT i.*, k.row_id
  FROM input i
  CROSS JOIN LATERAL (
    SELECT t.ctid AS row_id FROM {schema}.tasks t WHERE t.tenant_id = i.tenant_id AND t.id = i.id LIMIT 1
  ) k
),
done AS (
  UPDATE {schema}.tasks t
  SET state = 'completed', completed_epoch = t.epoch, result = f.result, lease_expires_at = NULL,
      worker_id = NULL, updated_at = c.now
  FROM found f CROSS JOIN clock c
  WHERE t.ctid = ANY (ARRAY(SELECT row_id FROM found)) AND t.ctid = f.row_id
    AND t.epoch = f.epoch AND t.state = 'leased' AND t.lease_expires_at > c.now AND NOT t.has_dependents
  RETURNING t.tenant_id, t.id, t.epoch, t.queue, c.now
),
notified AS (
  SELECT pg_notify($6, json_build_object('t', d.tenant_id, 'k', 'completed', 'q', d.queue, 'i', d.id, 'a', d.now)::text)
  FROM done d
  -- One read of the listeners for the whole batch (a semi-join), not one per completion.
  WHERE d.tenant_id IN (SELECT l.tenant_id FROM {schema}.listeners l WHERE l.topic = 'completed')
)
SELECT d.tenant_id, d.id, d.epoch, (SELECT count(*) FROM notified) AS notified
FROM done d
