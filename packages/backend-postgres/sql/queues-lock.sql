-- queues-lock: locks the settings rows of the claimed queues that have a concurrency limit or a
-- rate limit, in name order, so that claims from a limited queue take turns and each counts the
-- leases the previous one granted (SPEC E17, E21).
-- Parameters: $1 tenant_id, $2 queues (text[])
-- Returns: queue of each locked row.
SELECT queue
FROM {schema}.queues
WHERE tenant_id = $1 AND queue = ANY ($2::text[]) AND (concurrency IS NOT NULL OR rate_max IS NOT NULL)
ORDER BY queue
FOR UPDATE
