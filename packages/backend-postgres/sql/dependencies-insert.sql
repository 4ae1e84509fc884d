-- dependencies-insert: records a task's dependencies in dependsOn order (SPEC E16).
-- Parameters: $1 tenant_id, $2 task_id, $3 depends_on (text[], in order)
-- Returns: nothing (a repeat of the same insert adds nothing).
INSERT INTO {schema}.task_dependencies (tenant_id, task_id, depends_on, ordinal)
SELECT $1, $2, d.id, d.ord
FROM unnest($3::text[]) WITH ORDINALITY AS d(id, ord)
ON CONFLICT (tenant_id, task_id, depends_on) DO NOTHING
