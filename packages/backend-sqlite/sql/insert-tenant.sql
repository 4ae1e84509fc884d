-- insert-tenant: Create a tenant unless the id exists.
-- Parameters: id, name, status, created_at, updated_at.
-- Returns: TenantRow, or none when the id exists.
INSERT INTO {{tenants}} (id, name, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (id) DO NOTHING
RETURNING id, name, status, created_at, updated_at
