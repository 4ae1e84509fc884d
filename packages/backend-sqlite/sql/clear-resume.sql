-- clear-resume: Forget what the next lease would carry from a past suspension.
-- Parameters: seq.
-- Returns: nothing.
UPDATE {{tasks}} SET resume = NULL WHERE seq = ?
