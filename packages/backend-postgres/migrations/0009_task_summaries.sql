-- 0009_task_summaries: the summary document of each attempt of a task (SPEC E28), replaced whole
-- by a fenced setSummary and read by attempt. Kept as long as the task's frames are.
CREATE TABLE {schema}.task_summaries (
  tenant_id   text COLLATE "C" NOT NULL,
  task_id     text COLLATE "C" NOT NULL,
  attempt     bigint NOT NULL,
  summary     json NOT NULL,
  updated_at  bigint NOT NULL,
  PRIMARY KEY (tenant_id, task_id, attempt)
);
