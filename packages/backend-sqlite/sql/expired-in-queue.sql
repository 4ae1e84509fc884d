-- expired-in-queue: Expired leases of one queue, oldest expiry first.
-- Parameters: tenant, queue, now, limit.
-- Returns: TaskRow[].
SELECT * FROM {{tasks}} WHERE tenant = ? AND queue = ? AND state = 'leased' AND lease_expires_at <= ?
ORDER BY lease_expires_at, seq LIMIT ? + 0
