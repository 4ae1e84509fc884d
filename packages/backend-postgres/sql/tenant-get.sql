-- tenant-get: one tenant record (SPEC T2).
-- Parameters: $1 id
-- Returns: id, name, status, created_at, updated_at; no row when absent.
SELECT id, name, status, created_at, updated_at
FROM {schema}.tenants
WHERE id = $1
