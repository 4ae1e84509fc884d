-- task-get: one task with its pending dependencies (view task_records, SPEC E13, E16); the caller
-- derives the effective state from the stored one and now (docs/decisions.md).
-- Parameters: $1 now, $2 tenant_id, $3 id
-- Returns: the columns of task_records (concurrency_key: SPEC E20; replays: E26) and now; no row
--   when absent.
WITH clock AS (SELECT {schema}.now_ms($1::bigint) AS now)
SELECT r.*, c.now
FROM {schema}.task_records r CROSS JOIN clock c
WHERE r.tenant_id = $2 AND r.id = $3
