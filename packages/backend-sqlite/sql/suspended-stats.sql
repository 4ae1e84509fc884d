-- suspended-stats: Suspended tasks of a queue: how many, how many timed out, the earliest timeout.
-- Parameters: now, now, tenant, queue.
-- Returns: { n, due, oldest }.
SELECT count(*) AS n, coalesce(sum(wait_timeout_at <= ?), 0) AS due,
  min(CASE WHEN wait_timeout_at <= ? THEN wait_timeout_at END) AS oldest
FROM {{tasks}} WHERE tenant = ? AND queue = ? AND state = 'suspended'
