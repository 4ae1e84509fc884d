-- token-insert: records a token by its hash (SPEC T3).
-- Parameters: $1 now, $2 id, $3 tenant_id, $4 name, $5 role, $6 hash (sha256 hex), $7 expires_at (null: never)
-- Returns: id, tenant_id, name, role, created_at, expires_at, revoked_at.
WITH clock AS (SELECT {schema}.now_ms($1::bigint) AS now)
INSERT INTO {schema}.tokens (id, tenant_id, name, role, hash, created_at, expires_at)
SELECT $2, $3, $4, $5, $6, c.now, $7::bigint FROM clock c
RETURNING id, tenant_id, name, role, created_at, expires_at, revoked_at
