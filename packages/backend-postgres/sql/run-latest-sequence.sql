-- run-latest-sequence: the run's latest event sequence (SPEC W9).
-- Parameters: $1 tenant_id, $2 run_id
-- Returns: latest_sequence; no row when the run is unknown.
SELECT latest_sequence
FROM {schema}.runs
WHERE tenant_id = $1 AND id = $2
