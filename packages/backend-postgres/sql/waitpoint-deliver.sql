-- waitpoint-deliver: marks a locked waitpoint delivered by its signal (SPEC E25): it delivers once.
-- Parameters: $1 now, $2 tenant_id, $3 id, $4 signal_id
-- Returns: nothing.
UPDATE {schema}.waitpoints
SET signal_id = $4, delivered_at = $1::bigint
WHERE tenant_id = $2 AND id = $3
