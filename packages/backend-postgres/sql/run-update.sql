-- run-update: changes a run's status and/or context (SPEC W3, W4); the caller checked the move.
-- completed_at is set once, when the run becomes terminal.
-- Parameters: $1 now, $2 tenant_id, $3 id, $4 status (null: unchanged), $5 context (json; null: unchanged),
--   $6 context kind (core's stored form, SPEC W13), set with the context
-- Returns: the run's columns after the change; no row when absent.
WITH clock AS (SELECT {schema}.now_ms($1::bigint) AS now)
UPDATE {schema}.runs r
SET status = coalesce($4::text, r.status),
    context = coalesce($5::json, r.context),
    context_kind = CASE WHEN $5::json IS NULL THEN r.context_kind ELSE $6::text END,
    updated_at = c.now,
    completed_at = CASE WHEN r.completed_at IS NULL AND $4::text IN ('completed', 'failed', 'cancelled') THEN c.now ELSE r.completed_at END
FROM clock c
WHERE r.tenant_id = $2 AND r.id = $3
RETURNING r.id, r.workflow_id, r.version, r.status, r.input, r.context, r.context_kind, r.created_at, r.updated_at, r.completed_at, r.latest_sequence
