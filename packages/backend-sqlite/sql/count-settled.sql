-- count-settled: Counts of a queue's stored blocked and terminal tasks. No index holds these states
-- (migration 0002: maintaining one cost every completion a WAL page), so this reads the tenant's
-- tasks: an operator call that pays so that the hot path does not.
-- Parameters: tenant, queue.
-- Returns: { state, n }[].
SELECT state, count(*) AS n FROM {{tasks}}
WHERE tenant = ? AND queue = ? AND state IN ('blocked', 'completed', 'dead', 'cancelled') GROUP BY state
