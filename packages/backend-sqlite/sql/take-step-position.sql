-- take-step-position: Take the next step position of a run.
-- Parameters: run pk.
-- Returns: { position }.
UPDATE {{runs}} SET next_position = next_position + 1 WHERE pk = ? RETURNING next_position - 1 AS position
