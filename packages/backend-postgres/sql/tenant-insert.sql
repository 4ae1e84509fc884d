-- tenant-insert: creates a tenant record unless the id exists (SPEC T2).
-- Parameters: $1 now, $2 id, $3 name, $4 status
-- Returns: id, name, status, created_at, updated_at when created; no row when the id exists.
WITH clock AS (SELECT {schema}.now_ms($1::bigint) AS now)
INSERT INTO {schema}.tenants (id, name, status, created_at, updated_at)
SELECT $2, $3, $4, c.now, c.now FROM clock c
ON CONFLICT (id) DO NOTHING
RETURNING id, name, status, created_at, updated_at
