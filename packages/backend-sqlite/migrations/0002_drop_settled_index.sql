-- Migration 0002: settling a task no longer maintains an index entry.
--
-- tasks_settled held an entry for every blocked, completed, dead and cancelled task, for the
-- counts of queueStats alone. Keeping it cost every completion (the commonest write of a task
-- queue) one more page written to the WAL on commit: four pages instead of three. queueStats now
-- counts those states by reading the tenant's tasks (docs in src/sql/engine.ts, COUNT_SETTLED).
DROP INDEX {{tasks_settled}};
