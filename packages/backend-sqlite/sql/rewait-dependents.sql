-- rewait-dependents: A completed task is replayed (SPEC E26): each blocked dependent waits for it
-- again, so its pending-dependency counter counts it once more and the replayed task's next
-- completion (decrement-pending) releases it exactly once. Dependents it already released are not
-- blocked and stay as they are.
-- Parameters: the replayed task's seq.
-- Returns: nothing.
UPDATE {{tasks}} SET pending_deps = pending_deps + 1
WHERE state = 'blocked' AND seq IN (SELECT x.task_seq FROM {{task_deps}} AS x WHERE x.dep_seq = ?)
