-- 0010_waitpoints: signed waitpoints (SPEC E25): each tenant's signing secrets, the waitpoints
-- issued to its tasks, and buffered signals that only one task may take.

-- A tenant's secrets. The current one, which signs, has no valid_until; a rotation gives the
-- others the end of their grace. The partial unique index keeps one current secret per tenant
-- whatever processes race; creation and rotation also take turns on an advisory lock per tenant
-- (src/engine.ts), so neither meets the other's uncommitted row.
CREATE TABLE {schema}.waitpoint_secrets (
  tenant_id    text COLLATE "C" NOT NULL,
  kid          text COLLATE "C" NOT NULL,
  -- 256 random bits, base64url: the HMAC key. Returned by no call.
  secret       text NOT NULL,
  created_at   bigint NOT NULL,
  valid_until  bigint,
  PRIMARY KEY (tenant_id, kid)
);
CREATE UNIQUE INDEX waitpoint_secrets_current ON {schema}.waitpoint_secrets (tenant_id) WHERE valid_until IS NULL;

-- Waitpoints, listed by task in creation order (seq). The token is never stored: its fingerprint
-- matches a token in hand to its row.
CREATE TABLE {schema}.waitpoints (
  tenant_id     text COLLATE "C" NOT NULL,
  id            text COLLATE "C" NOT NULL,
  seq           bigint GENERATED ALWAYS AS IDENTITY,
  task_id       text COLLATE "C" NOT NULL,
  key           text COLLATE "C" NOT NULL,
  kid           text COLLATE "C" NOT NULL,
  fingerprint   text COLLATE "C" NOT NULL,
  expires_at    bigint NOT NULL,
  created_at    bigint NOT NULL,
  -- Set once, by the signal the token delivered: a waitpoint delivers once.
  signal_id     text COLLATE "C",
  delivered_at  bigint,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX waitpoints_by_task ON {schema}.waitpoints (tenant_id, task_id, seq);

-- A signal a waitpoint's token buffered is for its task alone: only that task's suspend takes it.
-- Null for a key signal's, which any task suspending on the key takes.
ALTER TABLE {schema}.signal_buffer ADD COLUMN task_id text COLLATE "C";
