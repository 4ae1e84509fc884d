-- forget-rate-grants: Deletes a queue's grants that left the rate limit's interval (E21), or all
-- of them (now = +infinity) when the limit is removed.
-- Parameters: tenant, queue, now − perMs (every grant at or before it has left the interval).
-- Returns: nothing.
DELETE FROM {{rate_grants}} WHERE tenant = ? AND queue = ? AND granted_at <= ?
