-- select-run-key: Who holds a claimed key of a tenant (SPEC W15).
-- Parameters: tenant, key.
-- Returns: { run_pk, run_id, value, until_terminal } or none.
SELECT k.run_pk, r.id AS run_id, k.value, k.until_terminal
FROM {{run_keys}} AS k JOIN {{runs}} AS r ON r.pk = k.run_pk
WHERE k.tenant = ? AND k.key = ?
