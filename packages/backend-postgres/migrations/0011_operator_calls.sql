-- 0011_operator_calls: what the operator calls need (SPEC E26).
--
-- Applied as 0001 is (one transaction under pg_advisory_xact_lock, recorded with its SHA-256).
--
-- - replays: how many times `replay` made a task run again (getTask reports it once above 0).
--   On both tables, since a replayed task may complete again. A constant default rewrites no row.
-- - A completed task keeps what a replay needs to put it back into `tasks` (sql/task-restore.sql):
--   its enqueue order (seq: the claim order's last tie-breaker, and the order listTasks walks) and
--   its backoff. Tasks completed before this migration lost both: their backoff stays null (a
--   replay gives them core's default) and they get negative enqueue numbers in (created_at, id)
--   order, so that they come before every task enqueued since, as they most likely were.
-- - listTasks walks the tenant's tasks in enqueue order over both tables: an index on each.
-- - shown_state: the state reads show (docs/decisions.md, effective state), for the statements
--   that filter or count by it.
-- - task_records gains seq, replays and concurrency_key, which its readers read beside it before.
ALTER TABLE {schema}.tasks ADD COLUMN replays bigint NOT NULL DEFAULT 0;
ALTER TABLE {schema}.tasks_completed
  ADD COLUMN replays bigint NOT NULL DEFAULT 0,
  ADD COLUMN seq bigint,
  ADD COLUMN backoff_base_ms bigint,
  ADD COLUMN backoff_factor double precision,
  ADD COLUMN backoff_max_ms bigint;

UPDATE {schema}.tasks_completed c
SET seq = o.seq
FROM (
  SELECT d.tenant_id, d.id, row_number() OVER (ORDER BY d.created_at, d.id) - count(*) OVER () - 1 AS seq
  FROM {schema}.tasks_completed d
) o
WHERE c.tenant_id = o.tenant_id AND c.id = o.id;
ALTER TABLE {schema}.tasks_completed ALTER COLUMN seq SET NOT NULL;

CREATE INDEX tasks_in_order ON {schema}.tasks (tenant_id, seq);
CREATE INDEX tasks_completed_in_order ON {schema}.tasks_completed (tenant_id, seq);

-- A queued task reads as ready once its run_at has come, else scheduled; a suspension whose
-- timeout has come reads as ready; every other state as stored (src/rows.ts, taskRecord).
CREATE FUNCTION {schema}.shown_state(p_state text, p_run_at bigint, p_suspend_timeout_at bigint, p_now bigint) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT CASE
           WHEN p_state = 'queued' THEN CASE WHEN p_run_at <= p_now THEN 'ready' ELSE 'scheduled' END
           WHEN p_state = 'suspended' AND p_suspend_timeout_at <= p_now THEN 'ready'
           ELSE p_state
         END
$$;

-- The view of 0006 with the new columns at its end.
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
       ) AS pending_dependencies,
       t.payload_kind, t.payload_bytes, NULL::text AS result_kind, NULL::bytea AS result_bytes,
       t.seq, t.replays, t.concurrency_key
FROM {schema}.tasks t
UNION ALL
SELECT c.tenant_id, c.id, c.queue, 'completed', c.payload, c.attempt, c.max_attempts, c.epoch, c.priority, c.run_at,
       NULL::bigint, NULL::text, c.last_error, c.result, c.progress, NULL::text, c.run_id,
       c.idempotency_key, c.created_at, c.updated_at, NULL::bigint, NULL::bigint,
       -- Empty unless a dependency was replayed after this task completed (SPEC E26).
       ARRAY(
         SELECT d.depends_on
         FROM {schema}.task_dependencies d
         JOIN {schema}.tasks dt ON dt.tenant_id = d.tenant_id AND dt.id = d.depends_on
         WHERE d.tenant_id = c.tenant_id AND d.task_id = c.id
         ORDER BY d.ordinal
       ),
       c.payload_kind, c.payload_bytes, c.result_kind, c.result_bytes,
       c.seq, c.replays, c.concurrency_key
FROM {schema}.tasks_completed c;
