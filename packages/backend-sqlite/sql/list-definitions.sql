-- list-definitions: Every version of a definition, in insertion order.
-- Parameters: tenant, id.
-- Returns: DefinitionRow[].
SELECT id, version, spec, created_at FROM {{definitions}} WHERE tenant = ? AND id = ? ORDER BY seq
