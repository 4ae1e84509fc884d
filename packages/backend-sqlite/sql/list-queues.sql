-- list-queues: A page of a tenant's queue names: every queue with a task (any state) or settings,
-- in code-point order (BINARY collation compares UTF-8 bytes, which order as code points do).
-- Parameters: { tenant, after name ('' for the first page), limit }.
-- Returns: { queue }[].
SELECT queue FROM {{tasks}} WHERE tenant = @tenant AND queue > @after
UNION
SELECT queue FROM {{queues}} WHERE tenant = @tenant AND queue > @after
ORDER BY queue LIMIT @limit + 0
