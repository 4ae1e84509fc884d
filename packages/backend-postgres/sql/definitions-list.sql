-- definitions-list: every version of a definition, in insertion order (SPEC W1).
-- Parameters: $1 tenant_id, $2 id
-- Returns: id, version, spec, created_at per version.
SELECT id, version, spec, created_at
FROM {schema}.definitions
WHERE tenant_id = $1 AND id = $2
ORDER BY seq
