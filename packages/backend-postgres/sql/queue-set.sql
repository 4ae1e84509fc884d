-- queue-set: merges settings into a queue's (SPEC E17) and wakes the queue's waiters, since a
-- resumed or widened queue may have claimable work (E19).
-- Parameters: $1 now, $2 tenant_id, $3 queue, $4 set concurrency (boolean), $5 concurrency (null:
--   no limit), $6 paused (null: unchanged), $7 channel
-- Returns: queue, concurrency, paused now in force.
WITH clock AS (SELECT {schema}.now_ms($1::bigint) AS now),
saved AS (
  INSERT INTO {schema}.queues AS q (tenant_id, queue, concurrency, paused)
  VALUES ($2, $3, CASE WHEN $4::boolean THEN $5::bigint END, coalesce($6::boolean, false))
  ON CONFLICT (tenant_id, queue) DO UPDATE
  SET concurrency = CASE WHEN $4::boolean THEN $5::bigint ELSE q.concurrency END,
      paused = coalesce($6::boolean, q.paused)
  RETURNING q.queue, q.concurrency, q.paused
),
notified AS (
  SELECT pg_notify($7, json_build_object('t', $2::text, 'k', 'work', 'q', s.queue, 'i', NULL, 'a', c.now)::text)
  FROM saved s CROSS JOIN clock c
  WHERE NOT s.paused AND EXISTS (SELECT 1 FROM {schema}.listeners l WHERE l.tenant_id = $2 AND l.topic = 'work')
)
SELECT s.queue, s.concurrency, s.paused, (SELECT count(*) FROM notified) AS notified
FROM saved s
