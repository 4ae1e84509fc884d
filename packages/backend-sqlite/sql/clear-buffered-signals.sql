-- clear-buffered-signals: Drop the buffered signals of a key that were taken or have expired.
-- Parameters: tenant, key.
-- Returns: nothing. (Run after BUFFERED_SIGNALS took the live ones.)
DELETE FROM {{signals}} WHERE tenant = ? AND key = ?
