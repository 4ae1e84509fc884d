-- delete-run: Remove a run row (its steps, events and snapshots are removed by the statements
-- below).
-- Parameters: pk.
-- Returns: nothing.
DELETE FROM {{runs}} WHERE pk = ?
