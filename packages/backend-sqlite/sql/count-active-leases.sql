-- count-active-leases: Unexpired leases of a queue (what its concurrency limit counts).
-- Parameters: tenant, queue, now.
-- Returns: { n }.
SELECT count(*) AS n FROM {{tasks}} WHERE tenant = ? AND queue = ? AND state = 'leased' AND lease_expires_at > ?
