-- claim-recover: the leases a claim granted, found by its token after the connection was lost
-- before its answer arrived, so the caller gets them instead of orphaning them until expiry.
-- Parameters: $1 tenant_id, $2 queues (text[]), $3 claim token
-- Returns: the same lease columns as tasks-claim, in claim order.
SELECT t.id, t.queue, t.payload, t.payload_kind, t.payload_bytes, t.attempt, t.epoch, t.lease_id, t.worker_id, t.lease_expires_at, t.resume_signals, t.resume_timed_out,
       t.concurrency_key
FROM {schema}.tasks t
WHERE t.tenant_id = $1 AND t.queue = ANY ($2::text[]) AND t.state = 'leased' AND t.claim_token = $3
ORDER BY t.priority DESC, t.run_at, t.seq
