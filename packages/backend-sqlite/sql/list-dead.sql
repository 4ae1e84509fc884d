-- list-dead: A page of dead letters in the order they died.
-- Parameters: tenant, after dead_seq, limit.
-- Returns: TaskRow[].
SELECT * FROM {{tasks}} WHERE tenant = ? AND state = 'dead' AND dead_seq > ? ORDER BY dead_seq LIMIT ? + 0
