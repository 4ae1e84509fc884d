-- queue-set: merges settings into a queue's (SPEC E17, E20, E21) and wakes the queue's waiters,
-- since a resumed or widened queue may have claimable work (E19). Removing the rate limit forgets
-- its grants (docs/decisions.md, issue 16); a changed key limit has every key of the queue judged
-- again by the next claim (migration 0007).
-- Parameters: $1 now, $2 tenant_id, $3 queue, $4 set concurrency (boolean), $5 concurrency (null:
--   no limit), $6 paused (null: unchanged), $7 channel, $8 set rate limit (boolean), $9 rate_max,
--   $10 rate_per_ms (both null: no rate limit), $11 set key limit (boolean), $12 key_concurrency
--   (null: no key limit)
-- Returns: queue, concurrency, paused, rate_max, rate_per_ms, key_concurrency now in force.
WITH clock AS (SELECT {schema}.now_ms($1::bigint) AS now),
saved AS (
  INSERT INTO {schema}.queues AS q (tenant_id, queue, concurrency, paused, rate_max, rate_per_ms, key_concurrency)
  VALUES ($2, $3, CASE WHEN $4::boolean THEN $5::bigint END, coalesce($6::boolean, false),
          CASE WHEN $8::boolean THEN $9::bigint END, CASE WHEN $8::boolean THEN $10::bigint END,
          CASE WHEN $11::boolean THEN $12::bigint END)
  ON CONFLICT (tenant_id, queue) DO UPDATE
  SET concurrency = CASE WHEN $4::boolean THEN $5::bigint ELSE q.concurrency END,
      paused = coalesce($6::boolean, q.paused),
      rate_max = CASE WHEN $8::boolean THEN $9::bigint ELSE q.rate_max END,
      rate_per_ms = CASE WHEN $8::boolean THEN $10::bigint ELSE q.rate_per_ms END,
      key_concurrency = CASE WHEN $11::boolean THEN $12::bigint ELSE q.key_concurrency END
  RETURNING q.queue, q.concurrency, q.paused, q.rate_max, q.rate_per_ms, q.key_concurrency
),
rejudged AS (
  UPDATE {schema}.concurrency_keys k SET recheck_at = (-9223372036854775807 - 1)
  WHERE $11::boolean AND k.tenant_id = $2 AND k.queue = $3
),
forgotten AS (
  DELETE FROM {schema}.rate_grants g WHERE $8::boolean AND $9::bigint IS NULL AND g.tenant_id = $2 AND g.queue = $3
),
notified AS (
  SELECT pg_notify($7, json_build_object('t', $2::text, 'k', 'work', 'q', s.queue, 'i', NULL, 'a', c.now)::text)
  FROM saved s CROSS JOIN clock c
  WHERE NOT s.paused AND EXISTS (SELECT 1 FROM {schema}.listeners l WHERE l.tenant_id = $2 AND l.topic = 'work')
)
SELECT s.queue, s.concurrency, s.paused, s.rate_max, s.rate_per_ms, s.key_concurrency, (SELECT count(*) FROM notified) AS notified
FROM saved s
