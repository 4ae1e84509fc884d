-- tasks-fence: what the fence of docs/decisions.md reads, for holder calls that matched no row
-- (SPEC E5): the caller then reports the first check that fails.
-- Parameters: $1 now, $2 tenant_ids (text[]), $3 ids (text[])
-- Returns: tenant_id, id, state, epoch, ended_lease, lease_expires_at, completed_epoch,
--   has_dependents, now per task that exists.
WITH clock AS (SELECT {schema}.now_ms($1::bigint) AS now)
SELECT t.tenant_id, t.id, t.state, t.epoch, t.ended_lease, t.lease_expires_at, t.completed_epoch, t.has_dependents, c.now
FROM unnest($2::text[], $3::text[]) AS k(tenant_id, id)
JOIN {schema}.tasks t ON t.tenant_id = k.tenant_id AND t.id = k.id
CROSS JOIN clock c
