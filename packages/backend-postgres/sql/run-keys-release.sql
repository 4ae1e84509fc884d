-- run-keys-release: releases keys a run holds (SPEC W15); keys of other runs are left alone.
-- With $4 true, also every key the run claimed until_terminal (the run is terminal now).
-- Parameters: $1 tenant_id, $2 run_id, $3 keys (text[]), $4 release until_terminal keys (boolean)
-- Returns: nothing.
DELETE FROM {schema}.run_keys
WHERE tenant_id = $1 AND run_id = $2 AND (key = ANY($3::text[]) OR ($4::boolean AND until_terminal))
