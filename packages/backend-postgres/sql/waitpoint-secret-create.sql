-- waitpoint-secret-create: makes a new secret the tenant's current one, unless it has a current
-- one (SPEC E25): the first createWaitpoint's, or a rotation's once it retired the current one.
-- Parameters: $1 now, $2 tenant_id, $3 kid, $4 secret
-- Returns: kid when inserted; no row when the tenant has a current secret (another process's
--   first createWaitpoint committed it first).
INSERT INTO {schema}.waitpoint_secrets (tenant_id, kid, secret, created_at, valid_until)
VALUES ($2, $3, $4, {schema}.now_ms($1::bigint), NULL)
ON CONFLICT (tenant_id) WHERE valid_until IS NULL DO NOTHING
RETURNING kid
