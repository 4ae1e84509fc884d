-- delete-values-with-prefix: Remove every value whose key starts with a prefix, matched literally:
-- a range on the primary key (prefix <= key < the prefix with its last character incremented)
-- narrowed by an exact substr comparison, never LIKE or GLOB, so no character of an id acts as a
-- wildcard.
-- Parameters: tenant, prefix, upper bound, prefix, prefix, now.
-- Returns: { live }[] (one per removed row).
DELETE FROM {{kv}} WHERE tenant = ? AND key >= ? AND key < ? AND substr(key, 1, length(?)) = ?
RETURNING (expires_at IS NULL OR expires_at > ?) AS live
