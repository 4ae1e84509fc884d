-- task-fail: consumes the attempt of a locked task whose fence passed and retries it at a time or
-- dead-letters it (SPEC E8, E12, W11).
-- Parameters: $1 now, $2 tenant_id, $3 id, $4 epoch, $5 retry (boolean), $6 retry time (bigint;
--   ignored when dead), $7 last error (json), $8 the death-order sequence (regclass text)
-- Returns: id, queue, state when applied.
UPDATE {schema}.tasks
SET consumed = consumed + 1,
    last_error = $7::json,
    state = CASE WHEN $5::boolean THEN 'queued' ELSE 'dead' END,
    run_at = CASE WHEN $5::boolean THEN $6::bigint ELSE run_at END,
    ready_at = CASE WHEN $5::boolean THEN $6::bigint END,
    death_seq = CASE WHEN $5::boolean THEN NULL ELSE nextval($8::regclass) END,
    lease_expires_at = NULL,
    worker_id = NULL,
    updated_at = $1::bigint
WHERE tenant_id = $2 AND id = $3 AND epoch = $4 AND state = 'leased'
RETURNING id, queue, state
