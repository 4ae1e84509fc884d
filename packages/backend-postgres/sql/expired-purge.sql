-- expired-purge: removes up to $3 rows per table that no read can see any more (SPEC S2, E2, E15):
-- expired keys and cached snapshots, buffered signals and idempotency keys past their TTL.
-- Parameters: $1 now, $2 tenant_id, $3 limit, $4 dedup_ttl_ms, $5 signal_ttl_ms
-- Returns: one row: purged.
WITH clock AS (SELECT {schema}.now_ms($1::bigint) AS now),
kv_purged AS (
  DELETE FROM {schema}.kv
  WHERE (tenant_id, key) IN (
    SELECT k.tenant_id, k.key FROM {schema}.kv k CROSS JOIN clock c
    WHERE k.tenant_id = $2 AND k.expires_at <= c.now LIMIT $3)
  RETURNING 1
),
snapshots_purged AS (
  DELETE FROM {schema}.cache_snapshots
  WHERE (tenant_id, execution_id) IN (
    SELECT s.tenant_id, s.execution_id FROM {schema}.cache_snapshots s CROSS JOIN clock c
    WHERE s.tenant_id = $2 AND s.expires_at <= c.now LIMIT $3)
  RETURNING 1
),
signals_purged AS (
  DELETE FROM {schema}.signal_buffer
  WHERE (tenant_id, seq) IN (
    SELECT b.tenant_id, b.seq FROM {schema}.signal_buffer b CROSS JOIN clock c
    WHERE b.tenant_id = $2 AND b.created_at <= c.now - $5::bigint LIMIT $3)
  RETURNING 1
),
enqueue_keys_purged AS (
  DELETE FROM {schema}.enqueue_keys
  WHERE (tenant_id, queue, key) IN (
    SELECT k.tenant_id, k.queue, k.key FROM {schema}.enqueue_keys k CROSS JOIN clock c
    WHERE k.tenant_id = $2 AND k.created_at <= c.now - $4::bigint LIMIT $3)
  RETURNING 1
),
signal_keys_purged AS (
  DELETE FROM {schema}.signal_keys
  WHERE (tenant_id, idempotency_key) IN (
    SELECT k.tenant_id, k.idempotency_key FROM {schema}.signal_keys k CROSS JOIN clock c
    WHERE k.tenant_id = $2 AND k.created_at <= c.now - $4::bigint LIMIT $3)
  RETURNING 1
)
SELECT (SELECT count(*) FROM kv_purged) + (SELECT count(*) FROM snapshots_purged) + (SELECT count(*) FROM signals_purged)
     + (SELECT count(*) FROM enqueue_keys_purged) + (SELECT count(*) FROM signal_keys_purged) AS purged
