-- leases-expired-settle: settles locked expired leases (SPEC E10): the attempt is consumed, the
-- lease ends as expired (its holder then gets LEASE_EXPIRED), and the task is retried at the
-- given time or dead-lettered. Tasks die in the order given (listDeadLetters' order): the death
-- order is drawn over the positions in order, once, in a materialized CTE. (Drawn in a subquery of
-- the UPDATE's FROM, nextval ran as often and in whatever order the join read that subquery: a
-- nested loop rescans it, so two tasks dying together could get their numbers swapped.)
-- Parameters: $1 now, $2 tenant_id, $3 ids (text[], oldest expiry first), $4 retry (boolean[]),
--   $5 retry times (bigint[]; null when dead), $6 last error (json), $7 the death-order sequence
--   (regclass text)
-- Returns: id, queue, state of each task settled.
WITH settled AS MATERIALIZED (
  SELECT s.id, s.retry, s.run_at, CASE WHEN s.retry THEN NULL ELSE nextval($7::regclass) END AS death_seq
  FROM (
    SELECT u.id, u.retry, u.run_at, u.ord
    FROM unnest($3::text[], $4::boolean[], $5::bigint[]) WITH ORDINALITY AS u(id, retry, run_at, ord)
    ORDER BY u.ord
  ) s
)
UPDATE {schema}.tasks t
SET consumed = t.consumed + 1,
    last_error = $6::json,
    ended_lease = 'expired',
    state = CASE WHEN s.retry THEN 'queued' ELSE 'dead' END,
    run_at = CASE WHEN s.retry THEN s.run_at ELSE t.run_at END,
    ready_at = CASE WHEN s.retry THEN s.run_at END,
    death_seq = s.death_seq,
    lease_expires_at = NULL,
    worker_id = NULL,
    updated_at = $1::bigint
FROM settled s
WHERE t.tenant_id = $2 AND t.id = s.id AND t.state = 'leased'
RETURNING t.id, t.queue, t.state
