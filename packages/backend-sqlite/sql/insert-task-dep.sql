-- insert-task-dep: Record that a task depends on another.
-- Parameters: task seq, dependency seq, position in dependsOn.
-- Returns: nothing.
INSERT OR IGNORE INTO {{task_deps}} (task_seq, dep_seq, position) VALUES (?, ?, ?)
