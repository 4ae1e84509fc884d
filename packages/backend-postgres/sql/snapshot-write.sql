-- snapshot-write: stores a durable snapshot at a sequence no later than the run's latest; one at
-- the same sequence is replaced (SPEC W10).
-- Parameters: $1 now, $2 tenant_id, $3 run_id, $4 at_sequence, $5 state (json)
-- Returns: run_id, at_sequence, state, created_at; no row when the run is unknown or $4 is beyond
--   its latest sequence.
WITH clock AS (SELECT {schema}.now_ms($1::bigint) AS now)
INSERT INTO {schema}.snapshots (tenant_id, run_id, at_sequence, state, created_at)
SELECT r.tenant_id, r.id, $4, $5::json, c.now
FROM {schema}.runs r CROSS JOIN clock c
WHERE r.tenant_id = $2 AND r.id = $3 AND r.latest_sequence >= $4
ON CONFLICT (tenant_id, run_id, at_sequence) DO UPDATE
SET state = excluded.state, created_at = excluded.created_at
RETURNING run_id, at_sequence, state, created_at
