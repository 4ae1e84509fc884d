-- tenant-suspended: whether a tenant is suspended (SPEC T2); a tenant without a record is active.
-- Parameters: $1 id
-- Returns: one row: suspended.
SELECT EXISTS (SELECT 1 FROM {schema}.tenants WHERE id = $1 AND status = 'suspended') AS suspended
