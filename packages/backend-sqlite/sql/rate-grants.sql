-- rate-grants: The grants of a queue still in its rate limit's interval (granted_at > now − perMs), oldest first.
-- Parameters: tenant, queue, now − perMs.
-- Returns: { granted_at }[].
SELECT granted_at FROM {{rate_grants}} WHERE tenant = ? AND queue = ? AND granted_at > ? ORDER BY granted_at, id
