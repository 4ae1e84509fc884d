-- upsert-summary: Replace the summary of one attempt of a task (SPEC E28).
-- Parameters: task seq, attempt, summary (JSON), updated_at.
-- Returns: nothing.
INSERT INTO {{task_summaries}} (task_seq, attempt, summary, updated_at) VALUES (?, ?, ?, ?)
ON CONFLICT (task_seq, attempt) DO UPDATE SET summary = excluded.summary, updated_at = excluded.updated_at
