-- select-waitpoint: A waitpoint of the tenant by id, for a signal through its token (SPEC E25).
-- Parameters: tenant, id.
-- Returns: WaitpointRow, or no row.
SELECT seq, task_seq, key, signal_id FROM {{waitpoints}} WHERE tenant = ? AND id = ?
