/**
 * The raw better-sqlite3 baseline: the essential statements of a SQLite task queue, run directly,
 * with the settings of the `sqlite` target (temporary file, WAL, `synchronous=NORMAL`). It is what
 * the `sqlite` backend would cost with no contract around it (no validation, no fence-check order,
 * no claim-side reclaim, no events), so `sqlite / raw-sqlite` is the price of the contract.
 *
 * Statements, per the techniques in ANCHORS.md:
 * - enqueue: one INSERT (autocommit); enqueueMany: the INSERTs of a batch in one transaction;
 * - claim: `UPDATE … WHERE seq IN (SELECT seq … ORDER BY priority DESC, run_at, seq LIMIT n)
 *   RETURNING`, in one `BEGIN IMMEDIATE` transaction (`seq` is the rowid, the cheapest key to
 *   address the selected rows by);
 * - complete: one fenced UPDATE (task id, epoch, still leased, lease unexpired), in one
 *   `BEGIN IMMEDIATE` transaction.
 */
import { join } from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import type { ClaimedTask, TargetDefinition, TargetSession } from "./target.js";
import { createTempDir } from "./temp-dir.js";

/** Long enough that no lease expires during a run. */
const LEASE_MS = 10 * 60 * 1000;
const TENANT = "default";
const MAX_ATTEMPTS = 3;

// The shape of the sqlite backend's task table: a rowid `seq` giving enqueue order, a text id unique
// per tenant, the queue, the claim-order columns, the lease columns, and a partial index that holds
// ready rows only, in claim order, so a claim reads the head of the index whatever the queue's depth.
const SCHEMA = `
CREATE TABLE tasks (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id TEXT NOT NULL,
  id TEXT NOT NULL,
  queue TEXT NOT NULL,
  state TEXT NOT NULL,
  payload TEXT NOT NULL,
  priority INTEGER NOT NULL,
  run_at INTEGER NOT NULL,
  attempt INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL,
  epoch INTEGER NOT NULL DEFAULT 0,
  worker_id TEXT,
  lease_expires_at INTEGER,
  result TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (tenant_id, id)
);
CREATE INDEX tasks_ready ON tasks (tenant_id, queue, priority DESC, run_at, seq) WHERE state = 'ready';
`;

const INSERT_TASK = `
INSERT INTO tasks (id, tenant_id, queue, state, payload, priority, run_at, max_attempts, created_at, updated_at)
VALUES (?, ?, ?, 'ready', ?, 0, ?, ?, ?, ?)`;

const CLAIM_TASKS = `
UPDATE tasks
SET state = 'leased', epoch = epoch + 1, attempt = attempt + 1, worker_id = ?, lease_expires_at = ?, updated_at = ?
WHERE seq IN (
  SELECT seq FROM tasks
  WHERE tenant_id = ? AND queue = ? AND state = 'ready' AND run_at <= ?
  ORDER BY priority DESC, run_at, seq
  LIMIT ?
)
RETURNING id, epoch, payload, attempt, lease_expires_at`;

const COMPLETE_TASK = `
UPDATE tasks
SET state = 'completed', result = 'null', worker_id = NULL, lease_expires_at = NULL, updated_at = ?
WHERE tenant_id = ? AND id = ? AND epoch = ? AND state = 'leased' AND lease_expires_at > ?`;

interface ClaimedRow {
  readonly id: string;
  readonly epoch: number;
  readonly payload: string;
  readonly attempt: number;
  readonly lease_expires_at: number;
}

interface RawClaimedTask extends ClaimedTask {
  readonly epoch: number;
  readonly payload: unknown;
}

export const rawSqliteTarget: TargetDefinition = {
  name: "raw-sqlite",
  backend: "sqlite",
  reference: { target: "sqlite", kind: "baseline" },
  defaultConcurrency: 1,
  describe: () => ({ file: "temporary", journal: "wal", synchronous: "normal" }),
  // The E20 rows compare a backend with itself (keys against no keys); the baseline has no keys.
  skips: (workload) => (workload.startsWith("fair-") ? "a baseline: the E20 rows compare each backend with its own keyless rows" : null),
  async open() {
    // Imported here so that a run of other backends never loads the native module.
    const [{ default: Database }, { newId }] = await Promise.all([import("better-sqlite3"), import("@mooring/core")]);
    const dir = await createTempDir("raw-sqlite");
    try {
      return openRawSession(new Database(join(dir.path, "bench.db")), newId, () => dir.remove());
    } catch (error) {
      await dir.remove();
      throw error;
    }
  },
};

function openRawSession(db: BetterSqlite3.Database, newId: (now?: number) => string, release: () => Promise<void>): TargetSession {
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 5000");
  db.exec(SCHEMA);

  const insertTask = db.prepare<[string, string, string, string, number, number, number, number]>(INSERT_TASK);
  const claimTasks = db.prepare<[string, number, number, string, string, number, number], ClaimedRow>(CLAIM_TASKS);
  const completeTask = db.prepare<[number, string, string, number, number]>(COMPLETE_TASK);

  const insert = (queue: string, payload: Readonly<Record<string, number>>, now: number): void => {
    insertTask.run(newId(now), TENANT, queue, JSON.stringify(payload), now, MAX_ATTEMPTS, now, now);
  };
  const insertBatch = db.transaction((queue: string, payloads: readonly Readonly<Record<string, number>>[], now: number) => {
    for (const payload of payloads) insert(queue, payload, now);
  });
  const claim = db.transaction((queue: string, workerId: string, limit: number, now: number): RawClaimedTask[] =>
    claimTasks.all(workerId, now + LEASE_MS, now, TENANT, queue, now, limit).map((row) => ({
      id: row.id,
      epoch: row.epoch,
      payload: JSON.parse(row.payload) as unknown,
    })),
  );
  const complete = db.transaction((task: RawClaimedTask, now: number): void => {
    const { changes } = completeTask.run(now, TENANT, task.id, task.epoch, now);
    if (changes !== 1) throw new Error(`raw-sqlite: task ${task.id} epoch ${task.epoch} was not leased`);
  });

  let closing: Promise<void> | null = null;
  return {
    queue: {
      async enqueue(queue, payload) {
        insert(queue, payload, Date.now());
      },
      async enqueueMany(queue, payloads) {
        insertBatch.immediate(queue, payloads, Date.now());
      },
      async claim(queue, workerId, limit) {
        return claim.immediate(queue, workerId, limit, Date.now());
      },
      async complete(task) {
        // Tasks handed to `complete` are the ones `claim` above returned.
        complete.immediate(task as RawClaimedTask, Date.now());
      },
    },
    close() {
      closing ??= (async () => {
        try {
          db.close();
        } finally {
          await release();
        }
      })();
      return closing;
    },
  };
}
