-- waitpoints-list: a task's waitpoints in creation order, with their state now (SPEC E25):
-- delivered once a signal used the token, else expired from expires_at on, else pending.
-- Parameters: $1 now, $2 tenant_id, $3 task_id
-- Returns: id, task_id, key, kid, fingerprint, expires_at, created_at, state, signal_id,
--   delivered_at per waitpoint; none for an unknown task.
WITH clock AS (SELECT {schema}.now_ms($1::bigint) AS now)
SELECT w.id, w.task_id, w.key, w.kid, w.fingerprint, w.expires_at, w.created_at,
       CASE WHEN w.signal_id IS NOT NULL THEN 'delivered' WHEN c.now >= w.expires_at THEN 'expired' ELSE 'pending' END AS state,
       w.signal_id, w.delivered_at
FROM {schema}.waitpoints w CROSS JOIN clock c
WHERE w.tenant_id = $2 AND w.task_id = $3
ORDER BY w.seq
