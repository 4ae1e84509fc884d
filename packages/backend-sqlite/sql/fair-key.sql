-- fair-key: The first key of a queue in fair order (E20): higher head priority, then least recently
-- granted, then the earlier head (ready time, enqueue order), among keys with a ready head that
-- are not blocked. Read from concurrency_keys_fair: O(log keys).
-- Parameters: tenant, queue.
-- Returns: { key, last_grant, head_priority, head_run_at, head_seq } or none.
SELECT key, last_grant, head_priority, head_run_at, head_seq FROM {{concurrency_keys}} INDEXED BY {{concurrency_keys_fair}}
WHERE tenant = ? AND queue = ? AND head_seq IS NOT NULL AND blocked = 0
ORDER BY head_priority DESC, last_grant, head_run_at, head_seq LIMIT 1
