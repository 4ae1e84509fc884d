-- grant-task: Lease one task chosen by the fair claim (E20): the lease columns of claim-head on one row.
-- lease_id is new: mooring_lease_id() draws it from Node's CSPRNG (SPEC T4).
-- Parameters: lease_ms, lease_expires_at, worker_id, updated_at, seq.
-- Returns: GrantedRow.
UPDATE {{tasks}} SET state = 'leased', concurrency_key = concurrency_key, epoch = epoch + 1, lease_id = mooring_lease_id(), attempt = consumed + 1, lease_ms = ?,
  lease_expires_at = ?, worker_id = ?, lease_end = NULL, updated_at = ?
WHERE seq = ?
RETURNING seq, id, queue, payload, payload_kind, payload_bytes, priority, run_at, attempt, epoch, lease_id, lease_expires_at, resume, concurrency_key
