-- insert-event: Append one event.
-- Parameters: run pk, sequence, type, payload (JSON), created_at.
-- Returns: nothing.
INSERT INTO {{events}} (run_pk, sequence, type, payload, created_at) VALUES (?, ?, ?, ?, ?)
