-- insert-event: Append one event.
-- Parameters: run pk, sequence, type, payload (JSON), payload kind, payload bytes (SPEC W13), event id (null: none), created_at.
-- Returns: nothing.
INSERT INTO {{events}} (run_pk, sequence, type, payload, payload_kind, payload_bytes, event_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
