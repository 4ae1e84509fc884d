-- step-upsert: inserts or replaces one step (SPEC W6). A new step takes the next position; a
-- replaced one keeps its position and created_at. The caller holds the run's lock (run-lock), so
-- the count is not raced.
-- Parameters: $1 now, $2 tenant_id, $3 run_id, $4 id, $5 status, $6 name (null), $7 input (json),
--   $8 output (json), $9 error (json)
-- Returns: the step (run_id, id, status, name, input, output, error, position, created_at, updated_at).
WITH clock AS (SELECT {schema}.now_ms($1::bigint) AS now)
INSERT INTO {schema}.steps (tenant_id, run_id, id, position, status, name, input, output, error, created_at, updated_at)
SELECT $2, $3, $4,
       (SELECT count(*) FROM {schema}.steps s WHERE s.tenant_id = $2 AND s.run_id = $3),
       $5, $6, $7::json, $8::json, $9::json, c.now, c.now
FROM clock c
ON CONFLICT (tenant_id, run_id, id) DO UPDATE
SET status = excluded.status, name = excluded.name, input = excluded.input, output = excluded.output,
    error = excluded.error, updated_at = excluded.updated_at
RETURNING run_id, id, status, name, input, output, error, position, created_at, updated_at
