-- dead-letters-list: one page of dead tasks in the order they died, optionally of one queue (SPEC E12, C5).
-- Parameters: $1 now, $2 tenant_id, $3 after (death order of the previous page's last task; 0 for
--   the first), $4 queue (null: every queue), $5 limit (page size + 1)
-- Returns: the columns of task_records (death_seq is the cursor key) and now.
WITH clock AS (SELECT {schema}.now_ms($1::bigint) AS now)
SELECT r.*, c.now
FROM {schema}.task_records r CROSS JOIN clock c
WHERE r.tenant_id = $2 AND r.state = 'dead' AND r.death_seq > $3 AND ($4::text IS NULL OR r.queue = $4::text)
ORDER BY r.death_seq
LIMIT $5
