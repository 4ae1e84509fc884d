-- queue-stats: a queue's counts per effective state (docs/decisions.md: a queued task reads as
-- ready once its run_at has come, a timed suspension as ready once its timeout has; shown_state,
-- migration 0011), the age of
-- its longest-waiting ready task, its settings (SPEC E17, E20, E21), and when its rate limit lets the
-- next lease be granted: the (count − max + 1)-th oldest grant of the interval plus rate_per_ms,
-- null while the interval has room.
-- Parameters: $1 now, $2 tenant_id, $3 queue
-- Returns: one row: now, concurrency, paused, rate_max, rate_per_ms, key_concurrency, counts (json object state ->
--   count), oldest_ready, next_grant_at.
WITH clock AS (SELECT {schema}.now_ms($1::bigint) AS now),
effective AS (
  SELECT {schema}.shown_state(t.state, t.run_at, t.suspend_timeout_at, c.now) AS state,
         CASE WHEN t.state = 'suspended' THEN t.suspend_timeout_at ELSE t.run_at END AS ready_time
  FROM {schema}.tasks t CROSS JOIN clock c
  WHERE t.tenant_id = $2 AND t.queue = $3
  UNION ALL
  SELECT 'completed', NULL FROM {schema}.tasks_completed d WHERE d.tenant_id = $2 AND d.queue = $3
)
SELECT c.now, q.concurrency, coalesce(q.paused, false) AS paused, q.rate_max, q.rate_per_ms, q.key_concurrency,
       (SELECT g.granted_at + q.rate_per_ms FROM {schema}.rate_grants g
        WHERE q.rate_max IS NOT NULL AND g.tenant_id = $2 AND g.queue = $3 AND g.granted_at > c.now - q.rate_per_ms
        ORDER BY g.granted_at DESC OFFSET q.rate_max - 1 LIMIT 1) AS next_grant_at,
       (SELECT json_object_agg(g.state, g.n) FROM (SELECT state, count(*) AS n FROM effective GROUP BY state) g) AS counts,
       (SELECT min(ready_time) FROM effective WHERE state = 'ready') AS oldest_ready
FROM clock c
LEFT JOIN {schema}.queues q ON q.tenant_id = $2 AND q.queue = $3
