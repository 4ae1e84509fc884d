-- run-keys-claim: claims keys for a run (SPEC W15). A key no run holds is inserted; one the run
-- holds gets the new value and until_terminal; one another run holds is left as it is and not
-- returned, and the caller rolls back. ON CONFLICT waits for a concurrent claimer of the same key
-- to commit or roll back, so of concurrent claimers exactly one holds the key.
-- Parameters: $1 tenant_id, $2 run_id, $3 keys (text[]), $4 values (json[]), $5 until_terminal (boolean[])
-- Returns: key per key the run now holds.
INSERT INTO {schema}.run_keys AS k (tenant_id, key, run_id, value, until_terminal)
SELECT $1, c.key, $2, c.value, c.until_terminal
FROM unnest($3::text[], $4::json[], $5::boolean[]) AS c(key, value, until_terminal)
ON CONFLICT (tenant_id, key) DO UPDATE SET value = excluded.value, until_terminal = excluded.until_terminal
WHERE k.run_id = excluded.run_id
RETURNING key
