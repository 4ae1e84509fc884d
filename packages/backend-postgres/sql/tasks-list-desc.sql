-- tasks-list-desc: one page of the tenant's tasks, every state, newest first,
-- matching every filter given (SPEC E26, C5); state is the one getTask reports (shown_state,
-- migration 0011).
-- Parameters: $1 now, $2 tenant_id, $3 before (the seq of the previous page's last task; null for
--   the first), $4 queue, $5 state, $6 run_id,
--   $7 concurrency_key (each null: any), $8 limit (page size + 1)
-- Returns: the columns of task_records (seq is the cursor key) and now.
WITH clock AS (SELECT {schema}.now_ms($1::bigint) AS now)
SELECT r.*, c.now
FROM {schema}.task_records r CROSS JOIN clock c
WHERE r.tenant_id = $2 AND r.seq < coalesce($3::bigint, 9223372036854775807)
  AND ($4::text IS NULL OR r.queue = $4::text)
  AND ($5::text IS NULL OR {schema}.shown_state(r.state, r.run_at, r.suspend_timeout_at, c.now) = $5::text)
  AND ($6::text IS NULL OR r.run_id = $6::text)
  AND ($7::text IS NULL OR r.concurrency_key = $7::text)
ORDER BY r.seq DESC
LIMIT $8
