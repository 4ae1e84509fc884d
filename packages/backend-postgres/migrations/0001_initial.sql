-- 0001_initial: every table, index and function of the Mooring schema.
--
-- Applied once per schema by src/migrations.ts, inside one transaction under
-- pg_advisory_xact_lock, and recorded in the ledger with this file's SHA-256. Append-only: never edit
-- this file after a release; add 0002_... instead (an edited migration is refused at migrate()).
-- {schema} is replaced by the quoted schema name; nothing else is substituted.
--
-- Conventions: times are epoch milliseconds (bigint) from the backend's clock (SPEC C3); ids, keys
-- and queue names are text COLLATE "C" so that they compare and sort by code point
-- (docs/decisions.md, ordering); JSON values are `json`, which keeps the caller's text (member
-- order included) exactly; every row carries its tenant_id (SPEC T1).

-- The clock of every statement: the injected clock's time when the caller passes one, else the
-- server's (SPEC C3). VOLATILE, so that a statement's `clock` CTE is evaluated once.
CREATE FUNCTION {schema}.now_ms(injected bigint) RETURNS bigint
LANGUAGE sql VOLATILE PARALLEL SAFE
AS $$ SELECT coalesce(injected, floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) $$;

-- Tenants and tokens (SPEC T2, T3) ------------------------------------------------------------

CREATE TABLE {schema}.tenants (
  id          text COLLATE "C" PRIMARY KEY,
  name        text NOT NULL,
  status      text NOT NULL CHECK (status IN ('active', 'suspended')),
  created_at  bigint NOT NULL,
  updated_at  bigint NOT NULL
);

CREATE TABLE {schema}.tokens (
  id          text COLLATE "C" PRIMARY KEY,
  seq         bigint GENERATED ALWAYS AS IDENTITY,
  tenant_id   text COLLATE "C" NOT NULL,
  name        text NOT NULL,
  role        text NOT NULL,
  -- SHA-256 of the token, hex; the plaintext is never stored.
  hash        text COLLATE "C" NOT NULL UNIQUE,
  created_at  bigint NOT NULL,
  expires_at  bigint,
  revoked_at  bigint
);
CREATE INDEX tokens_by_tenant ON {schema}.tokens (tenant_id, seq);

-- WorkflowStore (SPEC W1-W11) ---------------------------------------------------------------------

CREATE TABLE {schema}.definitions (
  tenant_id   text COLLATE "C" NOT NULL,
  id          text COLLATE "C" NOT NULL,
  version     text COLLATE "C" NOT NULL,
  seq         bigint GENERATED ALWAYS AS IDENTITY,
  spec        json NOT NULL,
  created_at  bigint NOT NULL,
  PRIMARY KEY (tenant_id, id, version)
);
CREATE INDEX definitions_in_order ON {schema}.definitions (tenant_id, id, seq);

CREATE TABLE {schema}.runs (
  tenant_id        text COLLATE "C" NOT NULL,
  id               text COLLATE "C" NOT NULL,
  -- Creation order (SPEC W5); a replaced run gets a new one.
  seq              bigint GENERATED ALWAYS AS IDENTITY,
  workflow_id      text NOT NULL,
  version          text NOT NULL,
  status           text NOT NULL,
  input            json NOT NULL,
  context          json NOT NULL,
  created_at       bigint NOT NULL,
  updated_at       bigint NOT NULL,
  completed_at     bigint,
  -- The event log's counter row (SPEC W7): bumped in the appending transaction, so sequences are
  -- gap-free under any concurrency (a sequence object is not).
  latest_sequence  bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX runs_in_order ON {schema}.runs (tenant_id, seq);
CREATE INDEX runs_by_status ON {schema}.runs (tenant_id, status, seq);

CREATE TABLE {schema}.steps (
  tenant_id   text COLLATE "C" NOT NULL,
  run_id      text COLLATE "C" NOT NULL,
  id          text COLLATE "C" NOT NULL,
  position    bigint NOT NULL,
  status      text NOT NULL,
  name        text,
  input       json NOT NULL,
  output      json NOT NULL,
  error       json NOT NULL,
  created_at  bigint NOT NULL,
  updated_at  bigint NOT NULL,
  PRIMARY KEY (tenant_id, run_id, id),
  FOREIGN KEY (tenant_id, run_id) REFERENCES {schema}.runs (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX steps_in_order ON {schema}.steps (tenant_id, run_id, position);

CREATE TABLE {schema}.events (
  tenant_id   text COLLATE "C" NOT NULL,
  run_id      text COLLATE "C" NOT NULL,
  sequence    bigint NOT NULL,
  type        text NOT NULL,
  payload     json NOT NULL,
  created_at  bigint NOT NULL,
  PRIMARY KEY (tenant_id, run_id, sequence),
  FOREIGN KEY (tenant_id, run_id) REFERENCES {schema}.runs (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE {schema}.snapshots (
  tenant_id    text COLLATE "C" NOT NULL,
  run_id       text COLLATE "C" NOT NULL,
  at_sequence  bigint NOT NULL,
  state        json NOT NULL,
  created_at   bigint NOT NULL,
  PRIMARY KEY (tenant_id, run_id, at_sequence),
  FOREIGN KEY (tenant_id, run_id) REFERENCES {schema}.runs (tenant_id, id) ON DELETE CASCADE
);

-- StateStore (SPEC S1-S4) -------------------------------------------------------------------------

CREATE TABLE {schema}.cache_snapshots (
  tenant_id     text COLLATE "C" NOT NULL,
  execution_id  text COLLATE "C" NOT NULL,
  sequence      bigint NOT NULL,
  state         json NOT NULL,
  saved_at      bigint NOT NULL,
  -- Invisible from this time on (SPEC S2), whether or not the row was removed yet.
  expires_at    bigint,
  PRIMARY KEY (tenant_id, execution_id)
);

CREATE TABLE {schema}.kv (
  tenant_id   text COLLATE "C" NOT NULL,
  key         text COLLATE "C" NOT NULL,
  value       bytea NOT NULL,
  expires_at  bigint,
  PRIMARY KEY (tenant_id, key)
);
CREATE INDEX kv_expiring ON {schema}.kv (tenant_id, expires_at) WHERE expires_at IS NOT NULL;
CREATE INDEX cache_snapshots_expiring ON {schema}.cache_snapshots (tenant_id, expires_at) WHERE expires_at IS NOT NULL;

-- EngineBackend (SPEC E1-E19) ---------------------------------------------------------------------

-- Stored states: queued (reads as ready or scheduled by run_at), leased, suspended, blocked,
-- completed, dead, cancelled (docs/decisions.md, effective state).
CREATE TABLE {schema}.tasks (
  tenant_id           text COLLATE "C" NOT NULL,
  id                  text COLLATE "C" NOT NULL,
  -- Enqueue order: the last claim-order tie-breaker (SPEC E3).
  seq                 bigint GENERATED ALWAYS AS IDENTITY,
  queue               text COLLATE "C" NOT NULL,
  payload             json NOT NULL,
  priority            bigint NOT NULL,
  -- The ready time as getTask reports it (docs/decisions.md, claim order).
  run_at              bigint NOT NULL,
  -- When the task becomes claimable: run_at for queued tasks, the timeout of a timed suspension,
  -- null in every other state. Only rows with a ready_at are in the claim index.
  ready_at            bigint,
  max_attempts        bigint NOT NULL,
  backoff_base_ms     bigint NOT NULL,
  backoff_factor      double precision NOT NULL,
  backoff_max_ms      bigint NOT NULL,
  idempotency_key     text,
  run_id              text,
  state               text NOT NULL CHECK (state IN ('queued', 'leased', 'suspended', 'blocked', 'completed', 'dead', 'cancelled')),
  -- Attempts consumed; a new lease's attempt is consumed + 1 (docs/decisions.md, attempts).
  consumed            bigint NOT NULL DEFAULT 0,
  attempt             bigint NOT NULL DEFAULT 0,
  -- The fencing token (SPEC E5): +1 on every lease granted, 0 before the first.
  epoch               bigint NOT NULL DEFAULT 0,
  lease_ms            bigint,
  lease_expires_at    bigint,
  worker_id           text,
  -- How the lease of `epoch` ended when it was revoked or reclaimed ('revoked' | 'expired').
  ended_lease         text,
  -- The epoch whose complete settled the task, for the idempotent repeat (SPEC E7).
  completed_epoch     bigint,
  last_error          json,
  result              json,
  progress            json,
  cancel_reason       text,
  suspend_keys        text[],
  suspend_mode        text,
  suspend_timeout_at  bigint,
  -- Signals attached while suspended, in delivery order: [{signalId, key, payload (JSON text), createdAt}].
  signals             jsonb,
  -- The resumption of the latest suspension (SPEC E14): its signals and whether its timeout came
  -- first. Every lease carries it until the task suspends again, so a worker that dies after
  -- resuming does not take the signals with it. Null: no resumption.
  resume_signals      jsonb,
  resume_timed_out    boolean NOT NULL DEFAULT false,
  -- Dependencies not completed yet (SPEC E16); the task is blocked while positive.
  pending_deps        bigint NOT NULL DEFAULT 0,
  -- Set when another task depends on this one: its settlement then takes the transactional path
  -- that releases or cancels the dependents.
  has_dependents      boolean NOT NULL DEFAULT false,
  -- The stream counter of attempt frame_attempt (SPEC E18).
  frame_attempt       bigint NOT NULL DEFAULT 0,
  frame_seq           bigint NOT NULL DEFAULT 0,
  -- The order tasks died in (listDeadLetters).
  death_seq           bigint,
  -- The claim that granted the current lease, to recover a claim whose answer was lost.
  claim_token         text,
  created_at          bigint NOT NULL,
  updated_at          bigint NOT NULL,
  PRIMARY KEY (tenant_id, id)
) WITH (fillfactor = 85, autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02);

-- The claim index: claimable rows only, in claim order (SPEC E3), so a claim reads the first few
-- entries however many tasks are ready or finished.
CREATE INDEX tasks_claimable ON {schema}.tasks (tenant_id, queue, priority DESC, ready_at, seq)
  WHERE ready_at IS NOT NULL;
-- Leases by queue and expiry: reclaim (SPEC E10) and concurrency counts (E17).
CREATE INDEX tasks_leased ON {schema}.tasks (tenant_id, queue, lease_expires_at)
  WHERE state = 'leased';
CREATE INDEX tasks_dead ON {schema}.tasks (tenant_id, death_seq)
  WHERE state = 'dead';
CREATE INDEX tasks_suspended_keys ON {schema}.tasks USING gin (suspend_keys)
  WHERE state = 'suspended';

CREATE SEQUENCE {schema}.death_order;

CREATE TABLE {schema}.task_dependencies (
  tenant_id   text COLLATE "C" NOT NULL,
  task_id     text COLLATE "C" NOT NULL,
  depends_on  text COLLATE "C" NOT NULL,
  -- Position in the task's dependsOn, for getTask's pendingDependencies.
  ordinal     bigint NOT NULL,
  PRIMARY KEY (tenant_id, task_id, depends_on)
);
CREATE INDEX task_dependencies_by_dependency ON {schema}.task_dependencies (tenant_id, depends_on);

-- Tasks as getTask and listDeadLetters report them (SPEC E13, E16), with the dependencies that
-- have not completed, in dependsOn order; the effective state is derived from these and the time.
CREATE VIEW {schema}.task_records AS
SELECT t.tenant_id, t.id, t.queue, t.state, t.payload, t.attempt, t.max_attempts, t.epoch, t.priority, t.run_at,
       t.lease_expires_at, t.worker_id, t.last_error, t.result, t.progress, t.cancel_reason, t.run_id,
       t.idempotency_key, t.created_at, t.updated_at, t.suspend_timeout_at, t.death_seq,
       ARRAY(
         SELECT d.depends_on
         FROM {schema}.task_dependencies d
         JOIN {schema}.tasks dt ON dt.tenant_id = d.tenant_id AND dt.id = d.depends_on
         WHERE d.tenant_id = t.tenant_id AND d.task_id = t.id AND dt.state <> 'completed'
         ORDER BY d.ordinal
       ) AS pending_dependencies
FROM {schema}.tasks t;

-- Idempotency keys of enqueues (SPEC E2), live for dedupTtlMs from created_at.
CREATE TABLE {schema}.enqueue_keys (
  tenant_id   text COLLATE "C" NOT NULL,
  queue       text COLLATE "C" NOT NULL,
  key         text COLLATE "C" NOT NULL,
  task_id     text COLLATE "C" NOT NULL,
  created_at  bigint NOT NULL,
  PRIMARY KEY (tenant_id, queue, key)
);
CREATE INDEX enqueue_keys_by_age ON {schema}.enqueue_keys (tenant_id, created_at);

CREATE TABLE {schema}.queues (
  tenant_id    text COLLATE "C" NOT NULL,
  queue        text COLLATE "C" NOT NULL,
  concurrency  bigint,
  paused       boolean NOT NULL DEFAULT false,
  PRIMARY KEY (tenant_id, queue)
);

-- Signals no task waited for (SPEC E15), live for signalTtlMs from created_at.
CREATE TABLE {schema}.signal_buffer (
  tenant_id   text COLLATE "C" NOT NULL,
  seq         bigint GENERATED ALWAYS AS IDENTITY,
  id          text COLLATE "C" NOT NULL,
  key         text COLLATE "C" NOT NULL,
  payload     json NOT NULL,
  created_at  bigint NOT NULL,
  PRIMARY KEY (tenant_id, seq)
);
CREATE INDEX signal_buffer_by_key ON {schema}.signal_buffer (tenant_id, key, seq);
CREATE INDEX signal_buffer_by_age ON {schema}.signal_buffer (tenant_id, created_at);

-- Idempotency keys of signals (SPEC E15), per tenant, live for dedupTtlMs from created_at.
CREATE TABLE {schema}.signal_keys (
  tenant_id        text COLLATE "C" NOT NULL,
  idempotency_key  text COLLATE "C" NOT NULL,
  signal_id        text COLLATE "C" NOT NULL,
  created_at       bigint NOT NULL,
  PRIMARY KEY (tenant_id, idempotency_key)
);
CREATE INDEX signal_keys_by_age ON {schema}.signal_keys (tenant_id, created_at);

CREATE TABLE {schema}.frames (
  tenant_id   text COLLATE "C" NOT NULL,
  task_id     text COLLATE "C" NOT NULL,
  attempt     bigint NOT NULL,
  sequence    bigint NOT NULL,
  data        json NOT NULL,
  created_at  bigint NOT NULL,
  PRIMARY KEY (tenant_id, task_id, attempt, sequence)
);

-- Who listens (SPEC E19): statements send a NOTIFY only when some backend listens to that topic
-- for that tenant, so that the hot paths do not pay for NOTIFY (whose commit-time lock serializes
-- committing transactions) when nobody subscribes. Rows are refreshed by their listener and
-- removed at close; rows of a listener that vanished are removed after ten minutes.
CREATE TABLE {schema}.listeners (
  tenant_id     text COLLATE "C" NOT NULL,
  -- 'work' (waitForWork) or a TaskEventKind (subscribe)
  topic         text NOT NULL,
  listener_id   text NOT NULL,
  heartbeat_at  timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, topic, listener_id)
);
