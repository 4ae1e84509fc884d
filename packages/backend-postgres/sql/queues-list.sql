-- queues-list: one page of the names of the tenant's queues that have a task (any state) or
-- settings, in code-point order (SPEC E26, C5); the caller reads each one's queue-stats.
-- Parameters: $1 tenant_id, $2 after (the previous page's last name; null for the first), $3 limit
--   (page size + 1)
-- Returns: queue per queue.
SELECT q.queue
FROM (
  SELECT s.queue FROM {schema}.queues s WHERE s.tenant_id = $1
  UNION
  SELECT t.queue FROM {schema}.tasks t WHERE t.tenant_id = $1
  UNION
  SELECT d.queue FROM {schema}.tasks_completed d WHERE d.tenant_id = $1
) q
WHERE $2::text IS NULL OR q.queue > $2::text
ORDER BY q.queue
LIMIT $3
