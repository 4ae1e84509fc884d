-- claim-head: the head of the claim statement (src/sql/engine.ts, claimStatement): the lease columns set on every granted task.
-- Parameters: lease_ms, lease_expires_at, worker_id, updated_at
-- Returns: nothing alone: a fragment, followed by one claim-branch per queue and by claim-tail
UPDATE {{tasks}} SET state = 'leased', epoch = epoch + 1, attempt = consumed + 1, lease_ms = ?,
  lease_expires_at = ?, worker_id = ?, lease_end = NULL, updated_at = ?
WHERE seq IN (SELECT seq FROM (
