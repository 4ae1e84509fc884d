-- Migration 0007: a keyless ready task is in one claim index, not two.
--
-- Migration 0005 added tasks_ready_keyless (ready tasks without a concurrency key) and
-- tasks_ready_by_key (with one) beside tasks_ready (every ready task), so every keyless task that
-- became ready or was claimed wrote two index entries, and its commit one more page to the WAL: a
-- queue that uses no keys paid for them on every claim. The two partial indexes together hold
-- every ready task, so tasks_ready goes (as tasks_settled did in migration 0002): the keyless claim
-- reads tasks_ready_keyless, and the statements that look at every ready task read both.
DROP INDEX {{tasks_ready}};
