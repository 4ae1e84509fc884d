-- 0002_completed_tasks: completed tasks move out of the hot table.
--
-- Applied as 0001 is (one transaction under pg_advisory_xact_lock, recorded with its SHA-256).
--
-- A completed task is final (SPEC E7: at most one terminal outcome), yet it stays readable:
-- getTask reports it with its result (E13) and a repeated complete is told apart by its epoch
-- (E7). Kept in `tasks`, every completion was a second update of a wide row with a new entry in
-- the primary key, and the table and its key grew with history, which every claim then walked
-- through. A completion now moves the row here, a narrow table written once and only appended
-- to: `tasks` holds the tasks that can still change, and its indexes stay as small as the work
-- in progress (ANCHORS: keep the hot table small, move finished rows out).
CREATE TABLE {schema}.tasks_completed (
  tenant_id        text COLLATE "C" NOT NULL,
  id               text COLLATE "C" NOT NULL,
  queue            text COLLATE "C" NOT NULL,
  payload          json NOT NULL,
  priority         bigint NOT NULL,
  run_at           bigint NOT NULL,
  max_attempts     bigint NOT NULL,
  attempt          bigint NOT NULL,
  -- The epoch of the lease whose complete settled the task (tasks.completed_epoch).
  epoch            bigint NOT NULL,
  last_error       json,
  result           json,
  progress         json,
  run_id           text,
  idempotency_key  text,
  created_at       bigint NOT NULL,
  -- When it completed.
  updated_at       bigint NOT NULL,
  PRIMARY KEY (tenant_id, id)
);

INSERT INTO {schema}.tasks_completed (
  tenant_id, id, queue, payload, priority, run_at, max_attempts, attempt, epoch, last_error, result, progress, run_id,
  idempotency_key, created_at, updated_at)
SELECT tenant_id, id, queue, payload, priority, run_at, max_attempts, attempt, completed_epoch, last_error, result, progress,
       run_id, idempotency_key, created_at, updated_at
FROM {schema}.tasks
WHERE state = 'completed';

DELETE FROM {schema}.tasks WHERE state = 'completed';

-- The view of 0001 over both tables: a completed task has no lease, no pending dependency (it
-- could only run once they had completed) and nothing of a suspension or a death.
DROP VIEW {schema}.task_records;
CREATE VIEW {schema}.task_records AS
SELECT t.tenant_id, t.id, t.queue, t.state, t.payload, t.attempt, t.max_attempts, t.epoch, t.priority, t.run_at,
       t.lease_expires_at, t.worker_id, t.last_error, t.result, t.progress, t.cancel_reason, t.run_id,
       t.idempotency_key, t.created_at, t.updated_at, t.suspend_timeout_at, t.death_seq,
       -- A dependency still in `tasks` has not completed.
       ARRAY(
         SELECT d.depends_on
         FROM {schema}.task_dependencies d
         JOIN {schema}.tasks dt ON dt.tenant_id = d.tenant_id AND dt.id = d.depends_on
         WHERE d.tenant_id = t.tenant_id AND d.task_id = t.id
         ORDER BY d.ordinal
       ) AS pending_dependencies
FROM {schema}.tasks t
UNION ALL
SELECT c.tenant_id, c.id, c.queue, 'completed', c.payload, c.attempt, c.max_attempts, c.epoch, c.priority, c.run_at,
       NULL::bigint, NULL::text, c.last_error, c.result, c.progress, NULL::text, c.run_id,
       c.idempotency_key, c.created_at, c.updated_at, NULL::bigint, NULL::bigint, '{}'::text[]
FROM {schema}.tasks_completed c;
