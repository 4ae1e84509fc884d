-- task-revoke: revokes the lease of a locked leased task (expired or not) and makes it ready now,
-- consuming no attempt (SPEC E13); its holder then gets LEASE_REVOKED.
-- Parameters: $1 now, $2 tenant_id, $3 id
-- Returns: id, queue when revoked.
UPDATE {schema}.tasks
SET state = 'queued', ended_lease = 'revoked', run_at = $1::bigint, ready_at = $1::bigint,
    lease_expires_at = NULL, worker_id = NULL, updated_at = $1::bigint
WHERE tenant_id = $2 AND id = $3 AND state = 'leased'
RETURNING id, queue
