-- select-definition: One definition.
-- Parameters: tenant, id, version.
-- Returns: DefinitionRow or none.
SELECT id, version, spec, created_at FROM {{definitions}} WHERE tenant = ? AND id = ? AND version = ?
