-- buffered-signals: Live buffered signals on a key that a suspending task may take: those for any
-- task and those targeted at it (SPEC E25), oldest first.
-- Parameters: tenant, key, now, task seq.
-- Returns: BufferedSignalRow[].
SELECT seq, id, key, payload, created_at FROM {{signals}}
WHERE tenant = ? AND key = ? AND expires_at > ? AND (target_seq IS NULL OR target_seq = ?) ORDER BY seq
