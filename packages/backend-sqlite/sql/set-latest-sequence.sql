-- set-latest-sequence: Advance a run's sequence counter.
-- Parameters: latest sequence, pk.
-- Returns: nothing.
UPDATE {{runs}} SET latest_sequence = ? WHERE pk = ?
