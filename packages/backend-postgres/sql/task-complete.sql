-- task-complete: completes a locked task whose fence passed (SPEC E7, W11).
-- Parameters: $1 now, $2 tenant_id, $3 id, $4 epoch, $5 result (json)
-- Returns: id, queue when completed.
UPDATE {schema}.tasks
SET state = 'completed', completed_epoch = epoch, result = $5::json, lease_expires_at = NULL, worker_id = NULL,
    updated_at = $1::bigint
WHERE tenant_id = $2 AND id = $3 AND epoch = $4 AND state = 'leased'
RETURNING id, queue
