-- run-insert: creates a pending run unless the id exists (SPEC W2).
-- Parameters: $1 now, $2 tenant_id, $3 id, $4 workflow_id, $5 version, $6 input (json), $7 context (json), $8 context kind (core's stored form, SPEC W13)
-- Returns: the run's columns when created; no row when the id exists.
WITH clock AS (SELECT {schema}.now_ms($1::bigint) AS now)
INSERT INTO {schema}.runs (tenant_id, id, workflow_id, version, status, input, context, context_kind, created_at, updated_at)
SELECT $2, $3, $4, $5, 'pending', $6::json, $7::json, $8::text, c.now, c.now FROM clock c
ON CONFLICT (tenant_id, id) DO NOTHING
RETURNING id, workflow_id, version, status, input, context, context_kind, created_at, updated_at, completed_at, latest_sequence
