-- blocked-dependents: The blocked tasks waiting for a dependency, in enqueue order.
-- Parameters: dependency seq.
-- Returns: TaskRow[].
SELECT t.* FROM {{task_deps}} AS x JOIN {{tasks}} AS t ON t.seq = x.task_seq
WHERE x.dep_seq = ? AND t.state = 'blocked' ORDER BY t.seq
