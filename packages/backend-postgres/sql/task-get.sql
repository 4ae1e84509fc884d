-- task-get: one task with its pending dependencies (view task_records, SPEC E13, E16); the caller
-- derives the effective state from the stored one and now (docs/decisions.md).
-- Parameters: $1 now, $2 tenant_id, $3 id
-- Returns: the columns of task_records, concurrency_key (SPEC E20: read beside the view, from
--   whichever table holds the task) and now; no row when absent.
WITH clock AS (SELECT {schema}.now_ms($1::bigint) AS now)
SELECT r.*, c.now,
       coalesce((SELECT t.concurrency_key FROM {schema}.tasks t WHERE t.tenant_id = $2 AND t.id = $3),
                (SELECT d.concurrency_key FROM {schema}.tasks_completed d WHERE d.tenant_id = $2 AND d.id = $3)) AS concurrency_key
FROM {schema}.task_records r CROSS JOIN clock c
WHERE r.tenant_id = $2 AND r.id = $3
