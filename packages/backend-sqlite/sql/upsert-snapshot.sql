-- upsert-snapshot: Store a snapshot, replacing one at the same sequence.
-- Parameters: run pk, at_sequence, state (JSON), created_at.
-- Returns: SnapshotRow.
INSERT INTO {{snapshots}} (run_pk, at_sequence, state, created_at) VALUES (?, ?, ?, ?)
ON CONFLICT (run_pk, at_sequence) DO UPDATE SET state = excluded.state, created_at = excluded.created_at
RETURNING at_sequence, state, created_at
