-- Migration 0009: per-attempt summaries of a task (SPEC E28), replaced whole by a fenced
-- setSummary; read by attempt. Kept as long as the task's frames are.
CREATE TABLE {{task_summaries}} (
  task_seq    INTEGER NOT NULL,
  attempt     INTEGER NOT NULL,
  summary     TEXT    NOT NULL,
  updated_at  INTEGER NOT NULL,
  PRIMARY KEY (task_seq, attempt)
) WITHOUT ROWID;
