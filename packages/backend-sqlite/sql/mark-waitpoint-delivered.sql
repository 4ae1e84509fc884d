-- mark-waitpoint-delivered: Record the signal a waitpoint's token delivered: it delivers once (SPEC E25).
-- Parameters: signal id, delivered_at, waitpoint seq.
-- Returns: nothing.
UPDATE {{waitpoints}} SET signal_id = ?, delivered_at = ? WHERE seq = ?
