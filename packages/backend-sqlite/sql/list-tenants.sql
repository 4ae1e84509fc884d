-- list-tenants: A page of tenants in id order.
-- Parameters: after id ('' for the first page), limit.
-- Returns: TenantRow[].
SELECT id, name, status, created_at, updated_at FROM {{tenants}} WHERE id > ? ORDER BY id LIMIT ? + 0
