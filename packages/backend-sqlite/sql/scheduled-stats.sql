-- scheduled-stats: Scheduled tasks of a queue: how many, how many are due, the earliest due time.
-- Parameters: now, now, tenant, queue.
-- Returns: { n, due, oldest }.
SELECT count(*) AS n, coalesce(sum(run_at <= ?), 0) AS due, min(CASE WHEN run_at <= ? THEN run_at END) AS oldest
FROM {{tasks}} WHERE tenant = ? AND queue = ? AND state = 'scheduled'
