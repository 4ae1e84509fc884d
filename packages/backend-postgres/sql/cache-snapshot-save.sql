-- cache-snapshot-save: saves (overwrites) an execution's cached snapshot (SPEC S1).
-- Parameters: $1 now, $2 tenant_id, $3 execution_id, $4 sequence, $5 state (json), $6 ttl_ms (null: no expiry)
-- Returns: nothing.
WITH clock AS (SELECT {schema}.now_ms($1::bigint) AS now)
INSERT INTO {schema}.cache_snapshots (tenant_id, execution_id, sequence, state, saved_at, expires_at)
SELECT $2, $3, $4, $5::json, c.now, c.now + $6::bigint FROM clock c
ON CONFLICT (tenant_id, execution_id) DO UPDATE
SET sequence = excluded.sequence, state = excluded.state, saved_at = excluded.saved_at, expires_at = excluded.expires_at
