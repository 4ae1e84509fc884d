-- tasks-fence: what the fence of docs/decisions.md reads, for holder calls that matched no row
-- (SPEC E5): the caller then reports the first check that fails. A completed task is read from
-- tasks_completed; one snapshot sees a task in exactly one of the two tables.
-- Parameters: $1 now, $2 tenant_ids (text[]), $3 ids (text[])
-- Returns: tenant_id, id, state, epoch, lease_id (SPEC T4), ended_lease, lease_expires_at,
--   completed_epoch, run_at, has_dependents, now per task that exists.
WITH clock AS (SELECT {schema}.now_ms($1::bigint) AS now),
keys AS (SELECT * FROM unnest($2::text[], $3::text[]) AS k(tenant_id, id))
SELECT t.tenant_id, t.id, t.state, t.epoch, t.lease_id, t.ended_lease, t.lease_expires_at, t.completed_epoch, t.run_at, t.has_dependents, c.now
FROM keys k
JOIN {schema}.tasks t ON t.tenant_id = k.tenant_id AND t.id = k.id
CROSS JOIN clock c
UNION ALL
SELECT d.tenant_id, d.id, 'completed', d.epoch, d.lease_id, NULL, NULL, d.epoch, NULL, false, c.now
FROM keys k
JOIN {schema}.tasks_completed d ON d.tenant_id = k.tenant_id AND d.id = k.id
CROSS JOIN clock c
