-- signal-deliver: attaches a signal to locked suspended tasks; those it satisfies become queued
-- now and their next lease carries every signal attached (SPEC E14, E15).
-- Parameters: $1 now, $2 tenant_id, $3 ids (text[]), $4 signals after delivery (jsonb[]),
--   $5 resumed (boolean[])
-- Returns: id, queue, resumed per task.
UPDATE {schema}.tasks t
SET signals = CASE WHEN d.resumed THEN NULL ELSE d.signals END,
    resume_signals = CASE WHEN d.resumed THEN d.signals ELSE t.resume_signals END,
    resume_timed_out = CASE WHEN d.resumed THEN false ELSE t.resume_timed_out END,
    state = CASE WHEN d.resumed THEN 'queued' ELSE t.state END,
    run_at = CASE WHEN d.resumed THEN $1::bigint ELSE t.run_at END,
    ready_at = CASE WHEN d.resumed THEN $1::bigint ELSE t.ready_at END,
    suspend_keys = CASE WHEN d.resumed THEN NULL ELSE t.suspend_keys END,
    suspend_mode = CASE WHEN d.resumed THEN NULL ELSE t.suspend_mode END,
    suspend_timeout_at = CASE WHEN d.resumed THEN NULL ELSE t.suspend_timeout_at END,
    updated_at = $1::bigint
FROM unnest($3::text[], $4::jsonb[], $5::boolean[]) AS d(id, signals, resumed)
WHERE t.tenant_id = $2 AND t.id = d.id AND t.state = 'suspended'
RETURNING t.id, t.queue, d.resumed
