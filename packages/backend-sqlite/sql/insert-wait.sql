-- insert-wait: Register a suspended task as waiting on a key.
-- Parameters: tenant, key, task seq.
-- Returns: nothing.
INSERT OR IGNORE INTO {{task_waits}} (tenant, key, task_seq) VALUES (?, ?, ?)
