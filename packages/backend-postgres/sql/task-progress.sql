-- task-progress: records progress under a lease that is still the task's current, unexpired one:
-- its epoch and its leaseId (SPEC E18, E5, T4).
-- Parameters: $1 now, $2 tenant_id, $3 id, $4 epoch, $5 progress (json), $6 lease_id
-- Returns: id; no row when the fence fails.
WITH clock AS (SELECT {schema}.now_ms($1::bigint) AS now)
UPDATE {schema}.tasks t
SET progress = $5::json, updated_at = c.now
FROM clock c
WHERE t.tenant_id = $2 AND t.id = $3 AND t.epoch = $4 AND t.lease_id = $6 AND t.state = 'leased' AND t.lease_expires_at > c.now
RETURNING t.id
