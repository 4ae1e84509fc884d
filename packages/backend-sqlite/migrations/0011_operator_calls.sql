-- Migration 0011: operator calls (SPEC E26).
--
-- replays counts how many times `replay` made a terminal task run again; getTask reports it once
-- it is above 0.
ALTER TABLE {{tasks}} ADD COLUMN replays INTEGER NOT NULL DEFAULT 0;

-- listTasks pages a tenant's tasks in enqueue order, every state included. No index held every
-- task of a tenant by seq (the claim indexes are partial), so a page would read the whole table.
-- tenant and seq never change, so the entry is written once, at enqueue, and no transition of a
-- task pays for it.
CREATE INDEX {{tasks_by_tenant}} ON {{tasks}} (tenant, seq);
