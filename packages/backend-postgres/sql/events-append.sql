-- events-append: appends a batch to a run's log (SPEC W7, W8, W15, W16). The run row is the log's
-- counter: bumping it takes the row's lock, and under READ COMMITTED a waiting append re-reads the
-- bumped value, so sequences are 1..n without gaps whatever the interleaving, and an expected
-- sequence is compared with the latest one. A batch carrying event ids comes from a transaction
-- that locked the run and checked them first. When a listener registered (tenant, 'log'), the
-- append notifies the run's readers (W16) on commit.
-- Parameters: $1 now, $2 tenant_id, $3 run_id, $4 types (text[]), $5 payloads (json[]),
--   $6 expected sequence (bigint; null: none), $7 event ids (text[]; null members: none),
--   $8 channel, $9 payload kinds (text[]; null members: plain json), $10 payload bytes (bytea[]) (core's stored form, SPEC W13)
-- Returns: one row: latest (the run's latest sequence after the append; null when nothing was
--   appended because the run is unknown or $6 is not its latest sequence).
WITH clock AS (SELECT {schema}.now_ms($1::bigint) AS now),
bumped AS (
  UPDATE {schema}.runs
  SET latest_sequence = latest_sequence + cardinality($4::text[])
  WHERE tenant_id = $2 AND id = $3 AND ($6::bigint IS NULL OR latest_sequence = $6::bigint)
  RETURNING latest_sequence
),
inserted AS (
  INSERT INTO {schema}.events (tenant_id, run_id, sequence, type, payload, payload_kind, payload_bytes, event_id, created_at)
  SELECT $2, $3, b.latest_sequence - cardinality($4::text[]) + e.ord, e.type, e.payload, e.payload_kind, e.payload_bytes, e.event_id, c.now
  FROM bumped b
  CROSS JOIN clock c
  CROSS JOIN unnest($4::text[], $5::json[], $9::text[], $10::bytea[], $7::text[]) WITH ORDINALITY AS e(type, payload, payload_kind, payload_bytes, event_id, ord)
  RETURNING 1
),
notified AS (
  SELECT pg_notify($8, json_build_object('t', $2::text, 'k', 'log', 'q', '', 'i', $3::text, 'a', c.now)::text)
  FROM bumped b
  CROSS JOIN clock c
  WHERE EXISTS (SELECT 1 FROM {schema}.listeners l WHERE l.tenant_id = $2 AND l.topic = 'log')
)
SELECT (SELECT latest_sequence FROM bumped) AS latest, (SELECT count(*) FROM inserted) AS appended, (SELECT count(*) FROM notified) AS notified
