-- leased-count: Leased tasks of a queue (expired or not).
-- Parameters: tenant, queue.
-- Returns: { n }.
SELECT count(*) AS n FROM {{tasks}} WHERE tenant = ? AND queue = ? AND state = 'leased'
