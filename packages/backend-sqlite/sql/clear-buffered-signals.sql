-- clear-buffered-signals: Drop the buffered signals of a key that a suspending task took or that
-- have expired; those targeted at other tasks stay theirs (SPEC E25).
-- Parameters: tenant, key, task seq, now.
-- Returns: nothing. (Run after BUFFERED_SIGNALS took the live ones.)
DELETE FROM {{signals}} WHERE tenant = ? AND key = ? AND (target_seq IS NULL OR target_seq = ? OR expires_at <= ?)
