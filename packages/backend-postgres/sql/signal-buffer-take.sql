-- signal-buffer-take: removes the buffered signals on keys that the suspending task may take (those
-- for any task, and those a waitpoint buffered for it, SPEC E25) and returns the live ones, oldest
-- first (SPEC E14); expired ones were invisible and are dropped.
-- Parameters: $1 now, $2 tenant_id, $3 keys (text[]), $4 signal_ttl_ms, $5 the suspending task's id
-- Returns: id, key, payload, created_at per live signal, in buffering order.
WITH taken AS (
  DELETE FROM {schema}.signal_buffer
  WHERE tenant_id = $2 AND key = ANY ($3::text[]) AND (task_id IS NULL OR task_id = $5)
  RETURNING seq, id, key, payload, created_at
)
SELECT id, key, payload, created_at
FROM taken
WHERE created_at + $4::bigint > $1::bigint
ORDER BY seq
