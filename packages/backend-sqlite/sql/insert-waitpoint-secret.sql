-- insert-waitpoint-secret: Make a new secret the tenant's current one (SPEC E25). The caller has
-- retired the previous current one, or found none, in the same transaction; the partial unique
-- index waitpoint_secrets_current refuses a second current secret.
-- Parameters: tenant, kid, secret (base64url), created_at.
-- Returns: nothing.
INSERT INTO {{waitpoint_secrets}} (tenant, kid, secret, created_at, valid_until) VALUES (?, ?, ?, ?, NULL)
