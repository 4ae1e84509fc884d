-- signal-buffer-insert: buffers a signal no task waited for (SPEC E15); a waitpoint's, for its
-- task alone (SPEC E25).
-- Parameters: $1 now, $2 tenant_id, $3 id, $4 key, $5 payload (json), $6 task_id (null: any task
--   suspending on the key takes it)
-- Returns: nothing.
INSERT INTO {schema}.signal_buffer (tenant_id, id, key, payload, created_at, task_id)
VALUES ($2, $3, $4, $5::json, $1::bigint, $6)
