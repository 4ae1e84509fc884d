-- task-release: gives a locked task whose fence passed back at a time, consuming no attempt (SPEC E9).
-- Parameters: $1 now, $2 tenant_id, $3 id, $4 epoch, $5 run_at (null: now)
-- Returns: id, queue, run_at when applied.
UPDATE {schema}.tasks
SET state = 'queued', run_at = coalesce($5::bigint, $1::bigint), ready_at = coalesce($5::bigint, $1::bigint),
    lease_expires_at = NULL, worker_id = NULL, updated_at = $1::bigint
WHERE tenant_id = $2 AND id = $3 AND epoch = $4 AND state = 'leased'
RETURNING id, queue, run_at
