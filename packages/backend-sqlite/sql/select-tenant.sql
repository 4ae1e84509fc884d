-- select-tenant: One tenant.
-- Parameters: id.
-- Returns: TenantRow or none.
SELECT id, name, status, created_at, updated_at FROM {{tenants}} WHERE id = ?
