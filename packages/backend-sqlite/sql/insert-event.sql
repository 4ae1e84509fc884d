-- insert-event: Append one event.
-- Parameters: run pk, sequence, type, payload (JSON), event id (null: none), created_at.
-- Returns: nothing.
INSERT INTO {{events}} (run_pk, sequence, type, payload, event_id, created_at) VALUES (?, ?, ?, ?, ?, ?)
