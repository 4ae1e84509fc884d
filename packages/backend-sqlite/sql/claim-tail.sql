-- claim-tail: the tail of the claim statement: the total limit, and the columns of the granted leases.
-- Parameters: the total limit
-- Returns: GrantedRow[] in no particular order (of the whole claim statement)
) ORDER BY priority DESC, run_at, seq LIMIT ? + 0)
RETURNING seq, id, queue, payload, payload_kind, payload_bytes, priority, run_at, attempt, epoch, lease_id, lease_expires_at, resume, concurrency_key
