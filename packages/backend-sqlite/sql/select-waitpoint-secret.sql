-- select-waitpoint-secret: The tenant's secret under a key id, current or rotated out (SPEC E25).
-- Parameters: tenant, kid.
-- Returns: WaitpointSecretRow, or no row.
SELECT kid, secret, valid_until FROM {{waitpoint_secrets}} WHERE tenant = ? AND kid = ?
