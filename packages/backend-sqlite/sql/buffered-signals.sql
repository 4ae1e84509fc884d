-- buffered-signals: Live buffered signals on a key, oldest first.
-- Parameters: tenant, key, now.
-- Returns: BufferedSignalRow[].
SELECT seq, id, key, payload, created_at FROM {{signals}} WHERE tenant = ? AND key = ? AND expires_at > ? ORDER BY seq
