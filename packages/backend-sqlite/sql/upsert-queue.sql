-- upsert-queue: Store a queue's settings.
-- Parameters: tenant, queue, concurrency (null: unlimited), paused (0/1), key_concurrency (null:
--   unlimited), rate_max, rate_per_ms (both null: no rate limit).
-- Returns: nothing.
INSERT INTO {{queues}} (tenant, queue, concurrency, paused, key_concurrency, rate_max, rate_per_ms) VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (tenant, queue) DO UPDATE SET concurrency = excluded.concurrency, paused = excluded.paused,
  key_concurrency = excluded.key_concurrency, rate_max = excluded.rate_max, rate_per_ms = excluded.rate_per_ms
