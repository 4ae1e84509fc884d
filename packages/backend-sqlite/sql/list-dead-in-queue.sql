-- list-dead-in-queue: A page of one queue's dead letters in the order they died.
-- Parameters: tenant, queue, after dead_seq, limit.
-- Returns: TaskRow[].
SELECT * FROM {{tasks}} WHERE tenant = ? AND state = 'dead' AND queue = ? AND dead_seq > ? ORDER BY dead_seq LIMIT ? + 0
