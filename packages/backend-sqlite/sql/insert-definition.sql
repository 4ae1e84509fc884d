-- insert-definition: Store a definition; (tenant, id, version) is unique.
-- Parameters: tenant, id, version, spec (JSON), created_at.
-- Returns: nothing.
INSERT INTO {{definitions}} (tenant, id, version, spec, created_at) VALUES (?, ?, ?, ?, ?)
