-- Migration 0008: the concurrency-key bookkeeping trigger runs only for statements that may move a
-- keyed task.
--
-- Migration 0005's concurrency_keys_on_state fired AFTER UPDATE OF state: SQLite compiles such a
-- trigger into every statement that sets state, and runs its program once per changed row even
-- when its WHEN clause is false. A queue that uses no concurrency keys paid it on every claim and
-- every completion (about 1.5 to 3 µs each, docs/decisions.md).
--
-- The same trigger now fires AFTER UPDATE OF concurrency_key. Every statement that may change the
-- state of a task with a key names the column in its SET (`concurrency_key = concurrency_key`,
-- which changes nothing); the two statements that only ever move keyless tasks, the keyless claim
-- (claim-head) and the keyless completion (complete-held-keyless, `AND concurrency_key IS NULL`),
-- do not, so no trigger is compiled into them. test/sqlite-only.test.ts checks the rule on every
-- statement that sets state.
DROP TRIGGER {{concurrency_keys_on_state}};

CREATE TRIGGER {{concurrency_keys_on_keyed_update}} AFTER UPDATE OF concurrency_key ON {{tasks}}
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
