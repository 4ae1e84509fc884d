-- waitpoint-secrets-in-force: the tenant's secrets that still verify now, which a rotation gives
-- the end of their grace (SPEC E25). Run under the exclusive waitpoint-secrets-lock.
-- Parameters: $1 now, $2 tenant_id
-- Returns: kid, valid_until (null: the current secret) per secret.
SELECT kid, valid_until
FROM {schema}.waitpoint_secrets
WHERE tenant_id = $2 AND (valid_until IS NULL OR valid_until > $1::bigint)
