-- delete-spent-waitpoint-secrets: Forget the tenant's secrets whose grace has ended: no token
-- signed with them verifies any more (SPEC E25).
-- Parameters: tenant, now.
-- Returns: nothing.
DELETE FROM {{waitpoint_secrets}} WHERE tenant = ? AND valid_until <= ?
