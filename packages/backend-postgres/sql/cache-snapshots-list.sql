-- cache-snapshots-list: one page of the execution ids with a live cached snapshot, in code-point
-- order (COLLATE "C", SPEC S1, C5).
-- Parameters: $1 now, $2 tenant_id, $3 after (the previous page's last id; null for the first), $4 limit (page size + 1)
-- Returns: execution_id per snapshot.
WITH clock AS (SELECT {schema}.now_ms($1::bigint) AS now)
SELECT s.execution_id
FROM {schema}.cache_snapshots s CROSS JOIN clock c
WHERE s.tenant_id = $2 AND ($3::text IS NULL OR s.execution_id > $3::text)
  AND (s.expires_at IS NULL OR s.expires_at > c.now)
ORDER BY s.execution_id
LIMIT $4
