-- claim-head: the head of the claim statement (src/sql/engine.ts, claimStatement): the lease columns set on every granted task.
-- lease_id is new for every granted row: mooring_lease_id() is the connection's function (src/connection.ts) drawing a leaseId from Node's CSPRNG (SPEC T4).
-- Parameters: lease_ms, lease_expires_at, worker_id, updated_at
-- Returns: nothing alone: a fragment, followed by one claim-branch per queue and by claim-tail
UPDATE {{tasks}} SET state = 'leased', epoch = epoch + 1, lease_id = mooring_lease_id(), attempt = consumed + 1, lease_ms = ?,
  lease_expires_at = ?, worker_id = ?, lease_end = NULL, updated_at = ?
WHERE seq IN (SELECT seq FROM (
