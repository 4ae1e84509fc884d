-- definition-get: one definition, optionally compared with a spec (SPEC W1).
-- Parameters: $1 tenant_id, $2 id, $3 version, $4 spec to compare (json; null: no comparison)
-- Returns: id, version, spec, created_at, same (spec equals $4 as a JSON value, member order
--   aside; null without $4); no row when absent.
SELECT id, version, spec, created_at, (spec::jsonb = $4::jsonb) AS same
FROM {schema}.definitions
WHERE tenant_id = $1 AND id = $2 AND version = $3
