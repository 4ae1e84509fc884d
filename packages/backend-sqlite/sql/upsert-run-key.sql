-- upsert-run-key: Claim a key for a run, or claim again a key the run holds (SPEC W15). The
-- caller has checked in this transaction that no other run holds it; the primary key refuses a
-- second holder whatever happens.
-- Parameters: tenant, key, run pk, value (JSON), until_terminal (0 or 1).
-- Returns: nothing.
INSERT INTO {{run_keys}} (tenant, key, run_pk, value, until_terminal) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (tenant, key) DO UPDATE SET value = excluded.value, until_terminal = excluded.until_terminal
WHERE {{run_keys}}.run_pk = excluded.run_pk
