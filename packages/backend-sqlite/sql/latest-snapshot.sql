-- latest-snapshot: The snapshot with the highest sequence.
-- Parameters: tenant, run id.
-- Returns: SnapshotRow or none.
SELECT s.at_sequence, s.state, s.created_at
FROM {{runs}} AS r JOIN {{snapshots}} AS s ON s.run_pk = r.pk
WHERE r.tenant = ? AND r.id = ?
ORDER BY s.at_sequence DESC LIMIT 1
