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
done AS (
  UPDATE {schema}.tasks t
  SET state = 'completed', completed_epoch = t.epoch, result = i.result, lease_expires_at = NULL,
      worker_id = NULL, updated_at = c.now
  FROM input i CROSS JOIN clock c
  WHERE t.tenant_id = i.tenant_id AND t.id = i.id AND t.epoch = i.epoch AND t.state = 'leased'
    AND t.lease_expires_at > c.now AND NOT t.has_dependents
  RETURNING t.tenant_id, t.id, t.epoch, t.queue, c.now
),
notified AS (
  SELECT pg_notify($6, json_build_object('t', d.tenant_id, 'k', 'completed', 'q', d.queue, 'i', d.id, 'a', d.now)::text)
  FROM done d
  WHERE EXISTS (SELECT 1 FROM {schema}.listeners l WHERE l.tenant_id = d.tenant_id AND l.topic = 'completed')
)
SELECT d.tenant_id, d.id, d.epoch, (SELECT count(*) FROM notified) AS notified
FROM done d
