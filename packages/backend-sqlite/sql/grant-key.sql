-- grant-key: Records a lease granted to a task of the key: its last_grant becomes the tenant's
-- largest plus one (least recently granted goes first, E20), read from concurrency_keys_by_grant.
-- Parameters: tenant, tenant, queue, key.
-- Returns: nothing.
UPDATE {{concurrency_keys}} SET last_grant = (SELECT coalesce(max(last_grant), 0) + 1 FROM {{concurrency_keys}} WHERE tenant = ?)
WHERE tenant = ? AND queue = ? AND key = ?
