-- listener-heartbeat: refreshes this listener's registrations and removes those of listeners
-- silent for ten minutes (a process that died without closing). Real time, not the injected
-- clock: this is about connections, not about the contract.
-- Parameters: $1 listener_id
-- Returns: nothing.
WITH refreshed AS (
  UPDATE {schema}.listeners SET heartbeat_at = clock_timestamp() WHERE listener_id = $1 RETURNING 1
)
DELETE FROM {schema}.listeners
WHERE listener_id <> $1 AND heartbeat_at < clock_timestamp() - interval '10 minutes'
