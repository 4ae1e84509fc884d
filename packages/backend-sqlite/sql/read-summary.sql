-- read-summary: The summary of one attempt of a task (SPEC E28).
-- Parameters: task seq, attempt.
-- Returns: SummaryRow, or no row.
SELECT attempt, summary, updated_at FROM {{task_summaries}} WHERE task_seq = ? AND attempt = ?
