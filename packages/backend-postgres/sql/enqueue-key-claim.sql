-- enqueue-key-claim: takes an idempotency key for a new task, unless a live enqueue holds it
-- (SPEC E2). Racing claims of one key wait for each other on the key's row: exactly one takes it.
-- Parameters: $1 now, $2 tenant_id, $3 queue, $4 key, $5 task_id, $6 dedup_ttl_ms
-- Returns: one row when the key is now the new task's; none when a live enqueue holds it.
WITH clock AS (SELECT {schema}.now_ms($1::bigint) AS now)
INSERT INTO {schema}.enqueue_keys AS k (tenant_id, queue, key, task_id, created_at)
SELECT $2, $3, $4, $5, c.now FROM clock c
ON CONFLICT (tenant_id, queue, key) DO UPDATE
SET task_id = excluded.task_id, created_at = excluded.created_at
WHERE k.created_at + $6::bigint <= excluded.created_at
RETURNING task_id
