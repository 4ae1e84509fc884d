-- signal-collected: A suspended task collected a signal and still waits for more (mode "all"): its
-- updated_at moves with the write (E15), its state does not.
-- Parameters: updated_at, seq.
-- Returns: nothing.
UPDATE {{tasks}} SET updated_at = ? WHERE seq = ?
