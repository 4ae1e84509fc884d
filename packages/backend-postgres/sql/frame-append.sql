-- frame-append: appends a frame to the stream of the lease's attempt (SPEC E18). The task row's
-- counter, bumped under its lock with the epoch and leaseId in the WHERE clause, numbers frames
-- per (task, attempt) from 1 without gaps and rejects a stale or forged lease (SPEC E5, T4). When a
-- listener registered (tenant, 'frame'), the append wakes the task's tailing readers (E28) on commit.
-- Parameters: $1 now, $2 tenant_id, $3 task_id, $4 epoch, $5 data (json), $6 lease_id, $7 data kind, $8 data bytes (core's stored form, SPEC W13),
--   $9 channel
-- Returns: sequence of the frame; no row when the fence fails.
WITH clock AS (SELECT {schema}.now_ms($1::bigint) AS now),
held AS (
  UPDATE {schema}.tasks t
  SET frame_seq = CASE
        WHEN t.frame_attempt = t.attempt THEN t.frame_seq
        ELSE (SELECT coalesce(max(f.sequence), 0) FROM {schema}.frames f
              WHERE f.tenant_id = t.tenant_id AND f.task_id = t.id AND f.attempt = t.attempt)
      END + 1,
      frame_attempt = t.attempt
  FROM clock c
  WHERE t.tenant_id = $2 AND t.id = $3 AND t.epoch = $4 AND t.lease_id = $6 AND t.state = 'leased' AND t.lease_expires_at > c.now
  RETURNING t.attempt, t.frame_seq
),
inserted AS (
  INSERT INTO {schema}.frames (tenant_id, task_id, attempt, sequence, data, data_kind, data_bytes, created_at)
  SELECT $2, $3, h.attempt, h.frame_seq, $5::json, $7::text, $8::bytea, c.now
  FROM held h CROSS JOIN clock c
  RETURNING sequence
),
notified AS (
  SELECT pg_notify($9, json_build_object('t', $2::text, 'k', 'frame', 'q', '', 'i', $3::text, 'a', c.now)::text)
  FROM held h
  CROSS JOIN clock c
  WHERE EXISTS (SELECT 1 FROM {schema}.listeners l WHERE l.tenant_id = $2 AND l.topic = 'frame')
)
SELECT i.sequence, (SELECT count(*) FROM notified) AS notified FROM inserted i
