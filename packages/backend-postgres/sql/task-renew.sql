-- task-renew: extends a lease that is still the task's current, unexpired one (its epoch and its
-- leaseId); same epoch and leaseId (SPEC E6, E5, T4).
-- Parameters: $1 now, $2 tenant_id, $3 id, $4 epoch, $5 lease_ms (null: the claim's), $6 progress (json; null: unchanged),
--   $7 lease_id
-- Returns: id, queue, payload, attempt, epoch, lease_id, worker_id, lease_expires_at; no row when the fence fails.
WITH clock AS (SELECT {schema}.now_ms($1::bigint) AS now)
UPDATE {schema}.tasks t
SET lease_expires_at = c.now + coalesce($5::bigint, t.lease_ms), progress = coalesce($6::json, t.progress), updated_at = c.now
FROM clock c
WHERE t.tenant_id = $2 AND t.id = $3 AND t.epoch = $4 AND t.lease_id = $7 AND t.state = 'leased' AND t.lease_expires_at > c.now
RETURNING t.id, t.queue, t.payload, t.payload_kind, t.payload_bytes, t.attempt, t.epoch, t.lease_id, t.worker_id, t.lease_expires_at
