-- ready-stats: Ready tasks of a queue: how many, and the earliest ready time (keyless and keyed
-- ones are in two indexes).
-- Parameters: { tenant, queue }.
-- Returns: { n, oldest }.
SELECT sum(n) AS n, min(oldest) AS oldest FROM (
  SELECT count(*) AS n, min(run_at) AS oldest FROM {{tasks}} INDEXED BY {{tasks_ready_keyless}}
  WHERE tenant = @tenant AND queue = @queue AND state = 'ready' AND concurrency_key IS NULL
  UNION ALL
  SELECT count(*) AS n, min(run_at) AS oldest FROM {{tasks}} INDEXED BY {{tasks_ready_by_key}}
  WHERE tenant = @tenant AND queue = @queue AND state = 'ready' AND concurrency_key IS NOT NULL)
