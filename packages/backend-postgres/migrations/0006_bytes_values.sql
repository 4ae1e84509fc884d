-- 0006_bytes_values: bytes where engines keep bytes (SPEC W13).
--
-- Applied as 0001 is (one transaction under pg_advisory_xact_lock, recorded with its SHA-256).
--
-- Event payloads, run contexts, task payloads and results and frames may hold byte arrays. Each
-- such column gets a kind marker (<column>_kind) and, where the value itself may be a byte array,
-- a bytea (<column>_bytes), in core's stored form (docs/decisions.md, "W13 nested bytes in a
-- store"): kind NULL is the value's json exactly as before this migration, so no stored row
-- changes; 'bytes' is a byte array in the bytea (the json column holds null); 'nested' is json in
-- which each byte array is {"$bytes":"<base64>"} and member names starting with '$' carry one
-- more '$'. A context is an object, never a byte array: it has no bytea. Adding nullable columns
-- without a default rewrites no row.
ALTER TABLE {schema}.events ADD COLUMN payload_kind text, ADD COLUMN payload_bytes bytea;
ALTER TABLE {schema}.runs ADD COLUMN context_kind text;
ALTER TABLE {schema}.tasks ADD COLUMN payload_kind text, ADD COLUMN payload_bytes bytea;
ALTER TABLE {schema}.tasks_completed
  ADD COLUMN payload_kind text, ADD COLUMN payload_bytes bytea, ADD COLUMN result_kind text, ADD COLUMN result_bytes bytea;
ALTER TABLE {schema}.frames ADD COLUMN data_kind text, ADD COLUMN data_bytes bytea;

-- The view of 0002 with the new columns at its end (a task still in `tasks` has no result).
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
       t.payload_kind, t.payload_bytes, NULL::text AS result_kind, NULL::bytea AS result_bytes
FROM {schema}.tasks t
UNION ALL
SELECT c.tenant_id, c.id, c.queue, 'completed', c.payload, c.attempt, c.max_attempts, c.epoch, c.priority, c.run_at,
       NULL::bigint, NULL::text, c.last_error, c.result, c.progress, NULL::text, c.run_id,
       c.idempotency_key, c.created_at, c.updated_at, NULL::bigint, NULL::bigint, '{}'::text[],
       c.payload_kind, c.payload_bytes, c.result_kind, c.result_bytes
FROM {schema}.tasks_completed c;
