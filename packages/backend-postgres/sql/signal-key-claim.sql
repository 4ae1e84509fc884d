-- signal-key-claim: takes a signal idempotency key for a new signal, unless a live signal holds
-- it (SPEC E15; keys are per tenant and live for dedupTtlMs).
-- Parameters: $1 now, $2 tenant_id, $3 idempotency key, $4 signal_id, $5 dedup_ttl_ms
-- Returns: one row when the key is now the new signal's; none when a live signal holds it.
WITH clock AS (SELECT {schema}.now_ms($1::bigint) AS now)
INSERT INTO {schema}.signal_keys AS k (tenant_id, idempotency_key, signal_id, created_at)
SELECT $2, $3, $4, c.now FROM clock c
ON CONFLICT (tenant_id, idempotency_key) DO UPDATE
SET signal_id = excluded.signal_id, created_at = excluded.created_at
WHERE k.created_at + $5::bigint <= excluded.created_at
RETURNING signal_id
