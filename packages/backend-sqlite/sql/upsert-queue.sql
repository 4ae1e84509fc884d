-- upsert-queue: Store a queue's settings.
-- Parameters: tenant, queue, concurrency (null: unlimited), paused (0/1).
-- Returns: nothing.
INSERT INTO {{queues}} (tenant, queue, concurrency, paused) VALUES (?, ?, ?, ?)
ON CONFLICT (tenant, queue) DO UPDATE SET concurrency = excluded.concurrency, paused = excluded.paused
