-- Migration 0005: concurrency keys with fairness (SPEC E20) and rate limits (SPEC E21).
--
-- A task may carry a concurrency key. Each (tenant, queue, key) with a non-terminal task has a
-- row in concurrency_keys: its grant count at its latest lease (last_grant, 0: never granted; the
-- tenant's largest plus one at each grant), its count of non-terminal tasks (the row is deleted
-- with the last one, so keys do not accumulate, and a key that comes back counts as never
-- granted), and a snapshot of its ready head (head_*). Claim reads keys in fair order from
-- concurrency_keys_fair: O(log keys) per grant, whatever the number of keys (docs/decisions.md).
--
-- The snapshot is kept by the triggers below in the transaction of every write that makes a
-- task of the key ready (it only ever gets better there); a snapshot made stale by a task leaving
-- ready is corrected by claim when the key reaches the front. A key found at keyConcurrency
-- unexpired leases is `blocked` until its earliest unexpired lease expires (blocked_until) or any
-- of its leases ends (trigger), and is judged again then.
ALTER TABLE {{tasks}} ADD COLUMN concurrency_key TEXT;
ALTER TABLE {{queues}} ADD COLUMN key_concurrency INTEGER;
ALTER TABLE {{queues}} ADD COLUMN rate_max INTEGER;
ALTER TABLE {{queues}} ADD COLUMN rate_per_ms INTEGER;

CREATE TABLE {{concurrency_keys}} (
  tenant         TEXT    NOT NULL,
  queue          TEXT    NOT NULL,
  key            TEXT    NOT NULL,
  last_grant     INTEGER NOT NULL DEFAULT 0,
  tasks          INTEGER NOT NULL DEFAULT 0,
  blocked        INTEGER NOT NULL DEFAULT 0,
  blocked_until  INTEGER,
  head_priority  INTEGER,
  head_run_at    INTEGER,
  head_seq       INTEGER,
  PRIMARY KEY (tenant, queue, key)
) WITHOUT ROWID;
CREATE INDEX {{concurrency_keys_fair}} ON {{concurrency_keys}} (tenant, queue, head_priority DESC, last_grant, head_run_at, head_seq)
  WHERE head_seq IS NOT NULL AND blocked = 0;
CREATE INDEX {{concurrency_keys_blocked}} ON {{concurrency_keys}} (tenant, queue, blocked_until) WHERE blocked = 1;
CREATE INDEX {{concurrency_keys_by_grant}} ON {{concurrency_keys}} (tenant, last_grant);

-- Ready tasks without a key (each its own key, never granted), and with one, in E3 order.
CREATE INDEX {{tasks_ready_keyless}} ON {{tasks}} (tenant, queue, priority DESC, run_at, seq) WHERE state = 'ready' AND concurrency_key IS NULL;
CREATE INDEX {{tasks_ready_by_key}} ON {{tasks}} (tenant, queue, concurrency_key, priority DESC, run_at, seq)
  WHERE state = 'ready' AND concurrency_key IS NOT NULL;
-- The leases of a key, for its count of unexpired leases.
CREATE INDEX {{tasks_leased_by_key}} ON {{tasks}} (tenant, queue, concurrency_key, lease_expires_at)
  WHERE state = 'leased' AND concurrency_key IS NOT NULL;

CREATE TRIGGER {{concurrency_keys_on_insert}} AFTER INSERT ON {{tasks}}
WHEN new.concurrency_key IS NOT NULL AND new.state NOT IN ('completed', 'dead', 'cancelled')
BEGIN
  INSERT OR IGNORE INTO {{concurrency_keys}} (tenant, queue, key) VALUES (new.tenant, new.queue, new.concurrency_key);
  UPDATE {{concurrency_keys}} SET tasks = tasks + 1 WHERE tenant = new.tenant AND queue = new.queue AND key = new.concurrency_key;
  UPDATE {{concurrency_keys}} SET head_priority = new.priority, head_run_at = new.run_at, head_seq = new.seq
  WHERE new.state = 'ready' AND tenant = new.tenant AND queue = new.queue AND key = new.concurrency_key
    AND (head_seq IS NULL OR new.priority > head_priority
      OR (new.priority = head_priority AND (new.run_at < head_run_at OR (new.run_at = head_run_at AND new.seq < head_seq))));
END;

CREATE TRIGGER {{concurrency_keys_on_state}} AFTER UPDATE OF state ON {{tasks}}
WHEN new.concurrency_key IS NOT NULL
BEGIN
  INSERT OR IGNORE INTO {{concurrency_keys}} (tenant, queue, key) VALUES (new.tenant, new.queue, new.concurrency_key);
  UPDATE {{concurrency_keys}}
  SET tasks = tasks + (new.state NOT IN ('completed', 'dead', 'cancelled')) - (old.state NOT IN ('completed', 'dead', 'cancelled')),
      blocked = CASE WHEN old.state = 'leased' AND new.state <> 'leased' THEN 0 ELSE blocked END
  WHERE tenant = new.tenant AND queue = new.queue AND key = new.concurrency_key;
  UPDATE {{concurrency_keys}} SET head_priority = new.priority, head_run_at = new.run_at, head_seq = new.seq
  WHERE new.state = 'ready' AND tenant = new.tenant AND queue = new.queue AND key = new.concurrency_key
    AND (head_seq IS NULL OR new.priority > head_priority
      OR (new.priority = head_priority AND (new.run_at < head_run_at OR (new.run_at = head_run_at AND new.seq < head_seq))));
  DELETE FROM {{concurrency_keys}} WHERE tenant = new.tenant AND queue = new.queue AND key = new.concurrency_key AND tasks <= 0;
END;

-- The grants of a rate-limited queue within its interval (older ones are deleted by claim).
CREATE TABLE {{rate_grants}} (
  id          INTEGER PRIMARY KEY,
  tenant      TEXT    NOT NULL,
  queue       TEXT    NOT NULL,
  granted_at  INTEGER NOT NULL
);
CREATE INDEX {{rate_grants_by_queue}} ON {{rate_grants}} (tenant, queue, granted_at);
