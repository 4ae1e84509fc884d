-- tenant-update: changes a tenant's name and/or status (SPEC T2).
-- Parameters: $1 now, $2 id, $3 name (null: unchanged), $4 status (null: unchanged)
-- Returns: the record after the change; no row when absent.
WITH clock AS (SELECT {schema}.now_ms($1::bigint) AS now)
UPDATE {schema}.tenants t
SET name = coalesce($3::text, t.name), status = coalesce($4::text, t.status), updated_at = c.now
FROM clock c
WHERE t.id = $2
RETURNING t.id, t.name, t.status, t.created_at, t.updated_at
