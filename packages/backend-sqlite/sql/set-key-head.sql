-- set-key-head: Replace a key's head snapshot (all three null: no ready task).
-- Parameters: head_priority, head_run_at, head_seq, tenant, queue, key.
-- Returns: nothing.
UPDATE {{concurrency_keys}} SET head_priority = ?, head_run_at = ?, head_seq = ? WHERE tenant = ? AND queue = ? AND key = ?
