-- current-waitpoint-secret: The tenant's secret that signs new waitpoint tokens (SPEC E25).
-- Parameters: tenant.
-- Returns: WaitpointSecretRow, or no row when the tenant has none yet.
SELECT kid, secret, valid_until FROM {{waitpoint_secrets}} WHERE tenant = ? AND valid_until IS NULL
