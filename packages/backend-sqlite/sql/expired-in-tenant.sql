-- expired-in-tenant: Expired leases of a tenant, oldest expiry first. The leased-task index is
-- named because, without statistics, the planner may prefer the (tenant, id) index and read every
-- task of the tenant.
-- Parameters: tenant, now, limit.
-- Returns: TaskRow[].
SELECT * FROM {{tasks}} INDEXED BY {{tasks_leased}} WHERE tenant = ? AND state = 'leased' AND lease_expires_at <= ?
ORDER BY lease_expires_at, seq LIMIT ? + 0
