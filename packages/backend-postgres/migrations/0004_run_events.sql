-- 0004_run_events: what a workflow engine needs from the store (SPEC W14, W15, W16).
--
-- Applied as 0001 is (one transaction under pg_advisory_xact_lock, recorded with its SHA-256).
--
-- events.event_id is the caller's id of an event (W15), unique within its run: appends that carry
-- ids lock the run row first and look the ids up, so the index only backs that check. Listing a
-- workflow's runs (W14) reads runs_by_workflow, either way. run_keys holds the keys runs claim
-- (W15), unique per tenant by its primary key: a claim is one INSERT … ON CONFLICT DO UPDATE …
-- WHERE the holder is the claiming run, so of concurrent claimers exactly one writes the row and
-- the others see it held, inside their own transaction. The keys of a run go with it (ON DELETE
-- CASCADE). Adding a nullable column without a default rewrites no row.
ALTER TABLE {schema}.events ADD COLUMN event_id text COLLATE "C";
CREATE UNIQUE INDEX events_by_id ON {schema}.events (tenant_id, run_id, event_id) WHERE event_id IS NOT NULL;
CREATE INDEX runs_by_workflow ON {schema}.runs (tenant_id, workflow_id, seq);
CREATE TABLE {schema}.run_keys (
  tenant_id       text COLLATE "C" NOT NULL,
  key             text COLLATE "C" NOT NULL,
  run_id          text COLLATE "C" NOT NULL,
  value           json NOT NULL,
  until_terminal  boolean NOT NULL,
  PRIMARY KEY (tenant_id, key),
  FOREIGN KEY (tenant_id, run_id) REFERENCES {schema}.runs (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX run_keys_by_run ON {schema}.run_keys (tenant_id, run_id);
