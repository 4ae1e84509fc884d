-- task-suspend: ends the lease of a locked task whose fence passed and parks it until signals on
-- its keys satisfy it or its timeout comes, when it becomes claimable (SPEC E14). The previous
-- resumption ends here.
-- Parameters: $1 now, $2 tenant_id, $3 id, $4 epoch, $5 keys (text[]), $6 mode ('any' | 'all'),
--   $7 timeout_at (null: none), $8 signals taken from the buffer (jsonb array)
-- Returns: id, queue when applied.
UPDATE {schema}.tasks
SET state = 'suspended', suspend_keys = $5::text[], suspend_mode = $6, suspend_timeout_at = $7::bigint,
    signals = $8::jsonb, resume_signals = NULL, resume_timed_out = false, ready_at = $7::bigint, lease_expires_at = NULL, worker_id = NULL, updated_at = $1::bigint
WHERE tenant_id = $2 AND id = $3 AND epoch = $4 AND state = 'leased'
RETURNING id, queue
