-- retire-waitpoint-secret: End a secret's validity at a rotation's grace end (SPEC E25).
-- Parameters: valid_until, tenant, kid.
-- Returns: nothing.
UPDATE {{waitpoint_secrets}} SET valid_until = ? WHERE tenant = ? AND kid = ?
