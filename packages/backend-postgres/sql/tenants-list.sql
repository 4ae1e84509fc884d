-- tenants-list: one page of tenant records in code-point order of id (SPEC T2, C5).
-- Parameters: $1 after (the previous page's last id; null for the first), $2 limit (page size + 1)
-- Returns: id, name, status, created_at, updated_at.
SELECT id, name, status, created_at, updated_at
FROM {schema}.tenants
WHERE $1::text IS NULL OR id > $1::text
ORDER BY id
LIMIT $2
