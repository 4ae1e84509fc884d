-- ready-stats: Ready tasks of a queue: how many, and the earliest ready time.
-- Parameters: tenant, queue.
-- Returns: { n, oldest }.
SELECT count(*) AS n, min(run_at) AS oldest FROM {{tasks}} WHERE tenant = ? AND queue = ? AND state = 'ready'
