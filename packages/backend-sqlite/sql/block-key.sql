-- block-key: A key at keyConcurrency leaves the fair order until blocked_until (its earliest
-- unexpired lease's expiry) or until one of its leases ends (trigger of migration 0004).
-- Parameters: blocked_until, tenant, queue, key.
-- Returns: nothing.
UPDATE {{concurrency_keys}} SET blocked = 1, blocked_until = ? WHERE tenant = ? AND queue = ? AND key = ?
