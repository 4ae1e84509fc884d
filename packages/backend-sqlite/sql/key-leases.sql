-- key-leases: A key's unexpired leases (what keyConcurrency counts, E20) and the earliest of their expiries.
-- Parameters: tenant, queue, key, now.
-- Returns: { n, earliest }.
SELECT count(*) AS n, min(lease_expires_at) AS earliest FROM {{tasks}} INDEXED BY {{tasks_leased_by_key}}
WHERE tenant = ? AND queue = ? AND concurrency_key = ? AND state = 'leased' AND lease_expires_at > ?
