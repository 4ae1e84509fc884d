-- claim-candidates: the `candidates` CTE of tasks-claim and tasks-claim-limited: per queue of
-- `slots` (queue, keyless_slots), its first keyless ready tasks in claim order from the claim
-- index, at most keyless_slots of them, locked with FOR UPDATE SKIP LOCKED, so concurrent
-- claimers never wait for each other nor take one task twice; then the first of all queues in
-- claim order, one per slot, numbered from 1.
-- Uses: clock, slots; $2 tenant_id, $4 worker ids (one per slot)
candidates AS (
  SELECT r.*, row_number() OVER (ORDER BY r.priority DESC, r.ready_at, r.seq) AS slot
  FROM slots s
  CROSS JOIN LATERAL (
    SELECT t.ctid AS row_id, t.id, t.priority, t.ready_at, t.seq
    FROM {schema}.tasks t
    WHERE t.tenant_id = $2 AND t.queue = s.queue AND t.ready_at <= (SELECT now FROM clock) AND t.concurrency_key IS NULL
    ORDER BY t.priority DESC, t.ready_at, t.seq
    LIMIT s.keyless_slots
    FOR UPDATE OF t SKIP LOCKED
  ) r
  ORDER BY r.priority DESC, r.ready_at, r.seq
  LIMIT cardinality($4::text[])
)
