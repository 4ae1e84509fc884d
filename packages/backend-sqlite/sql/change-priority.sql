-- change-priority: Set a non-terminal task's priority (SPEC E26). The claim indexes follow the
-- column; a keyed task's key head is refreshed by the caller in the same transaction.
-- Parameters: priority, updated_at, seq.
-- Returns: nothing.
UPDATE {{tasks}} SET priority = ?, updated_at = ? WHERE seq = ?
