-- waitpoint-secret-current: the tenant's secret that signs new waitpoint tokens (SPEC E25).
-- Parameters: $1 tenant_id
-- Returns: kid, secret; no row when the tenant has none yet.
SELECT kid, secret
FROM {schema}.waitpoint_secrets
WHERE tenant_id = $1 AND valid_until IS NULL
