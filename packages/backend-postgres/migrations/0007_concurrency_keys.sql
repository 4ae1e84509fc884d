-- 0007_concurrency_keys: concurrency keys with fairness (SPEC E20).
--
-- Applied as 0001 is (one transaction under pg_advisory_xact_lock, recorded with its SHA-256).
--
-- A task may carry a concurrency key, scoped to its queue. Each (tenant, queue, key) with a
-- non-terminal task has a row in concurrency_keys: the grant-order number of its latest lease
-- (last_grant: the tenant's largest plus one at each grant; 0: never granted), its count of non-terminal tasks
-- (the row is deleted with the last one, so run ids used as keys do not accumulate, and a key that
-- comes back counts as never granted), and a snapshot of its ready head (head_*). Claims of queues
-- with keys read keys in fair order from concurrency_keys_fair (claim_fairly below): a few index
-- probes per grant, whatever the number of keys (docs/decisions.md, issue 16).
--
-- Claimability depends on time (ready_at), which triggers cannot see (the clock is the statement's
-- now_ms parameter), so the snapshot is kept in two halves:
-- - the triggers below, in the transaction of every write that gives a keyed task a ready_at,
--   offer that task as the head when it comes first in E3 order ignoring time: the snapshot is
--   then never worse than the real head, only possibly better (a task not due yet, or one that
--   left ready since), and a claim corrects it when the key reaches the front;
-- - a claim judging a key (judge_key) sets the real head at its now and, in recheck_at, when the
--   key must be judged again: when a task of the key that would come before that head becomes
--   due, or, for a key at keyConcurrency unexpired leases (blocked, out of the fair order), when
--   its earliest lease expires. A lease of the key that ends sets recheck_at to "at once".
--
-- Every task is in exactly one claim index: keyless ready tasks in tasks_claimable (rebuilt with
-- that predicate, so the claim of a queue without keys reads and writes what it did before),
-- keyed ones in tasks_claimable_by_key.
ALTER TABLE {schema}.tasks ADD COLUMN concurrency_key text COLLATE "C";
ALTER TABLE {schema}.tasks_completed ADD COLUMN concurrency_key text COLLATE "C";
ALTER TABLE {schema}.queues ADD COLUMN key_concurrency bigint;

CREATE TABLE {schema}.concurrency_keys (
  tenant_id      text COLLATE "C" NOT NULL,
  queue          text COLLATE "C" NOT NULL,
  key            text COLLATE "C" NOT NULL,
  last_grant     bigint NOT NULL DEFAULT 0,
  tasks          bigint NOT NULL DEFAULT 0,
  blocked        boolean NOT NULL DEFAULT false,
  recheck_at     bigint,
  head_priority  bigint,
  head_ready_at  bigint,
  head_seq       bigint,
  PRIMARY KEY (tenant_id, queue, key)
);
CREATE INDEX concurrency_keys_fair ON {schema}.concurrency_keys (tenant_id, queue, head_priority DESC, last_grant, head_ready_at, head_seq)
  WHERE head_seq IS NOT NULL AND NOT blocked;
-- The tenant's latest grant, read for the next one.
CREATE INDEX concurrency_keys_by_grant ON {schema}.concurrency_keys (tenant_id, last_grant);
CREATE INDEX concurrency_keys_recheck ON {schema}.concurrency_keys (tenant_id, queue, recheck_at) WHERE recheck_at IS NOT NULL;

DROP INDEX {schema}.tasks_claimable;
CREATE INDEX tasks_claimable ON {schema}.tasks (tenant_id, queue, priority DESC, ready_at, seq)
  WHERE ready_at IS NOT NULL AND concurrency_key IS NULL;
CREATE INDEX tasks_claimable_by_key ON {schema}.tasks (tenant_id, queue, concurrency_key, priority DESC, ready_at, seq)
  WHERE ready_at IS NOT NULL AND concurrency_key IS NOT NULL;
-- A key's leases, for its count of unexpired ones (what keyConcurrency limits).
CREATE INDEX tasks_leased_by_key ON {schema}.tasks (tenant_id, queue, concurrency_key, lease_expires_at)
  WHERE state = 'leased' AND concurrency_key IS NOT NULL;

-- Keeps concurrency_keys in step with the keyed tasks (see above), and wakes the queue's waiters
-- when a keyed lease ends in a queue with a key limit (SPEC E19, E20). A completed task leaves
-- `tasks` for tasks_completed in one statement (migration 0002), whose AFTER triggers run once
-- both rows are written: its key is copied there, for getTask.
CREATE FUNCTION {schema}.concurrency_key_changed() RETURNS trigger
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
    IF lease_ended THEN
      UPDATE {schema}.tasks_completed SET concurrency_key = OLD.concurrency_key WHERE tenant_id = OLD.tenant_id AND id = OLD.id;
    END IF;
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
    -- A lease that ends may free a slot of a blocked key: judge it at the next claim.
    INSERT INTO {schema}.concurrency_keys AS k (tenant_id, queue, key, tasks)
    VALUES (task.tenant_id, task.queue, task.concurrency_key, live_delta)
    ON CONFLICT (tenant_id, queue, key) DO UPDATE
    SET tasks = k.tasks + live_delta,
        recheck_at = CASE WHEN lease_ended THEN (-9223372036854775807 - 1) ELSE k.recheck_at END;
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

CREATE TRIGGER concurrency_key_on_insert AFTER INSERT ON {schema}.tasks
FOR EACH ROW WHEN (NEW.concurrency_key IS NOT NULL AND NEW.state NOT IN ('completed', 'dead', 'cancelled'))
EXECUTE FUNCTION {schema}.concurrency_key_changed();
CREATE TRIGGER concurrency_key_on_update AFTER UPDATE OF state, ready_at, priority ON {schema}.tasks
FOR EACH ROW WHEN (NEW.concurrency_key IS NOT NULL)
EXECUTE FUNCTION {schema}.concurrency_key_changed();
CREATE TRIGGER concurrency_key_on_delete AFTER DELETE ON {schema}.tasks
FOR EACH ROW WHEN (OLD.concurrency_key IS NOT NULL AND OLD.state NOT IN ('completed', 'dead', 'cancelled'))
EXECUTE FUNCTION {schema}.concurrency_key_changed();

-- Judges one key at p_now, leaving out the tasks this claim already picked (p_picked, still
-- queued until the claim's UPDATE): at keyConcurrency unexpired leases (picks included, expiring
-- at p_pick_expires_at) it is blocked until the earliest expires; else its head is its first task
-- ready now in E3 order, and it is judged again when a task that would come before that head
-- becomes due. Writes the row only when that changed. Returns the head (null when none or blocked).
CREATE FUNCTION {schema}.judge_key(
  p_tenant text, p_queue text, p_key text, p_now bigint, p_limit bigint, p_picked tid[], p_pick_expires_at bigint,
  OUT head_row tid, OUT head_priority bigint, OUT head_ready_at bigint, OUT head_seq bigint)
LANGUAGE plpgsql
AS $$
DECLARE
  leases bigint := 0;
  earliest bigint;
  picks bigint := 0;
  is_blocked boolean := false;
  next_check bigint;
BEGIN
  IF p_limit IS NOT NULL THEN
    SELECT count(*), min(t.lease_expires_at) INTO leases, earliest
    FROM {schema}.tasks t
    WHERE t.tenant_id = p_tenant AND t.queue = p_queue AND t.concurrency_key = p_key AND t.state = 'leased' AND t.lease_expires_at > p_now;
    SELECT count(*) INTO picks
    FROM {schema}.tasks t
    WHERE t.ctid = ANY (p_picked) AND t.tenant_id = p_tenant AND t.queue = p_queue AND t.concurrency_key = p_key;
    is_blocked := leases + picks >= p_limit;
    IF is_blocked THEN
      next_check := CASE WHEN picks > 0 THEN least(earliest, p_pick_expires_at) ELSE earliest END;
    END IF;
  END IF;
  IF NOT is_blocked THEN
    SELECT t.ctid, t.priority, t.ready_at, t.seq INTO head_row, head_priority, head_ready_at, head_seq
    FROM {schema}.tasks t
    WHERE t.tenant_id = p_tenant AND t.queue = p_queue AND t.concurrency_key = p_key AND t.ready_at <= p_now
      AND t.ctid <> ALL (p_picked)
    ORDER BY t.priority DESC, t.ready_at, t.seq
    LIMIT 1;
    SELECT min(t.ready_at) INTO next_check
    FROM {schema}.tasks t
    WHERE t.tenant_id = p_tenant AND t.queue = p_queue AND t.concurrency_key = p_key AND t.ready_at > p_now
      AND (head_seq IS NULL OR t.priority > head_priority);
  END IF;
  UPDATE {schema}.concurrency_keys k
  SET blocked = is_blocked, recheck_at = next_check,
      head_priority = judge_key.head_priority, head_ready_at = judge_key.head_ready_at, head_seq = judge_key.head_seq
  WHERE k.tenant_id = p_tenant AND k.queue = p_queue AND k.key = p_key
    AND (k.blocked, k.recheck_at, k.head_priority, k.head_ready_at, k.head_seq)
        IS DISTINCT FROM (is_blocked, next_check, judge_key.head_priority, judge_key.head_ready_at, judge_key.head_seq);
END
$$;

-- The fair claim (SPEC E20) of queues p_queues that have concurrency keys, for tasks-claim: picks
-- up to p_total tasks, each queue at most its p_slots, one at a time, each the first in
-- (priority desc, last grant of its key asc, ready time asc, enqueue order asc) among each queue's
-- first keyless ready task (a key of its own, never granted) and its first key in
-- concurrency_keys_fair; a picked key gets the next grant number and is judged again. The queues'
-- settings rows are created if absent and locked, so fair claims of a queue take turns and each
-- counts the leases the previous one granted. Picked rows are locked; tasks-claim leases them.
-- Returns: the picked rows' addresses with their slots (1, 2, …), in grant order.
CREATE FUNCTION {schema}.claim_fairly(p_tenant text, p_now bigint, p_queues text[], p_slots bigint[], p_total bigint, p_lease_ms bigint)
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
    FOR due IN SELECT k.key FROM {schema}.concurrency_keys k
               WHERE k.tenant_id = p_tenant AND k.queue = p_queues[i] AND k.recheck_at <= p_now LOOP
      PERFORM {schema}.judge_key(p_tenant, p_queues[i], due.key, p_now, limits[i], picked, NULL);
    END LOOP;
  END LOOP;
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
        SELECT * INTO head FROM {schema}.judge_key(p_tenant, p_queues[i], fair.key, p_now, limits[i], picked, p_now + p_lease_ms);
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
      PERFORM {schema}.judge_key(p_tenant, p_queues[best_queue], best_key, p_now, limits[best_queue], picked, p_now + p_lease_ms);
    END IF;
  END LOOP;
END
$$;
