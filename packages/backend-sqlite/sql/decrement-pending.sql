-- decrement-pending: Count one completed dependency of a blocked task.
-- Parameters: seq.
-- Returns: { pending_deps } (what remains).
UPDATE {{tasks}} SET pending_deps = pending_deps - 1 WHERE seq = ? RETURNING pending_deps
