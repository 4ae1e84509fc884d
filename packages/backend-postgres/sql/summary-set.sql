-- summary-set: replaces the summary of the lease's attempt (SPEC E28), under a lease that is still
-- the task's current, unexpired one: its epoch and its leaseId (SPEC E5, T4). The task row is
-- locked, so a reclaim or a settlement that commits first makes the fence fail here.
-- Parameters: $1 now, $2 tenant_id, $3 task_id, $4 epoch, $5 summary (json), $6 lease_id
-- Returns: attempt; no row when the fence fails.
WITH clock AS (SELECT {schema}.now_ms($1::bigint) AS now),
held AS (
  SELECT t.attempt
  FROM {schema}.tasks t CROSS JOIN clock c
  WHERE t.tenant_id = $2 AND t.id = $3 AND t.epoch = $4 AND t.lease_id = $6 AND t.state = 'leased' AND t.lease_expires_at > c.now
  FOR UPDATE OF t
)
INSERT INTO {schema}.task_summaries (tenant_id, task_id, attempt, summary, updated_at)
SELECT $2, $3, h.attempt, $5::json, c.now
FROM held h CROSS JOIN clock c
ON CONFLICT (tenant_id, task_id, attempt) DO UPDATE SET summary = excluded.summary, updated_at = excluded.updated_at
RETURNING attempt
