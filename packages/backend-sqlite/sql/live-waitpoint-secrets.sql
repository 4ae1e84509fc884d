-- live-waitpoint-secrets: The tenant's secrets that still verify at now: the current one and those
-- in a rotation's grace (SPEC E25).
-- Parameters: tenant, now.
-- Returns: { kid, valid_until }[].
SELECT kid, valid_until FROM {{waitpoint_secrets}} WHERE tenant = ? AND (valid_until IS NULL OR valid_until > ?)
