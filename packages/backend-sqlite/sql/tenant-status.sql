-- tenant-status: A tenant's status (a tenant without a record is active).
-- Parameters: tenant id.
-- Returns: { status } or none.
SELECT status FROM {{tenants}} WHERE id = ?
