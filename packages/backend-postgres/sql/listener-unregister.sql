-- listener-unregister: removes this listener's registrations (at close).
-- Parameters: $1 listener_id
-- Returns: nothing.
DELETE FROM {schema}.listeners
WHERE listener_id = $1
