-- task-cancel: cancels a locked task that is not terminal; its lease, if any, is revoked by the
-- cancelled state (SPEC E13). A suspension whose timeout had come resumed at that timeout first
-- (docs/decisions.md, effective state), so its runAt is the timeout.
-- Parameters: $1 now, $2 tenant_id, $3 id, $4 reason (null)
-- Returns: id, queue when cancelled.
UPDATE {schema}.tasks
SET state = 'cancelled', cancel_reason = $4,
    run_at = CASE WHEN state = 'suspended' AND suspend_timeout_at <= $1::bigint THEN suspend_timeout_at ELSE run_at END,
    ready_at = NULL, lease_expires_at = NULL, worker_id = NULL,
    suspend_keys = NULL, suspend_mode = NULL, suspend_timeout_at = NULL, updated_at = $1::bigint
WHERE tenant_id = $2 AND id = $3 AND state NOT IN ('completed', 'dead', 'cancelled')
RETURNING id, queue
