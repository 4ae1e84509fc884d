-- definition-insert: stores a definition unless (tenant, id, version) exists (SPEC W1).
-- Parameters: $1 now (bigint; null: the server's clock), $2 tenant_id, $3 id, $4 version, $5 spec (json)
-- Returns: the definition (id, version, spec, created_at) when stored; no row when it existed.
WITH clock AS (SELECT {schema}.now_ms($1::bigint) AS now)
INSERT INTO {schema}.definitions (tenant_id, id, version, spec, created_at)
SELECT $2, $3, $4, $5::json, c.now FROM clock c
ON CONFLICT (tenant_id, id, version) DO NOTHING
RETURNING id, version, spec, created_at
