-- 0008_fair_claim_sets: the fair claim's first picks in one statement (SPEC E20).
--
-- Applied as 0001 is. Measured by `pnpm bench`: claim_fairly (migration 0007) picked one task at
-- a time, each pick judging its key before and after (about 17 statements a task), so a drain of
-- 20,000 tasks over one key ran at 33-48 tasks/s against 7,700 without keys. Now:
-- - claim_fairly takes the picks at the top priority of a one-queue claim set-based (the comment
--   in the function says why that order is the one-at-a-time order), judges each picked key once,
--   and leaves the rest to the one-at-a-time loop as before;
-- - a lease that ends asks for its key to be judged again only when the key is blocked at its
--   limit (a key with room keeps its head and its room only grows);
-- - the completing statements copy the task's key into tasks_completed themselves
--   (task-complete, tasks-complete), so the trigger no longer updates the row it just wrote.

CREATE OR REPLACE FUNCTION {schema}.concurrency_key_changed() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
  task {schema}.tasks;
  live_delta int := 0;
  lease_ended boolean := false;
  offered boolean := false;
BEGIN
  IF TG_OP = 'DELETE' THEN
    task := OLD;
    live_delta := -1;
    lease_ended := OLD.state = 'leased';
  ELSE
    task := NEW;
    live_delta := (NEW.state NOT IN ('completed', 'dead', 'cancelled'))::int;
    offered := NEW.ready_at IS NOT NULL;
    IF TG_OP = 'UPDATE' THEN
      live_delta := live_delta - (OLD.state NOT IN ('completed', 'dead', 'cancelled'))::int;
      lease_ended := OLD.state = 'leased' AND NEW.state <> 'leased';
      offered := offered AND (OLD.ready_at IS DISTINCT FROM NEW.ready_at OR OLD.priority <> NEW.priority);
    END IF;
  END IF;
  IF live_delta <> 0 OR lease_ended THEN
    -- A lease that ends frees a slot: a key blocked at its limit is judged at the next claim (a key
    -- that is not blocked has room already, and its head does not change).
    INSERT INTO {schema}.concurrency_keys AS k (tenant_id, queue, key, tasks)
    VALUES (task.tenant_id, task.queue, task.concurrency_key, live_delta)
    ON CONFLICT (tenant_id, queue, key) DO UPDATE
    SET tasks = k.tasks + live_delta,
        recheck_at = CASE WHEN lease_ended AND k.blocked THEN (-9223372036854775807 - 1) ELSE k.recheck_at END;
  END IF;
  IF offered THEN
    UPDATE {schema}.concurrency_keys k
    SET head_priority = task.priority, head_ready_at = task.ready_at, head_seq = task.seq
    WHERE k.tenant_id = task.tenant_id AND k.queue = task.queue AND k.key = task.concurrency_key
      AND (k.head_seq IS NULL OR task.priority > k.head_priority
        OR (task.priority = k.head_priority AND (task.ready_at, task.seq) < (k.head_ready_at, k.head_seq)));
  ELSIF live_delta < 0 THEN
    DELETE FROM {schema}.concurrency_keys k
    WHERE k.tenant_id = task.tenant_id AND k.queue = task.queue AND k.key = task.concurrency_key AND k.tasks <= 0;
  END IF;
  IF lease_ended
     AND EXISTS (SELECT 1 FROM {schema}.queues q WHERE q.tenant_id = task.tenant_id AND q.queue = task.queue AND q.key_concurrency IS NOT NULL)
     AND EXISTS (SELECT 1 FROM {schema}.listeners l WHERE l.tenant_id = task.tenant_id AND l.topic = 'work') THEN
    -- The schema's channel (src/identifiers.ts, notificationChannel).
    PERFORM pg_notify('mooring_' || left(encode(sha256(convert_to(TG_TABLE_SCHEMA, 'UTF8')), 'hex'), 12),
                      json_build_object('t', task.tenant_id, 'k', 'work', 'q', task.queue, 'i', NULL, 'a', {schema}.now_ms(NULL))::text);
  END IF;
  RETURN NULL;
END
$$;

-- Judges keys p_keys of queue p_queue at p_now in one statement, as 0007's judge_key judged one
-- (it is dropped): leaving out the tasks this claim already picked (p_picked, still queued until
-- the claim's UPDATE), a key at keyConcurrency unexpired leases (picks included, expiring at
-- p_pick_expires_at) is blocked until the earliest expires; else its head is its first task ready
-- now in E3 order, and it is judged again when a task that would come before that head becomes
-- due. Writes a key's row only when that changed. Returns each key's head (null when none or
-- blocked).
CREATE FUNCTION {schema}.judge_keys(
  p_tenant text, p_queue text, p_keys text[], p_now bigint, p_limit bigint, p_picked tid[], p_pick_expires_at bigint)
RETURNS TABLE (key text, head_row tid, head_priority bigint, head_ready_at bigint, head_seq bigint)
LANGUAGE sql
AS $$
  WITH judged AS (
    SELECT u.key, b.is_blocked, h.row_id, h.priority, h.ready_at, h.seq,
           CASE WHEN b.is_blocked THEN b.free_at ELSE f.due_at END AS next_check
    FROM unnest(p_keys) AS u(key)
    CROSS JOIN LATERAL (
      SELECT count(*) AS leases, min(t.lease_expires_at) AS earliest
      FROM {schema}.tasks t
      WHERE p_limit IS NOT NULL AND t.tenant_id = p_tenant AND t.queue = p_queue AND t.concurrency_key = u.key
        AND t.state = 'leased' AND t.lease_expires_at > p_now
    ) l
    CROSS JOIN LATERAL (
      SELECT count(*) AS picks
      FROM {schema}.tasks t
      WHERE p_limit IS NOT NULL AND t.ctid = ANY (p_picked) AND t.tenant_id = p_tenant AND t.queue = p_queue AND t.concurrency_key = u.key
    ) p
    CROSS JOIN LATERAL (
      SELECT p_limit IS NOT NULL AND l.leases + p.picks >= p_limit AS is_blocked,
             CASE WHEN p.picks > 0 THEN least(l.earliest, p_pick_expires_at) ELSE l.earliest END AS free_at
    ) b
    LEFT JOIN LATERAL (
      SELECT t.ctid AS row_id, t.priority, t.ready_at, t.seq
      FROM {schema}.tasks t
      WHERE NOT b.is_blocked AND t.tenant_id = p_tenant AND t.queue = p_queue AND t.concurrency_key = u.key AND t.ready_at <= p_now
        AND t.ctid <> ALL (p_picked)
      ORDER BY t.priority DESC, t.ready_at, t.seq
      LIMIT 1
    ) h ON true
    LEFT JOIN LATERAL (
      SELECT min(t.ready_at) AS due_at
      FROM {schema}.tasks t
      WHERE NOT b.is_blocked AND t.tenant_id = p_tenant AND t.queue = p_queue AND t.concurrency_key = u.key AND t.ready_at > p_now
        AND (h.seq IS NULL OR t.priority > h.priority)
    ) f ON true
  ),
  written AS (
    UPDATE {schema}.concurrency_keys k
    SET blocked = j.is_blocked, recheck_at = j.next_check,
        head_priority = j.priority, head_ready_at = j.ready_at, head_seq = j.seq
    FROM judged j
    -- (= ANY: every plan probes the primary key for the keys rather than joining.)
    WHERE k.tenant_id = p_tenant AND k.queue = p_queue AND k.key = ANY (p_keys) AND k.key = j.key
      AND (k.blocked, k.recheck_at, k.head_priority, k.head_ready_at, k.head_seq)
          IS DISTINCT FROM (j.is_blocked, j.next_check, j.priority, j.ready_at, j.seq)
  )
  SELECT j.key, j.row_id, j.priority, j.ready_at, j.seq FROM judged j
$$;

DROP FUNCTION {schema}.judge_key(text, text, text, bigint, bigint, tid[], bigint);

CREATE OR REPLACE FUNCTION {schema}.claim_fairly(p_tenant text, p_now bigint, p_queues text[], p_slots bigint[], p_total bigint, p_lease_ms bigint)
RETURNS TABLE (row_id tid, slot bigint)
LANGUAGE plpgsql
AS $$
DECLARE
  limits bigint[];
  room bigint[] := p_slots;
  picked tid[] := '{}';
  i int;
  due record;
  fair record;
  head record;
  -- The best candidate so far: its row, queue, key (null: keyless) and place in the fair order.
  best_row tid;
  best_queue int;
  best_key text;
  best_priority bigint;
  best_grant bigint;
  best_ready_at bigint;
  best_seq bigint;
  granted bigint := 0;
  -- The set-based first picks (one queue; see the comment above the function).
  top bigint;
  want bigint;
  unjudged text[];
  fast_rows tid[];
  fast_keys text[];
  base_grant bigint;
  n int;
  attempt int;
BEGIN
  IF p_total <= 0 THEN
    RETURN;
  END IF;
  INSERT INTO {schema}.queues (tenant_id, queue)
  SELECT p_tenant, q FROM unnest(p_queues) AS q ORDER BY q
  ON CONFLICT (tenant_id, queue) DO NOTHING;
  PERFORM 1 FROM {schema}.queues s WHERE s.tenant_id = p_tenant AND s.queue = ANY (p_queues) ORDER BY s.queue FOR UPDATE;
  limits := ARRAY(
    SELECT s.key_concurrency FROM unnest(p_queues) WITH ORDINALITY AS q(queue, n)
    LEFT JOIN {schema}.queues s ON s.tenant_id = p_tenant AND s.queue = q.queue ORDER BY q.n);
  FOR i IN 1 .. cardinality(p_queues) LOOP
    PERFORM {schema}.judge_keys(p_tenant, p_queues[i], ARRAY(
      SELECT k.key FROM {schema}.concurrency_keys k WHERE k.tenant_id = p_tenant AND k.queue = p_queues[i] AND k.recheck_at <= p_now), p_now, limits[i], picked, NULL);
  END LOOP;
  -- The picks at the top priority, set-based, when one queue is claimed. At equal priority the
  -- one-at-a-time order below is: first every never-granted head (a keyless task, or the first
  -- task of a key granted 0) by ready time and enqueue order; then rounds over the keys, each round
  -- taking the next task of every key in grant order, the keys first granted by this claim last in
  -- the order they were granted. A key leaves the rounds when its room (keyConcurrency minus its
  -- unexpired leases) or its tasks at that priority run out. So the first picks need only the
  -- first `want` keys of concurrency_keys_fair at that priority (a later key's first round comes
  -- after `want` picks) and each key's first `want` tasks. Each of those keys' snapshot must be its
  -- real head, else its place in the fair order is not known: such keys are judged and the picks
  -- computed once more, and if still not, the loop below picks one at a time. Picks fewer than the
  -- slots, or rows another transaction changed meanwhile, leave the rest to the loop too.
  IF cardinality(p_queues) = 1 AND room[1] > 0 THEN
    FOR attempt IN 1 .. 2 LOOP
      want := least(p_total, room[1]);
      SELECT max(x.priority) INTO top FROM (
        (SELECT t.priority FROM {schema}.tasks t
         WHERE t.tenant_id = p_tenant AND t.queue = p_queues[1] AND t.ready_at <= p_now AND t.concurrency_key IS NULL
         ORDER BY t.priority DESC, t.ready_at, t.seq LIMIT 1)
        UNION ALL
        (SELECT k.head_priority FROM {schema}.concurrency_keys k
         WHERE k.tenant_id = p_tenant AND k.queue = p_queues[1] AND k.head_seq IS NOT NULL AND NOT k.blocked
         ORDER BY k.head_priority DESC, k.last_grant, k.head_ready_at, k.head_seq LIMIT 1)) x;
      EXIT WHEN top IS NULL;
      WITH window_keys AS (
        SELECT w.*, row_number() OVER (ORDER BY w.last_grant, w.head_ready_at, w.head_seq) AS rank
        FROM (
          SELECT k.key, k.last_grant, k.head_ready_at, k.head_seq
          FROM {schema}.concurrency_keys k
          WHERE k.tenant_id = p_tenant AND k.queue = p_queues[1] AND k.head_seq IS NOT NULL AND NOT k.blocked AND k.head_priority = top
          ORDER BY k.head_priority DESC, k.last_grant, k.head_ready_at, k.head_seq
          LIMIT want
        ) w
      ),
      keyed AS (
        SELECT w.key, w.last_grant, w.rank, w.head_ready_at AS snapshot_ready_at, w.head_seq AS snapshot_seq, x.*
        FROM window_keys w
        CROSS JOIN LATERAL (
          SELECT y.*, row_number() OVER (ORDER BY y.priority DESC, y.ready_at, y.seq) AS j
          FROM (
            SELECT t.ctid AS row_id, t.priority, t.ready_at, t.seq
            FROM {schema}.tasks t
            WHERE t.tenant_id = p_tenant AND t.queue = p_queues[1] AND t.concurrency_key = w.key AND t.ready_at <= p_now
            ORDER BY t.priority DESC, t.ready_at, t.seq
            LIMIT CASE WHEN limits[1] IS NULL THEN want
                       ELSE greatest(0, least(want, limits[1] - (
                         SELECT count(*) FROM {schema}.tasks l
                         WHERE l.tenant_id = p_tenant AND l.queue = p_queues[1] AND l.concurrency_key = w.key
                           AND l.state = 'leased' AND l.lease_expires_at > p_now)))
                  END
          ) y
        ) x
      ),
      keyless AS (
        SELECT t.row_id, t.ready_at, t.seq
        FROM (
          SELECT t.ctid AS row_id, t.priority, t.ready_at, t.seq
          FROM {schema}.tasks t
          WHERE t.tenant_id = p_tenant AND t.queue = p_queues[1] AND t.ready_at <= p_now AND t.concurrency_key IS NULL
          ORDER BY t.priority DESC, t.ready_at, t.seq
          LIMIT want
        ) t
        WHERE t.priority = top
      ),
      -- (phase, round, after, rank, ready time, enqueue order): phase 0 holds the never-granted
      -- heads; in a round, the keys granted before this claim come first, by grant (rank).
      candidates AS (
        SELECT c.row_id, NULL::text AS key, 0 AS phase, 0::bigint AS round, 0 AS after, 0::bigint AS rank, c.ready_at, c.seq FROM keyless c
        UNION ALL
        SELECT k.row_id, k.key,
               CASE WHEN k.last_grant = 0 AND k.j = 1 THEN 0 ELSE 1 END,
               CASE WHEN k.last_grant = 0 THEN k.j - 1 ELSE k.j END,
               CASE WHEN k.last_grant = 0 AND k.j > 1 THEN 1 ELSE 0 END,
               CASE WHEN k.last_grant = 0 AND k.j = 1 THEN 0 ELSE k.rank END,
               k.ready_at, k.seq
        FROM keyed k
        WHERE k.priority = top
      ),
      picks AS (
        SELECT c.row_id, c.key, row_number() OVER (ORDER BY c.phase, c.round, c.after, c.rank, c.ready_at, c.seq) AS pos
        FROM candidates c
        ORDER BY c.phase, c.round, c.after, c.rank, c.ready_at, c.seq
        LIMIT want
      )
      SELECT ARRAY(SELECT w.key FROM window_keys w WHERE NOT EXISTS (
               SELECT 1 FROM keyed k
               WHERE k.key = w.key AND k.j = 1 AND k.priority = top AND k.ready_at = k.snapshot_ready_at AND k.seq = k.snapshot_seq)),
             ARRAY(SELECT p.row_id FROM picks p ORDER BY p.pos),
             ARRAY(SELECT p.key FROM picks p ORDER BY p.pos)
      INTO unjudged, fast_rows, fast_keys;
      IF cardinality(unjudged) > 0 THEN
        PERFORM {schema}.judge_keys(p_tenant, p_queues[1], unjudged, p_now, limits[1], picked, NULL);
        CONTINUE;
      END IF;
      EXIT WHEN cardinality(fast_rows) = 0;
      -- Locked now; if another transaction changed one of them meanwhile, the loop picks instead.
      PERFORM 1 FROM {schema}.tasks t WHERE t.ctid = ANY (fast_rows) AND t.ready_at <= p_now ORDER BY t.ctid FOR UPDATE;
      EXIT WHEN (SELECT count(*) FROM {schema}.tasks t WHERE t.ctid = ANY (fast_rows) AND t.ready_at <= p_now) <> cardinality(fast_rows);
      picked := fast_rows;
      granted := cardinality(fast_rows);
      room[1] := room[1] - granted;
      FOR n IN 1 .. cardinality(fast_rows) LOOP
        row_id := fast_rows[n];
        slot := n;
        RETURN NEXT;
      END LOOP;
      -- Each picked key's grant is that of its last pick, numbered after the tenant's latest.
      SELECT coalesce(max(g.last_grant), 0) INTO base_grant FROM {schema}.concurrency_keys g WHERE g.tenant_id = p_tenant;
      -- (Keys by = ANY, so that every plan probes the primary key for them rather than joining.)
      UPDATE {schema}.concurrency_keys k
      SET last_grant = base_grant + (SELECT max(u.pos) FROM unnest(fast_keys) WITH ORDINALITY AS u(key, pos) WHERE u.key = k.key)
      WHERE k.tenant_id = p_tenant AND k.queue = p_queues[1] AND k.key = ANY (fast_keys);
      PERFORM {schema}.judge_keys(p_tenant, p_queues[1], ARRAY(SELECT DISTINCT u.key FROM unnest(fast_keys) AS u(key) WHERE u.key IS NOT NULL),
                                  p_now, limits[1], picked, p_now + p_lease_ms);
      EXIT;
    END LOOP;
  END IF;
  WHILE granted < p_total LOOP
    best_row := NULL;
    FOR i IN 1 .. cardinality(p_queues) LOOP
      CONTINUE WHEN room[i] <= 0;
      SELECT t.ctid AS task_row, t.priority, t.ready_at, t.seq INTO head
      FROM {schema}.tasks t
      WHERE t.tenant_id = p_tenant AND t.queue = p_queues[i] AND t.ready_at <= p_now AND t.concurrency_key IS NULL
        AND t.ctid <> ALL (picked)
      ORDER BY t.priority DESC, t.ready_at, t.seq
      LIMIT 1;
      IF head.task_row IS NOT NULL
         AND (best_row IS NULL OR (head.priority, 0, -head.ready_at, -head.seq) > (best_priority, -best_grant, -best_ready_at, -best_seq)) THEN
        best_row := head.task_row; best_queue := i; best_key := NULL;
        best_priority := head.priority; best_grant := 0; best_ready_at := head.ready_at; best_seq := head.seq;
      END IF;
      LOOP
        SELECT k.key, k.last_grant, k.head_priority, k.head_ready_at, k.head_seq INTO fair
        FROM {schema}.concurrency_keys k
        WHERE k.tenant_id = p_tenant AND k.queue = p_queues[i] AND k.head_seq IS NOT NULL AND NOT k.blocked
        ORDER BY k.head_priority DESC, k.last_grant, k.head_ready_at, k.head_seq
        LIMIT 1;
        EXIT WHEN fair.key IS NULL;
        SELECT * INTO head FROM {schema}.judge_keys(p_tenant, p_queues[i], ARRAY[fair.key], p_now, limits[i], picked, p_now + p_lease_ms);
        -- A snapshot that judging left as it was is the key's place in the fair order; else look again.
        CONTINUE WHEN head.head_seq IS DISTINCT FROM fair.head_seq OR head.head_priority <> fair.head_priority
          OR head.head_ready_at <> fair.head_ready_at;
        IF best_row IS NULL
           OR (head.head_priority, -fair.last_grant, -head.head_ready_at, -head.head_seq) > (best_priority, -best_grant, -best_ready_at, -best_seq) THEN
          best_row := head.head_row; best_queue := i; best_key := fair.key;
          best_priority := head.head_priority; best_grant := fair.last_grant; best_ready_at := head.head_ready_at; best_seq := head.head_seq;
        END IF;
        EXIT;
      END LOOP;
    END LOOP;
    EXIT WHEN best_row IS NULL;
    -- Locked now; a row another transaction changed meanwhile is no longer ready and is passed over.
    PERFORM 1 FROM {schema}.tasks t WHERE t.ctid = best_row AND t.ready_at <= p_now FOR UPDATE;
    IF FOUND THEN
      picked := picked || best_row;
      room[best_queue] := room[best_queue] - 1;
      granted := granted + 1;
      row_id := best_row;
      slot := granted;
      RETURN NEXT;
      IF best_key IS NOT NULL THEN
        UPDATE {schema}.concurrency_keys k
        SET last_grant = (SELECT coalesce(max(g.last_grant), 0) + 1 FROM {schema}.concurrency_keys g WHERE g.tenant_id = p_tenant)
        WHERE k.tenant_id = p_tenant AND k.queue = p_queues[best_queue] AND k.key = best_key;
      END IF;
    END IF;
    IF best_key IS NOT NULL THEN
      PERFORM {schema}.judge_keys(p_tenant, p_queues[best_queue], ARRAY[best_key], p_now, limits[best_queue], picked, p_now + p_lease_ms);
    END IF;
  END LOOP;
END
$$;
