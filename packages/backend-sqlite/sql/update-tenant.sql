-- update-tenant: Change a tenant's name and status (null keeps the field).
-- Parameters: name, status, updated_at, id.
-- Returns: TenantRow or none.
UPDATE {{tenants}} SET name = coalesce(?, name), status = coalesce(?, status), updated_at = ? WHERE id = ?
RETURNING id, name, status, created_at, updated_at
