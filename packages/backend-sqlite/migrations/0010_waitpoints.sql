-- Migration 0010: signed waitpoints (SPEC E25).
--
-- The tenant's signing secrets: the one whose valid_until is NULL signs new tokens (at most one
-- per tenant, which the partial unique index enforces whatever the writer); a rotated-out secret
-- verifies tokens until valid_until (exclusive) and is deleted by a later rotation once past it.
-- The secret is base64url text and is returned by no call.
CREATE TABLE {{waitpoint_secrets}} (
  tenant       TEXT    NOT NULL,
  kid          TEXT    NOT NULL,
  secret       TEXT    NOT NULL,
  created_at   INTEGER NOT NULL,
  valid_until  INTEGER,
  PRIMARY KEY (tenant, kid)
) WITHOUT ROWID;
CREATE UNIQUE INDEX {{waitpoint_secrets_current}} ON {{waitpoint_secrets}} (tenant) WHERE valid_until IS NULL;

-- Waitpoints, in creation order (seq): never the token, only its fingerprint. signal_id and
-- delivered_at are set once, by the token's first signal (a waitpoint delivers once).
CREATE TABLE {{waitpoints}} (
  seq           INTEGER PRIMARY KEY,
  tenant        TEXT    NOT NULL,
  id            TEXT    NOT NULL,
  task_seq      INTEGER NOT NULL,
  key           TEXT    NOT NULL,
  kid           TEXT    NOT NULL,
  fingerprint   TEXT    NOT NULL,
  expires_at    INTEGER NOT NULL,
  created_at    INTEGER NOT NULL,
  signal_id     TEXT,
  delivered_at  INTEGER
);
CREATE UNIQUE INDEX {{waitpoints_by_id}} ON {{waitpoints}} (tenant, id);
CREATE INDEX {{waitpoints_by_task}} ON {{waitpoints}} (task_seq, seq);

-- A buffered signal a waitpoint delivered before its task suspended is for that task alone:
-- target_seq names it; NULL (every key signal) lets any task suspending on the key take it.
ALTER TABLE {{signals}} ADD COLUMN target_seq INTEGER;
