-- pending-dependencies: A task's dependencies that have not completed, in dependsOn order.
-- Parameters: task seq.
-- Returns: { id }[].
SELECT d.id FROM {{task_deps}} AS x JOIN {{tasks}} AS d ON d.seq = x.dep_seq
WHERE x.task_seq = ? AND d.state <> 'completed' ORDER BY x.position
