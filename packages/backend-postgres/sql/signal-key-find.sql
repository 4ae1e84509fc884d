-- signal-key-find: the signal holding an idempotency key (SPEC E15).
-- Parameters: $1 tenant_id, $2 idempotency key
-- Returns: signal_id; no row when free.
SELECT signal_id
FROM {schema}.signal_keys
WHERE tenant_id = $1 AND idempotency_key = $2
