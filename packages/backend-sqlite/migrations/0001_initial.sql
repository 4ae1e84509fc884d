-- Migration 0001: the initial Mooring schema.
--
-- Append-only: once released, this file never changes (its SHA-256 is recorded in the ledger and
-- checked on every migrate); a schema change is a new numbered file. Names in double braces are
-- replaced by namespaced, quoted identifiers ("<namespace>.<object>"), so several deployments share
-- one database file. Times are epoch milliseconds from the backend's clock; JSON values are TEXT.

-- Tenant records (SPEC T2). Global within the namespace; ids order by code point (BINARY).
CREATE TABLE {{tenants}} (
  id          TEXT    NOT NULL PRIMARY KEY,
  name        TEXT    NOT NULL,
  status      TEXT    NOT NULL,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
) WITHOUT ROWID;

-- API tokens (SPEC T3): only the SHA-256 of a token is stored, never the plaintext.
CREATE TABLE {{tokens}} (
  seq         INTEGER PRIMARY KEY AUTOINCREMENT,
  id          TEXT    NOT NULL UNIQUE,
  tenant      TEXT    NOT NULL,
  name        TEXT    NOT NULL,
  role        TEXT    NOT NULL,
  hash        TEXT    NOT NULL UNIQUE,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER,
  revoked_at  INTEGER
);
CREATE INDEX {{tokens_by_tenant}} ON {{tokens}} (tenant, seq);

-- Workflow definitions (SPEC W1); seq is insertion order.
CREATE TABLE {{definitions}} (
  seq         INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant      TEXT    NOT NULL,
  id          TEXT    NOT NULL,
  version     TEXT    NOT NULL,
  spec        TEXT    NOT NULL,
  created_at  INTEGER NOT NULL,
  UNIQUE (tenant, id, version)
);
CREATE INDEX {{definitions_by_id}} ON {{definitions}} (tenant, id, seq);

-- Runs (SPEC W2-W5). pk is creation order and the key of everything under the run, so a replaced
-- run (ifExists "replace") can never see the rows of the run it replaced.
CREATE TABLE {{runs}} (
  pk               INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant           TEXT    NOT NULL,
  id               TEXT    NOT NULL,
  workflow_id      TEXT    NOT NULL,
  version          TEXT    NOT NULL,
  status           TEXT    NOT NULL,
  input            TEXT    NOT NULL,
  context          TEXT    NOT NULL,
  latest_sequence  INTEGER NOT NULL DEFAULT 0,
  next_position    INTEGER NOT NULL DEFAULT 0,
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL,
  completed_at     INTEGER,
  UNIQUE (tenant, id)
);
CREATE INDEX {{runs_by_tenant}} ON {{runs}} (tenant, pk);
CREATE INDEX {{runs_by_status}} ON {{runs}} (tenant, status, pk);

-- Steps (SPEC W6): position is the 0-based order of first insertion, kept on replace.
CREATE TABLE {{steps}} (
  run_pk      INTEGER NOT NULL,
  id          TEXT    NOT NULL,
  position    INTEGER NOT NULL,
  status      TEXT    NOT NULL,
  name        TEXT,
  input       TEXT    NOT NULL,
  output      TEXT    NOT NULL,
  error       TEXT    NOT NULL,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  PRIMARY KEY (run_pk, id)
) WITHOUT ROWID;
CREATE INDEX {{steps_by_position}} ON {{steps}} (run_pk, position);

-- The event log (SPEC W7-W9): sequences per run from 1, gap-free; runs.latest_sequence is the
-- counter, advanced in the appending transaction.
CREATE TABLE {{events}} (
  run_pk      INTEGER NOT NULL,
  sequence    INTEGER NOT NULL,
  type        TEXT    NOT NULL,
  payload     TEXT    NOT NULL,
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (run_pk, sequence)
) WITHOUT ROWID;

-- Durable snapshots (SPEC W10), one per (run, atSequence).
CREATE TABLE {{snapshots}} (
  run_pk       INTEGER NOT NULL,
  at_sequence  INTEGER NOT NULL,
  state        TEXT    NOT NULL,
  created_at   INTEGER NOT NULL,
  PRIMARY KEY (run_pk, at_sequence)
) WITHOUT ROWID;

-- The cache's byte values (SPEC S2-S4). A row whose expires_at has come is invisible to reads.
CREATE TABLE {{kv}} (
  tenant      TEXT    NOT NULL,
  key         TEXT    NOT NULL,
  value       BLOB    NOT NULL,
  expires_at  INTEGER,
  PRIMARY KEY (tenant, key)
) WITHOUT ROWID;
-- Entries with a TTL by expiry, for the sweep in reclaimExpired.
CREATE INDEX {{kv_by_expiry}} ON {{kv}} (tenant, expires_at) WHERE expires_at IS NOT NULL;

-- The cache's snapshots (SPEC S1).
CREATE TABLE {{cache_snapshots}} (
  tenant        TEXT    NOT NULL,
  execution_id  TEXT    NOT NULL,
  sequence      INTEGER NOT NULL,
  state         TEXT    NOT NULL,
  saved_at      INTEGER NOT NULL,
  expires_at    INTEGER,
  PRIMARY KEY (tenant, execution_id)
) WITHOUT ROWID;
CREATE INDEX {{cache_snapshots_by_expiry}} ON {{cache_snapshots}} (tenant, expires_at) WHERE expires_at IS NOT NULL;

-- Tasks (SPEC E1-E18). seq is enqueue order (the FIFO tie-break of claim); tasks are never
-- deleted, so a plain rowid only grows (no AUTOINCREMENT bookkeeping on the hot path).
-- state is the stored state: 'scheduled' | 'ready' | 'leased' | 'suspended' | 'blocked' |
-- 'completed' | 'dead' | 'cancelled'; the state reported at a time t is derived from it (a
-- scheduled task with run_at <= t, or a suspended one with wait_timeout_at <= t, reads as ready).
-- consumed counts consumed attempts; attempt is the latest lease's attempt number; epoch the latest
-- lease's fencing token. lease_end says how the lease of the current epoch ended: NULL while it is
-- held, else 'completed' | 'failed' | 'released' | 'suspended' | 'revoked' | 'expired' | 'dead'.
-- resume is what the next lease carries after a suspension: NULL | 'signals' | 'timeout'.
CREATE TABLE {{tasks}} (
  seq               INTEGER PRIMARY KEY,
  tenant            TEXT    NOT NULL,
  id                TEXT    NOT NULL,
  queue             TEXT    NOT NULL,
  state             TEXT    NOT NULL,
  payload           TEXT    NOT NULL,
  priority          INTEGER NOT NULL,
  run_at            INTEGER NOT NULL,
  max_attempts      INTEGER NOT NULL,
  backoff_base_ms   INTEGER NOT NULL,
  backoff_factor    REAL    NOT NULL,
  backoff_max_ms    INTEGER NOT NULL,
  consumed          INTEGER NOT NULL DEFAULT 0,
  attempt           INTEGER NOT NULL DEFAULT 0,
  epoch             INTEGER NOT NULL DEFAULT 0,
  lease_ms          INTEGER,
  lease_expires_at  INTEGER,
  worker_id         TEXT,
  lease_end         TEXT,
  last_error        TEXT    NOT NULL DEFAULT 'null',
  result            TEXT    NOT NULL DEFAULT 'null',
  progress          TEXT,
  pending_deps      INTEGER NOT NULL DEFAULT 0,
  cancel_reason     TEXT,
  run_id            TEXT,
  idempotency_key   TEXT,
  wait_keys         TEXT,
  wait_mode         TEXT,
  wait_timeout_at   INTEGER,
  resume            TEXT,
  dead_seq          INTEGER,
  created_at        INTEGER NOT NULL,
  updated_at        INTEGER NOT NULL,
  UNIQUE (tenant, id)
);
-- Claim: the ready tasks of one queue in claim order, so that claim reads O(log n + limit) rows
-- whatever the queue's length (partial: only ready rows are in it).
CREATE INDEX {{tasks_ready}} ON {{tasks}} (tenant, queue, priority DESC, run_at, seq) WHERE state = 'ready';
-- Scheduled tasks by due time, promoted to ready by claim when their time comes.
CREATE INDEX {{tasks_scheduled}} ON {{tasks}} (tenant, queue, run_at) WHERE state = 'scheduled';
-- Leases by expiry: reclaim, claim-side reclaim and the concurrency count.
CREATE INDEX {{tasks_leased}} ON {{tasks}} (tenant, queue, lease_expires_at) WHERE state = 'leased';
-- Suspended tasks by timeout (NULL: no timeout).
CREATE INDEX {{tasks_suspended}} ON {{tasks}} (tenant, queue, wait_timeout_at) WHERE state = 'suspended';
-- Blocked and terminal tasks, for queueStats counts.
CREATE INDEX {{tasks_settled}} ON {{tasks}} (tenant, queue, state) WHERE state IN ('blocked', 'completed', 'dead', 'cancelled');
-- Dead letters in the order they died.
CREATE INDEX {{tasks_dead}} ON {{tasks}} (tenant, dead_seq) WHERE state = 'dead';

-- Dependencies (SPEC E16): task_seq waits for dep_seq; position is the dependsOn order.
CREATE TABLE {{task_deps}} (
  task_seq  INTEGER NOT NULL,
  dep_seq   INTEGER NOT NULL,
  position  INTEGER NOT NULL,
  PRIMARY KEY (task_seq, dep_seq)
) WITHOUT ROWID;
CREATE INDEX {{task_deps_by_dependency}} ON {{task_deps}} (dep_seq, task_seq);

-- Enqueue idempotency keys (SPEC E2), per (tenant, queue), live until expires_at.
CREATE TABLE {{task_keys}} (
  tenant      TEXT    NOT NULL,
  queue       TEXT    NOT NULL,
  key         TEXT    NOT NULL,
  task_id     TEXT    NOT NULL,
  expires_at  INTEGER NOT NULL,
  PRIMARY KEY (tenant, queue, key)
) WITHOUT ROWID;
CREATE INDEX {{task_keys_by_expiry}} ON {{task_keys}} (tenant, expires_at);

-- The signal keys a suspended task waits on (SPEC E14).
CREATE TABLE {{task_waits}} (
  tenant    TEXT    NOT NULL,
  key       TEXT    NOT NULL,
  task_seq  INTEGER NOT NULL,
  PRIMARY KEY (tenant, key, task_seq)
) WITHOUT ROWID;
CREATE INDEX {{task_waits_by_task}} ON {{task_waits}} (task_seq);

-- Signals attached to a task since its latest suspend, in delivery order (n).
CREATE TABLE {{task_signals}} (
  task_seq    INTEGER NOT NULL,
  n           INTEGER NOT NULL,
  signal_id   TEXT    NOT NULL,
  key         TEXT    NOT NULL,
  payload     TEXT    NOT NULL,
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (task_seq, n)
) WITHOUT ROWID;

-- Buffered signals nobody waited for (SPEC E15), live until expires_at.
CREATE TABLE {{signals}} (
  seq         INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant      TEXT    NOT NULL,
  id          TEXT    NOT NULL,
  key         TEXT    NOT NULL,
  payload     TEXT    NOT NULL,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL
);
CREATE INDEX {{signals_by_key}} ON {{signals}} (tenant, key, seq);
CREATE INDEX {{signals_by_expiry}} ON {{signals}} (tenant, expires_at);

-- Signal idempotency keys (SPEC E15), per tenant, live until expires_at.
CREATE TABLE {{signal_keys}} (
  tenant      TEXT    NOT NULL,
  key         TEXT    NOT NULL,
  signal_id   TEXT    NOT NULL,
  expires_at  INTEGER NOT NULL,
  PRIMARY KEY (tenant, key)
) WITHOUT ROWID;
CREATE INDEX {{signal_keys_by_expiry}} ON {{signal_keys}} (tenant, expires_at);

-- Stream frames (SPEC E18), per (task, attempt) from 1.
CREATE TABLE {{frames}} (
  task_seq    INTEGER NOT NULL,
  attempt     INTEGER NOT NULL,
  sequence    INTEGER NOT NULL,
  data        TEXT    NOT NULL,
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (task_seq, attempt, sequence)
) WITHOUT ROWID;

-- Queue settings (SPEC E17); a queue without a row is unpaused and unlimited.
CREATE TABLE {{queues}} (
  tenant       TEXT    NOT NULL,
  queue        TEXT    NOT NULL,
  concurrency  INTEGER,
  paused       INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant, queue)
) WITHOUT ROWID;

-- The change feed (SPEC E19): one row per task event, written in the transaction that caused it.
-- Every connection polls it, so wake-ups and subscriptions cross connections and processes; seq
-- order is commit order because SQLite has one writer at a time. Old rows are pruned by count,
-- never the newest, so a plain rowid only grows.
CREATE TABLE {{notifications}} (
  seq      INTEGER PRIMARY KEY,
  tenant   TEXT    NOT NULL,
  kind     TEXT    NOT NULL,
  task_id  TEXT    NOT NULL,
  queue    TEXT    NOT NULL,
  at       INTEGER NOT NULL
);
