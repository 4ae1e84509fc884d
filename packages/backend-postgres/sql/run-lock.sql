-- run-lock: locks a run for the rest of the transaction (status moves, context appends, steps,
-- commit), so that concurrent writers of one run take turns.
-- Parameters: $1 now, $2 tenant_id, $3 id
-- Returns: the run's columns and now (the time the rest of the transaction uses); no row when absent.
SELECT id, workflow_id, version, status, input, context, context_kind, created_at, updated_at, completed_at, latest_sequence,
       {schema}.now_ms($1::bigint) AS now
FROM {schema}.runs
WHERE tenant_id = $2 AND id = $3
FOR UPDATE
