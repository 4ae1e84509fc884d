-- list-waitpoints: A task's waitpoints in creation order, with their state at now: delivered once
-- its token signalled, else expired from expires_at on (exclusive, like a lease), else pending (SPEC E25).
-- Parameters: now, task seq.
-- Returns: WaitpointListRow[].
SELECT id, key, kid, fingerprint, expires_at, created_at, signal_id, delivered_at,
  CASE WHEN signal_id IS NOT NULL THEN 'delivered' WHEN expires_at <= ? THEN 'expired' ELSE 'pending' END AS state
FROM {{waitpoints}} WHERE task_seq = ? ORDER BY seq
