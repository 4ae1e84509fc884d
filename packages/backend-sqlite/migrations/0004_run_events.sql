-- Migration 0004: what a workflow engine needs from the store (SPEC W14, W15).
--
-- events.event_id is the caller's id of an event (W15), unique within its run: the unique index
-- makes a repeat fail inside the appending transaction, whatever the number of writers. Listing a
-- workflow's runs (W14) reads runs_by_workflow, newest first by walking it backwards. run_keys
-- holds the keys runs claim (W15), unique per tenant by its primary key: a claim is an INSERT in
-- the committing transaction, so of concurrent claimers exactly one writes the row.
ALTER TABLE {{events}} ADD COLUMN event_id TEXT;
CREATE UNIQUE INDEX {{events_by_id}} ON {{events}} (run_pk, event_id) WHERE event_id IS NOT NULL;
CREATE INDEX {{runs_by_workflow}} ON {{runs}} (tenant, workflow_id, pk);
CREATE TABLE {{run_keys}} (
  tenant          TEXT    NOT NULL,
  key             TEXT    NOT NULL,
  run_pk          INTEGER NOT NULL,
  value           TEXT    NOT NULL,
  until_terminal  INTEGER NOT NULL,
  PRIMARY KEY (tenant, key)
) WITHOUT ROWID;
CREATE INDEX {{run_keys_by_run}} ON {{run_keys}} (run_pk);
