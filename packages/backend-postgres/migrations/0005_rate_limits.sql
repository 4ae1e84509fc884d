-- 0005_rate_limits: rate limits per queue (SPEC E21).
--
-- Applied as 0001 is (one transaction under pg_advisory_xact_lock, recorded with its SHA-256).
--
-- A queue's rate limit is (rate_max, rate_per_ms), both null without one. rate_grants holds the
-- leases granted in a rate-limited queue while their interval lasts, at the server's time (or the
-- injected clock's, now_ms): tasks-claim counts those with granted_at > now − rate_per_ms under
-- the queue's settings row lock (queues-lock), inserts one per lease it grants, and deletes the
-- ones that left the interval, in the claim's statement. Adding nullable columns rewrites no row.
ALTER TABLE {schema}.queues ADD COLUMN rate_max bigint, ADD COLUMN rate_per_ms bigint;

CREATE TABLE {schema}.rate_grants (
  tenant_id   text COLLATE "C" NOT NULL,
  queue       text COLLATE "C" NOT NULL,
  granted_at  bigint NOT NULL,
  seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY
);
CREATE INDEX rate_grants_by_queue ON {schema}.rate_grants (tenant_id, queue, granted_at);
