/**
 * What only the SQLite backend has to prove beyond the kit: the file it opens (and refuses), its
 * migrations, several backends and several processes on one file, wake-ups across them, native
 * error mapping, the claim plan, and crash safety under SIGKILL.
 */
import { createHash, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import Database from "better-sqlite3";
import { type Backend, type ErrorCode, ManualClock, MooringError, openBackend } from "@mooring/core";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createSqliteBackend, openFromUrl, openNamespaceRemover, SqliteNotifier } from "../src/index.js";
import { renderSql } from "../src/identifiers.js";
import { loadMigrations } from "../src/migrations.js";
import { claimStatement, LIST_TASKS, LIST_TASKS_DESC } from "../src/sql/engine.js";
import { buildChild, type ChildBuild } from "./helpers/child-build.js";
import { LineProcess } from "./helpers/processes.js";

const root = mkdtempSync(join(tmpdir(), "mooring-sqlite-only-"));
const opened: Backend[] = [];
let built: ChildBuild | undefined;

/** The child program, transpiled once for every multi-process test of this file. */
function child(): ChildBuild {
  built ??= buildChild();
  return built;
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((backend) => backend.close()));
});

afterAll(() => {
  built?.dispose();
  rmSync(root, { recursive: true, force: true });
});

/** A new file path in a new directory of the test's temp dir. */
function newFile(name = "mooring.db"): string {
  const directory = mkdtempSync(join(root, "case-"));
  return join(directory, name);
}

function unique(prefix: string): string {
  return `${prefix}_${randomBytes(6).toString("hex")}`;
}

function open(options: Parameters<typeof createSqliteBackend>[0]): Backend {
  const backend = createSqliteBackend(options);
  opened.push(backend);
  return backend;
}

/** Runs `action`, which must throw a MooringError with `code`; returns it. */
function refusal(action: () => unknown, code: ErrorCode): MooringError {
  try {
    action();
  } catch (error) {
    expect(MooringError.is(error, code), `expected ${code}, got ${String(error)}`).toBe(true);
    return error as MooringError;
  }
  throw new Error(`expected a ${code} MooringError, nothing was thrown`);
}

async function rejection(action: Promise<unknown>, code: ErrorCode): Promise<MooringError> {
  try {
    await action;
  } catch (error) {
    expect(MooringError.is(error, code), `expected ${code}, got ${String(error)}`).toBe(true);
    return error as MooringError;
  }
  throw new Error(`expected a ${code} MooringError, the call succeeded`);
}

function ledgerOf(file: string, namespace = "mooring"): { version: number; name: string; sha256: string; applied_at: number }[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(`SELECT version, name, sha256, applied_at FROM "${namespace}.migrations" ORDER BY version`).all() as {
      version: number;
      name: string;
      sha256: string;
      applied_at: number;
    }[];
  } finally {
    db.close();
  }
}

describe("opening", () => {
  it("uses WAL and synchronous NORMAL on a file by default, FULL on request", () => {
    const file = newFile();
    const database = new Database(file);
    open({ database });
    expect(database.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(database.pragma("synchronous", { simple: true })).toBe(1);
    open({ database, synchronous: "full" });
    expect(database.pragma("synchronous", { simple: true })).toBe(2);
    database.close();
  });

  it("leaves a caller-provided database open after close", async () => {
    const database = new Database(":memory:");
    const backend = createSqliteBackend({ database });
    await backend.workflows.createRun({ id: "r", workflowId: "w", version: "1" });
    await backend.close();
    expect(database.open).toBe(true);
    const again = open({ database });
    expect((await again.workflows.getRun("r"))?.id).toBe("r");
    database.close();
  });

  it("keeps namespaces of one file apart, whatever characters they hold", async () => {
    const file = newFile();
    const plain = open({ path: file, namespace: "alpha" });
    const odd = open({ path: file, namespace: 'we"ird.name; DROP TABLE x' });
    await plain.workflows.createRun({ id: "r", workflowId: "w", version: "1" });
    expect(await odd.workflows.getRun("r")).toBeNull();
    await odd.engine.enqueue({ queue: "q" });
    expect((await plain.engine.queueStats("q")).counts.ready).toBe(0);
    expect((await odd.engine.queueStats("q")).counts.ready).toBe(1);
    refusal(() => createSqliteBackend({ path: file, namespace: "sqlite_internal" }), "VALIDATION");
    refusal(() => createSqliteBackend({ path: file, namespace: "" }), "VALIDATION");
  });

  it("rejects bad options with VALIDATION", () => {
    refusal(() => createSqliteBackend({}), "VALIDATION");
    refusal(() => createSqliteBackend({ path: ":memory:", database: new Database(":memory:") }), "VALIDATION");
    refusal(() => createSqliteBackend({ path: ":memory:", synchronous: "off" as "full" }), "VALIDATION");
    refusal(() => createSqliteBackend({ path: ":memory:", busyTimeoutMs: -1 }), "VALIDATION");
    refusal(() => createSqliteBackend({ path: ":memory:", pollIntervalMs: 0 }), "VALIDATION");
  });

  it("opens sqlite: URLs with options from the query string", async () => {
    const memory = await openFromUrl("sqlite::memory:", {});
    opened.push(memory);
    await memory.ping();
    const file = newFile("from url.db");
    const relativePath = relative(process.cwd(), file).split("\\").join("/");
    const byRelative = await openFromUrl(`sqlite:./${encodeURI(relativePath)}?synchronous=full&busyTimeoutMs=1234`, {});
    opened.push(byRelative);
    await byRelative.workflows.createRun({ id: "r", workflowId: "w", version: "1" });
    const byAbsolute = await openFromUrl(`sqlite:${encodeURI(file)}?namespace=mooring`, {});
    opened.push(byAbsolute);
    expect((await byAbsolute.workflows.getRun("r"))?.id).toBe("r");
    const throughCore = await openBackend(`sqlite:${encodeURI(file)}`, { migrate: false });
    opened.push(throughCore);
    expect(throughCore.name).toBe("sqlite");
    expect((await throughCore.workflows.getRun("r"))?.id).toBe("r");
    await rejection(openFromUrl("sqlite::memory:?journal=off", {}), "VALIDATION");
    await rejection(openFromUrl("sqlite::memory:?busyTimeoutMs=soon", {}), "VALIDATION");
    await rejection(openFromUrl("sqlite://host/file.db", {}), "VALIDATION");
  });
});

describe("bad files: each refused with a MooringError saying what is wrong, nothing overwritten", () => {
  it("a directory", () => {
    const directory = mkdtempSync(join(root, "dir-"));
    const error = refusal(() => createSqliteBackend({ path: directory }), "VALIDATION");
    expect(error.message).toMatch(/is a directory/);
  });

  it("a missing directory", () => {
    const error = refusal(() => createSqliteBackend({ path: join(root, "no-such-dir", "x.db") }), "VALIDATION");
    expect(error.message).toMatch(/does not exist/);
  });

  it("a file that is not a database", () => {
    const file = newFile("notes.txt");
    const bytes = Buffer.from("these are my notes, not a database\n".repeat(200));
    writeFileSync(file, bytes);
    const error = refusal(() => createSqliteBackend({ path: file }), "INVALID_STATE");
    expect(error.message).toMatch(/not a SQLite database/);
    expect(readFileSync(file).equals(bytes)).toBe(true);
    expect(existsSync(`${file}-wal`) || existsSync(`${file}-shm`)).toBe(false);
  });

  it("a file that starts like a database but is damaged", () => {
    const file = newFile();
    const bytes = Buffer.concat([Buffer.from("SQLite format 3\u0000", "latin1"), randomBytes(4080)]);
    writeFileSync(file, bytes);
    const error = refusal(() => createSqliteBackend({ path: file }), "INVALID_STATE");
    expect(error.message).toMatch(/not a SQLite database|damaged/);
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });

  it("a read-only file", async () => {
    const file = newFile();
    const backend = createSqliteBackend({ path: file });
    await backend.workflows.createRun({ id: "r", workflowId: "w", version: "1" });
    await backend.close();
    const bytes = readFileSync(file);
    chmodSync(file, 0o444);
    try {
      const error = refusal(() => createSqliteBackend({ path: file }), "INVALID_STATE");
      expect(error.message).toMatch(/read-only/);
      expect(readFileSync(file).equals(bytes)).toBe(true);
    } finally {
      chmodSync(file, 0o644);
    }
  });

  it("a database written by a newer schema", async () => {
    const file = newFile();
    await createSqliteBackend({ path: file }).close();
    const db = new Database(file);
    db.prepare(`INSERT INTO "mooring.migrations" (version, name, sha256, applied_at) VALUES (999, '0999_future', 'ff', 0)`).run();
    db.close();
    const bytes = readFileSync(file);
    const error = refusal(() => createSqliteBackend({ path: file }), "INVALID_STATE");
    expect(error.message).toMatch(/newer than this @mooring\/backend-sqlite knows.*upgrade/);
    refusal(() => createSqliteBackend({ path: file, migrate: false }), "INVALID_STATE");
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });
});

describe("migrations", () => {
  it("records each migration in the ledger with its SHA-256, once", async () => {
    const file = newFile();
    const clock = new ManualClock();
    const backend = open({ path: file, clock });
    await backend.migrate();
    await backend.migrate();
    const migrations = loadMigrations();
    const ledger = ledgerOf(file);
    expect(ledger.map((row) => row.version)).toEqual(migrations.map((migration) => migration.version));
    for (const [index, migration] of migrations.entries()) {
      const text = readFileSync(new URL(`../migrations/${migration.name}.sql`, import.meta.url), "utf8");
      expect(ledger[index]?.sha256).toBe(createHash("sha256").update(text).digest("hex"));
      expect(ledger[index]?.name).toBe(migration.name);
      expect(ledger[index]?.applied_at).toBe(clock.now());
    }
  });

  it("refuses an edited migration (hash mismatch) with INVALID_STATE, saying what to do", async () => {
    const file = newFile();
    await createSqliteBackend({ path: file }).close();
    const db = new Database(file);
    db.prepare(`UPDATE "mooring.migrations" SET sha256 = ? WHERE version = 1`).run("0".repeat(64));
    db.close();
    const error = refusal(() => createSqliteBackend({ path: file }), "INVALID_STATE");
    expect(error.message).toMatch(/0001_initial.*differs.*append-only.*new numbered migration/);
  });

  it("a backend opened with migrate: false reports the missing schema as INVALID_STATE", async () => {
    const backend = open({ path: newFile(), migrate: false });
    const error = await rejection(backend.workflows.getRun("r"), "INVALID_STATE");
    expect(error.message).toMatch(/run migrate\(\)/);
    await backend.migrate();
    expect(await backend.workflows.getRun("r")).toBeNull();
  });

  describe("from several processes at once", () => {
    it("applies every migration exactly once", async () => {
      const file = newFile();
      const namespace = unique("ns");
      const processes = Array.from({ length: 4 }, () => new LineProcess(child().script, ["migrate", file, namespace]));
      await Promise.all(processes.map((process) => process.waitFor((line) => line === "ready", 20_000, "migrate child ready")));
      for (const process of processes) process.send("go");
      await Promise.all(processes.map((process) => process.waitFor((line) => line === "migrated", 30_000, "migrate child done")));
      expect(await Promise.all(processes.map((process) => process.closed))).toEqual([0, 0, 0, 0]);
      expect(ledgerOf(file, namespace).map((row) => row.version)).toEqual(loadMigrations().map((migration) => migration.version));
      const backend = open({ path: file, namespace });
      await backend.engine.enqueue({ queue: "q" });
      expect((await backend.engine.queueStats("q")).counts.ready).toBe(1);
    });
  });
});

describe("several backends on one file", () => {
  it("see each other's writes and never claim a task twice", async () => {
    const file = newFile();
    const clock = new ManualClock();
    const a = open({ path: file, clock });
    const b = open({ path: file, clock });
    const queue = unique("q");
    const ids = new Set((await a.engine.enqueueMany(Array.from({ length: 60 }, (_, n) => ({ queue, payload: n })))).map((task) => task.id));
    const claimed: string[] = [];
    const worker = async (backend: Backend, workerId: string): Promise<void> => {
      for (;;) {
        const leases = await backend.engine.claim({ workerId, queues: [queue], leaseMs: 60_000, limit: 2 });
        if (leases.length === 0) return;
        for (const lease of leases) {
          claimed.push(lease.taskId);
          await backend.engine.complete(lease);
        }
      }
    };
    await Promise.all([worker(a, "a"), worker(b, "b"), worker(a, "a2"), worker(b, "b2")]);
    expect(claimed.length).toBe(ids.size);
    expect(new Set(claimed)).toEqual(ids);
    expect((await b.engine.queueStats(queue)).counts.completed).toBe(60);
  });

  it("a constraint no statement expects (a schema edited by hand) is INVALID_STATE naming it, never a contract CONFLICT (SPEC C4)", async () => {
    const database = new Database(":memory:");
    try {
      const backend = open({ database });
      database.exec(`CREATE UNIQUE INDEX "one_run_per_workflow" ON "mooring.runs" (tenant, workflow_id)`);
      await backend.workflows.createRun({ id: "first", workflowId: "w", version: "1" });
      const error = await rejection(backend.workflows.createRun({ id: "second", workflowId: "w", version: "1" }), "INVALID_STATE");
      expect(error.details).toEqual({ sqliteCode: "SQLITE_CONSTRAINT_UNIQUE", file: ":memory:", constraint: "mooring.runs.tenant, mooring.runs.workflow_id" });
      expect(error.operation).toBe("workflows.createRun");
      expect(await backend.workflows.getRun("second")).toBeNull();
      // The contract's own duplicates keep their CONFLICT and details.
      const duplicate = await rejection(backend.workflows.createRun({ id: "first", workflowId: "w", version: "1" }, { ifExists: "error" }), "CONFLICT");
      expect(duplicate.details).toEqual({ runId: "first" });
    } finally {
      await Promise.all(opened.splice(0).map((backend) => backend.close()));
      database.close();
    }
  });

  it("an error of the busy lock is UNAVAILABLE and retryable, and writes nothing", async () => {
    const file = newFile();
    const backend = open({ path: file, busyTimeoutMs: 50 });
    await backend.migrate();
    const holder = new Database(file);
    holder.exec("BEGIN IMMEDIATE");
    try {
      const error = await rejection(backend.engine.enqueue({ queue: "q" }), "UNAVAILABLE");
      expect(error.retryable).toBe(true);
      expect(error.backend).toBe("sqlite");
      expect(error.operation).toBe("engine.enqueue");
    } finally {
      holder.exec("ROLLBACK");
      holder.close();
    }
    expect((await backend.engine.queueStats("q")).counts.ready).toBe(0);
  });

  it("waitForWork wakes on another backend's enqueue: at once with a shared notifier, by polling without", async () => {
    const file = newFile();
    const notifier = new SqliteNotifier();
    const waiter = open({ path: file, notifier, pollIntervalMs: 60_000 });
    const writer = open({ path: file, notifier });
    const queue = unique("q");
    const woken = waiter.engine.waitForWork([queue], { timeoutMs: 20_000 });
    await writer.engine.enqueue({ queue });
    expect(await woken).toBe(true);

    const polled = open({ path: file, pollIntervalMs: 20 });
    const other = unique("q");
    const later = polled.engine.waitForWork([other], { timeoutMs: 20_000 });
    await writer.engine.enqueue({ queue: other });
    expect(await later).toBe(true);

    const controller = new AbortController();
    const aborted = polled.engine.waitForWork([unique("q")], { timeoutMs: 20_000, signal: controller.signal });
    controller.abort();
    expect(await aborted).toBe(false);
    expect(await polled.engine.waitForWork([unique("q")], { timeoutMs: 30 })).toBe(false);
  });

  it("subscribe streams another backend's task events, of its tenant only", async () => {
    const file = newFile();
    const listener = open({ path: file, pollIntervalMs: 20 });
    const writer = open({ path: file });
    const queue = unique("q");
    const events: string[] = [];
    let done: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => {
      done = resolve;
    });
    const unsubscribe = await listener.engine.subscribe({ kinds: ["completed"] }, (event) => {
      events.push(`${event.tenantId}:${event.kind}:${event.queue}`);
      if (event.tenantId === "default") done();
    });
    await writer.forTenant("other").engine.enqueue({ queue });
    const [otherLease] = await writer.forTenant("other").engine.claim({ workerId: "w", queues: [queue], leaseMs: 60_000 });
    if (otherLease) await writer.forTenant("other").engine.complete(otherLease);
    await writer.engine.enqueue({ queue });
    const [lease] = await writer.engine.claim({ workerId: "w", queues: [queue], leaseMs: 60_000 });
    if (lease) await writer.engine.complete(lease);
    await finished;
    unsubscribe();
    expect(events).toEqual([`default:completed:${queue}`]);
  });

  describe("in several processes", () => {
    it("every task goes to exactly one claimer", async () => {
      const file = newFile();
      const namespace = unique("ns");
      const queue = unique("q");
      const local = open({ path: file, namespace });
      const ids = new Set((await local.engine.enqueueMany(Array.from({ length: 1500 }, (_, n) => ({ queue, payload: n })))).map((task) => task.id));
      const processes = Array.from({ length: 3 }, (_, n) => new LineProcess(child().script, ["claim", file, namespace, queue, `process-${n}`]));
      await Promise.all(processes.map((process) => process.waitFor((line) => line === "ready", 20_000, "claim child ready")));
      for (const process of processes) process.send("go");
      // Start once a child has claimed, so that every claimer contends for the same tasks.
      await Promise.all(processes.map((process) => process.waitFor((line) => line.startsWith("claimed "), 20_000, "a child's first claim")));
      const claimedHere: string[] = [];
      for (;;) {
        const leases = await local.engine.claim({ workerId: "parent", queues: [queue], leaseMs: 600_000 });
        if (leases.length === 0) break;
        for (const lease of leases) {
          claimedHere.push(lease.taskId);
          await local.engine.complete(lease);
        }
      }
      await Promise.all(processes.map((process) => process.waitFor((line) => line === "done", 60_000, "claim child done")));
      expect(await Promise.all(processes.map((process) => process.closed))).toEqual([0, 0, 0]);
      const claimed = [...claimedHere, ...processes.flatMap((process) => process.lines.filter((line) => line.startsWith("claimed ")).map((line) => line.slice(8)))];
      expect(claimed.length).toBe(ids.size);
      expect(new Set(claimed)).toEqual(ids);
      expect((await local.engine.queueStats(queue)).counts.completed).toBe(ids.size);
    });
  });
});

/**
 * The commits a WAL file holds: a frame whose header carries the database size (bytes 4-7) ends a
 * transaction. Valid while the WAL is not checkpointed (the tests turn autocheckpoint off).
 */
function walCommits(file: string): number {
  const wal = readFileSync(`${file}-wal`);
  if (wal.length < 32) return 0;
  const pageSize = wal.readUInt32BE(8);
  let commits = 0;
  for (let offset = 32; offset + 24 + pageSize <= wal.length; offset += 24 + pageSize) {
    if (wal.readUInt32BE(offset + 4) !== 0) commits++;
  }
  return commits;
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`expected ${what}`);
  return value;
}

describe("holder calls issued together (one transaction, a savepoint for each after the first)", () => {
  /** A file-backed backend whose WAL is never checkpointed, so `walCommits` counts its transactions. */
  function walBackend(clock: ManualClock): { backend: Backend; file: string } {
    const file = newFile();
    const database = new Database(file);
    const backend = open({ database, clock });
    database.pragma("wal_autocheckpoint = 0");
    return { backend, file };
  }

  it("E5, E7: completes of one tick commit once; a stale lease among them rejects alone and writes nothing", async () => {
    const clock = new ManualClock();
    const { backend, file } = walBackend(clock);
    const { engine } = backend;
    const queue = unique("q");
    await engine.enqueueMany(Array.from({ length: 5 }, (_, n) => ({ queue, payload: n })));
    const leases = await engine.claim({ workerId: "w", queues: [queue], leaseMs: 60_000, limit: 5 });
    expect(leases).toHaveLength(5);
    // The third lease goes stale: revoked, and its task claimed again under epoch 2.
    const stale = required(leases[2], "a third lease");
    await engine.revokeLease(stale.taskId);
    const [current] = await engine.claim({ workerId: "w2", queues: [queue], leaseMs: 60_000 });
    expect(current?.taskId).toBe(stale.taskId);
    const before = await engine.getTask(stale.taskId);
    const completed: string[] = [];
    const unsubscribe = await engine.subscribe({ kinds: ["completed"] }, (event) => completed.push(event.taskId));
    clock.advance(5);
    const commits = walCommits(file);

    const results = await Promise.allSettled(leases.map((lease, n) => engine.complete(lease, { result: n })));

    expect(walCommits(file) - commits).toBe(1);
    expect(results.map((result) => result.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled", "fulfilled"]);
    const refused = results[2];
    expect(refused?.status === "rejected" && MooringError.is(refused.reason, "STALE_LEASE")).toBe(true);
    expect(refused?.status === "rejected" && (refused.reason as MooringError).operation).toBe("engine.complete");
    expect(await engine.getTask(stale.taskId)).toEqual(before);
    for (const [n, lease] of leases.entries()) {
      if (n === 2) continue;
      expect(await engine.getTask(lease.taskId)).toMatchObject({ state: "completed", result: n, updatedAt: clock.now() });
    }
    // The stale holder's call left no event behind either.
    await new Promise((resolve) => setImmediate(resolve));
    unsubscribe();
    expect(completed).toEqual(leases.filter((_, n) => n !== 2).map((lease) => lease.taskId));
  });

  it("E7, E8, E9: each call of a mixed batch keeps its own outcome, in the order the calls were issued", async () => {
    const clock = new ManualClock();
    const { backend, file } = walBackend(clock);
    const { engine } = backend;
    const queue = unique("q");
    const first = await engine.enqueue({ queue, payload: "first", maxAttempts: 3 });
    const [dependent] = await engine.enqueueMany([{ queue, payload: "after first", dependsOn: [first.id] }]);
    await engine.enqueueMany([
      { queue, payload: "fails" },
      { queue, payload: "released" },
    ]);
    const [a, b, c] = await engine.claim({ workerId: "w", queues: [queue], leaseMs: 60_000, limit: 3 });
    const [done, failing, released] = [required(a, "lease a"), required(b, "lease b"), required(c, "lease c")];
    const commits = walCommits(file);

    const results = await Promise.allSettled([
      engine.complete(done, { result: "ok" }),
      engine.complete(done, { result: "ok" }),
      engine.fail(failing, { error: "boom" }),
      engine.release(released),
      engine.complete(released),
      engine.complete({ ...done, taskId: unique("missing") }),
    ]);

    expect(walCommits(file) - commits).toBe(1);
    expect(results.map((result) => (result.status === "fulfilled" ? "ok" : (result.reason as MooringError).code))).toEqual([
      "ok",
      "ok",
      "ok",
      "ok",
      "INVALID_STATE",
      "NOT_FOUND",
    ]);
    expect(results[2]).toEqual({ status: "fulfilled", value: { outcome: "retry", runAt: clock.now() + 1000 } });
    expect(await engine.getTask(done.taskId)).toMatchObject({ state: "completed", result: "ok" });
    expect(await engine.getTask(failing.taskId)).toMatchObject({ state: "scheduled", lastError: "boom", attempt: 1 });
    expect(await engine.getTask(released.taskId)).toMatchObject({ state: "ready", attempt: 1, epoch: 1 });
    // The completion released the task that depended on it, inside the batch's transaction.
    expect(await engine.getTask(required(dependent, "the dependent").id)).toMatchObject({ state: "ready", pendingDependencies: [] });
  });

  // The first write of a batch runs without a savepoint (its failure rolls the transaction back
  // and the others are applied in a new one); every later write has its own savepoint.
  it.each([
    ["first, rolled back with the transaction", 0],
    ["second, rolled back to its savepoint", 1],
  ])("C2: a call that wrote before it failed (%s) writes nothing; the others commit", async (_, position) => {
    const clock = new ManualClock();
    const { backend, file } = walBackend(clock);
    const { engine } = backend;
    const queue = unique("q");
    await engine.enqueueMany([{ queue, payload: "waits" }, { queue, payload: "done" }, { queue, payload: "done too" }]);
    const [a, b, c] = await engine.claim({ workerId: "w", queues: [queue], leaseMs: 60_000, limit: 3 });
    const [waiting, done, doneToo] = [required(a, "lease a"), required(b, "lease b"), required(c, "lease c")];
    await engine.suspend(waiting, { keys: [unique("key")], timeoutAt: clock.now() + 10 });
    clock.advance(10);
    const storedState = (): unknown => {
      const raw = new Database(file, { readonly: true });
      try {
        return (raw.prepare(`SELECT state FROM "mooring.tasks" WHERE id = ?`).get(waiting.taskId) as { state: string }).state;
      } finally {
        raw.close();
      }
    };
    const commits = walCommits(file);

    // The failing call makes the timed-out suspension ready (a write), then its fence refuses it:
    // the task is no longer leased under that epoch.
    const calls = [() => engine.complete(done), () => engine.complete(doneToo)];
    calls.splice(position, 0, () => engine.complete(waiting));
    const results = await Promise.allSettled(calls.map((call) => call()));

    expect(walCommits(file) - commits).toBe(1);
    expect(results.map((result) => result.status)).toEqual(Array.from({ length: 3 }, (_, n) => (n === position ? "rejected" : "fulfilled")));
    const refused = results[position];
    expect(refused?.status === "rejected" && MooringError.is(refused.reason, "INVALID_STATE")).toBe(true);
    expect(storedState()).toBe("suspended");
    expect(await engine.getTask(done.taskId)).toMatchObject({ state: "completed" });
    expect(await engine.getTask(doneToo.taskId)).toMatchObject({ state: "completed" });
  });

  it("E3, E4: claims of one tick share the transaction, each after the one issued before it", async () => {
    const clock = new ManualClock();
    const { backend, file } = walBackend(clock);
    const { engine } = backend;
    const queue = unique("q");
    const ids = (await engine.enqueueMany(Array.from({ length: 5 }, (_, n) => ({ queue, payload: n })))).map((task) => task.id);
    const commits = walCommits(file);

    const claims = await Promise.all(["a", "b", "c"].map((workerId) => engine.claim({ workerId, queues: [queue], leaseMs: 60_000, limit: 2 })));

    expect(walCommits(file) - commits).toBe(1);
    expect(claims.map((leases) => leases.map((lease) => lease.taskId))).toEqual([ids.slice(0, 2), ids.slice(2, 4), ids.slice(4)]);
    expect(claims.map((leases) => leases.map((lease) => lease.workerId))).toEqual([["a", "a"], ["b", "b"], ["c"]]);
  });

  it("a call issued after holder calls sees them: reads and other writes apply the waiting batch first", async () => {
    const backend = open({ path: newFile(), clock: new ManualClock() });
    const { engine } = backend;
    const queue = unique("q");
    await engine.enqueueMany([{ queue }, { queue }]);
    const [a, b] = await engine.claim({ workerId: "w", queues: [queue], leaseMs: 60_000, limit: 2 });
    const [first, second] = [required(a, "lease a"), required(b, "lease b")];
    const completing = engine.complete(first);
    const read = engine.getTask(first.taskId);
    const releasing = engine.release(second);
    const stats = engine.queueStats(queue);
    expect((await read)?.state).toBe("completed");
    expect((await stats).counts).toMatchObject({ completed: 1, ready: 1, leased: 0 });
    await Promise.all([completing, releasing]);
  });

  it("when the batch's transaction cannot start (another connection holds the lock), every call fails UNAVAILABLE and none writes", async () => {
    const file = newFile();
    const backend = open({ path: file, busyTimeoutMs: 50 });
    const { engine } = backend;
    const queue = unique("q");
    await engine.enqueueMany([{ queue }, { queue }, { queue }]);
    const leases = await engine.claim({ workerId: "w", queues: [queue], leaseMs: 600_000, limit: 3 });
    const holder = new Database(file);
    holder.exec("BEGIN IMMEDIATE");
    let results: PromiseSettledResult<void>[];
    try {
      results = await Promise.allSettled(leases.map((lease) => engine.complete(lease)));
    } finally {
      holder.exec("ROLLBACK");
      holder.close();
    }
    for (const result of results) {
      expect(result.status).toBe("rejected");
      const error = (result as PromiseRejectedResult).reason as MooringError;
      expect(MooringError.is(error, "UNAVAILABLE")).toBe(true);
      expect(error.retryable).toBe(true);
    }
    expect((await engine.queueStats(queue)).counts).toMatchObject({ leased: 3, completed: 0 });
    await Promise.all(leases.map((lease) => engine.complete(lease)));
    expect((await engine.queueStats(queue)).counts).toMatchObject({ leased: 0, completed: 3 });
  });
});

describe("expired rows", () => {
  it("reclaimExpired removes a tenant's expired keys, signals and values, and nothing live or of another tenant", async () => {
    const database = new Database(":memory:");
    const clock = new ManualClock();
    const backend = open({ database, clock, namespace: "sweep", dedupTtlMs: 10, signalTtlMs: 10 });
    const tenant = backend.forTenant("a");
    const other = backend.forTenant("b");
    await tenant.state.set("expiring", new Uint8Array([1]), { ttlMs: 10 });
    await tenant.state.set("lasting", new Uint8Array([2]));
    await tenant.state.saveSnapshot({ executionId: "e", sequence: 1, state: null, ttlMs: 10 });
    await tenant.engine.enqueue({ queue: "q", idempotencyKey: "once" });
    await tenant.engine.signal({ key: "nobody-waits", idempotencyKey: "signal-once" });
    await other.state.set("expiring", new Uint8Array([3]), { ttlMs: 10 });
    const count = (table: string, tenantId: string): number =>
      (database.prepare(`SELECT count(*) AS n FROM "sweep.${table}" WHERE tenant = ?`).get(tenantId) as { n: number }).n;
    clock.advance(10);
    await tenant.engine.reclaimExpired();
    expect(["kv", "cache_snapshots", "task_keys", "signal_keys", "signals"].map((table) => count(table, "a"))).toEqual([1, 0, 0, 0, 0]);
    expect(count("kv", "b")).toBe(1);
    expect(await tenant.state.get("lasting")).toEqual(new Uint8Array([2]));
    expect((await tenant.engine.enqueue({ queue: "q", idempotencyKey: "once" })).created).toBe(true);
    database.close();
  });
});

describe("signed waitpoints (SPEC E25) in the file", () => {
  it("keep a waitpoint's fingerprint, never its token; a rotation forgets secrets past their grace; removing the namespace drops their tables", async () => {
    const file = newFile();
    const namespace = unique("ns");
    const clock = new ManualClock();
    const backend = open({ path: file, namespace, clock });
    const engine = backend.forTenant("a").engine;
    const { id } = await engine.enqueue({ queue: "q" });
    const [lease] = await engine.claim({ workerId: "w", queues: ["q"], leaseMs: 60_000 });
    const { token } = await engine.createWaitpoint(required(lease, "a lease"), { key: "approval", expiresInMs: 60_000 });
    const stored = [file, `${file}-wal`].filter(existsSync).map((path) => readFileSync(path).toString("latin1"));
    expect(stored.some((bytes) => bytes.includes(token))).toBe(false);
    expect((await engine.listWaitpoints(id)).map((waitpoint) => waitpoint.fingerprint)).toEqual([createHash("sha256").update(token).digest("hex").slice(0, 16)]);

    const secrets = (): { kid: string; valid_until: number | null }[] => {
      const db = new Database(file, { readonly: true });
      try {
        return db.prepare(`SELECT kid, valid_until FROM "${namespace}.waitpoint_secrets" WHERE tenant = 'a' ORDER BY created_at`).all() as { kid: string; valid_until: number | null }[];
      } finally {
        db.close();
      }
    };
    const first = await engine.rotateWaitpointSecret({ graceMs: 10 });
    clock.advance(10);
    const second = await engine.rotateWaitpointSecret({ graceMs: 10 });
    expect(secrets()).toEqual([
      { kid: first.kid, valid_until: clock.now() + 10 },
      { kid: second.kid, valid_until: null },
    ]);
    await expect(engine.signal({ token })).rejects.toMatchObject({ code: "UNAUTHORIZED", details: { reason: "kid" } });

    await backend.close();
    const remover = openNamespaceRemover(`sqlite:${encodeURI(file)}`);
    await remover.remove(namespace);
    await remover.close();
    const db = new Database(file, { readonly: true });
    const left = db.prepare(`SELECT name FROM sqlite_master WHERE substr(name, 1, ?) = ?`).all(namespace.length + 1, `${namespace}.`);
    db.close();
    expect(left).toEqual([]);
  });

  it("from several processes at once: first secrets and rotations serialize, leaving exactly one current secret", async () => {
    const file = newFile();
    const namespace = unique("ns");
    const local = open({ path: file, namespace });
    await local.migrate();
    const processes = Array.from({ length: 3 }, (_, n) => new LineProcess(child().script, ["waitpoints", file, namespace, `q-${n}`, "15"]));
    await Promise.all(processes.map((process) => process.waitFor((line) => line === "ready", 20_000, "waitpoints child ready")));
    for (const process of processes) process.send("go");
    await Promise.all(processes.map((process) => process.waitFor((line) => line === "done", 60_000, "waitpoints child done")));
    expect(await Promise.all(processes.map((process) => process.closed))).toEqual([0, 0, 0]);
    const rotated = processes.flatMap((process) => process.lines.filter((line) => line.startsWith("kid ")).map((line) => line.slice(4)));
    expect(new Set(rotated).size).toBe(45);
    const db = new Database(file, { readonly: true });
    const current = db.prepare(`SELECT kid FROM "${namespace}.waitpoint_secrets" WHERE valid_until IS NULL`).all() as { kid: string }[];
    const all = db.prepare(`SELECT count(*) AS n FROM "${namespace}.waitpoint_secrets"`).get() as { n: number };
    db.close();
    expect(current).toHaveLength(1);
    expect(rotated).toContain(current[0]?.kid);
    // Every secret ever made is still in its grace: the first (made by a createWaitpoint) and one per rotation.
    expect(all.n).toBe(46);
  });
});

describe("the claim plan", () => {
  it("reads each claimed queue through the index of keyless ready tasks, never scanning the tasks table", () => {
    const db = new Database(":memory:");
    createSqliteBackend({ database: db, namespace: "plan" });
    for (const queues of [1, 3]) {
      const params: unknown[] = [1000, 2000, "w", 1];
      for (let q = 0; q < queues; q++) params.push("default", `q${q}`, 1, 1);
      params.push(1);
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${renderSql(claimStatement(queues), "plan")}`).all(...params) as { detail: string }[]).map((row) => row.detail);
      const reads = plan.filter((detail) => /plan\.tasks\b/.test(detail));
      expect(reads.filter((detail) => detail.includes("tasks_ready_keyless")).length).toBe(queues);
      expect(reads.every((detail) => detail.startsWith("SEARCH"))).toBe(true);
    }
    db.close();
  });

  it("indexes a ready task once: keyless ones in tasks_ready_keyless, keyed ones in tasks_ready_by_key (migration 0007)", () => {
    const db = new Database(":memory:");
    createSqliteBackend({ database: db, namespace: "plan" });
    const readyIndexes = (db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'plan.tasks'").all() as { name: string; sql: string | null }[])
      .filter((index) => index.sql?.includes("state = 'ready'"))
      .map((index) => index.name);
    expect(readyIndexes.sort()).toEqual(["plan.tasks_ready_by_key", "plan.tasks_ready_keyless"]);
    db.close();
  });
});

describe("crash safety", () => {
  /** Reopens the file and checks every commit is whole or absent, and every acknowledged one is there. */
  async function verify(file: string, namespace: string, acked: ReadonlySet<number>): Promise<number> {
    const raw = new Database(file, { readonly: true });
    const taskOfRun = raw.prepare(`SELECT id FROM "${namespace}.tasks" WHERE run_id = ?`);
    try {
      expect(raw.pragma("integrity_check", { simple: true })).toBe("ok");
      const backend = createSqliteBackend({ path: file, namespace });
      try {
        let count = 0;
        let cursor: string | null = null;
        do {
          const page = await backend.workflows.listRuns({ limit: 500, cursor });
          for (const run of page.items) {
            count++;
            const n = Number(run.id.slice("run-".length));
            const events = await backend.workflows.readEvents(run.id);
            const snapshot = await backend.workflows.latestSnapshot(run.id);
            const steps = await backend.workflows.listSteps(run.id);
            const taskId = (taskOfRun.get(run.id) as { id: string } | undefined)?.id;
            const task = taskId === undefined ? null : await backend.engine.getTask(taskId);
            if (run.status === "running") {
              expect(events.map((event) => [event.sequence, event.type])).toEqual([
                [1, "started"],
                [2, "finished"],
              ]);
              expect(snapshot).toMatchObject({ atSequence: 2, state: { n } });
              expect(run.context).toEqual({ n });
              expect(steps.map((step) => [step.id, step.output])).toEqual([["only", n]]);
              expect(task).toMatchObject({ state: "completed", result: n });
            } else {
              expect(run.status).toBe("pending");
              expect(acked.has(n)).toBe(false);
              expect(events).toEqual([]);
              expect(snapshot).toBeNull();
              expect(run.context).toEqual({});
              expect(steps).toEqual([]);
              if (task) expect(task.state).not.toBe("completed");
            }
          }
          cursor = page.cursor;
        } while (cursor !== null);
        for (const n of acked) expect((await backend.workflows.getRun(`run-${n}`))?.status, `acknowledged commit ${n}`).toBe("running");
        return count;
      } finally {
        await backend.close();
      }
    } finally {
      raw.close();
    }
  }

  it("after SIGKILL at random points, the file reopens, every acknowledged commit is whole, no commit is half-applied", async () => {
    const file = newFile();
    const namespace = unique("ns");
    await createSqliteBackend({ path: file, namespace }).close();
    const acked = new Set<number>();
    let next = 1;
    for (let round = 0; round < 20; round++) {
      // Killed right after it reports step n as enqueued, as committing or as acknowledged: the
      // kill lands wherever the child is by then, often inside the commit's transaction.
      const step = ["task", "commit", "ack"][Math.floor(Math.random() * 3)] ?? "commit";
      const trigger = `${step} ${next + Math.floor(Math.random() * 40)}`;
      const process = new LineProcess(child().script, ["commits", file, namespace, `queue-${round}`, String(next)]);
      await process.waitFor((line) => line === trigger || line.startsWith(`${trigger} `), 30_000, `round ${round}, waiting for "${trigger}"`);
      process.kill();
      expect(await process.closed).toBeNull();
      for (const line of process.lines) {
        const [kind, n] = line.split(" ");
        expect(["task", "commit", "ack"].includes(kind ?? ""), `unexpected child line ${line}`).toBe(true);
        if (kind === "ack") acked.add(Number(n));
      }
      next = (await verify(file, namespace, acked)) + 1;
    }
    expect(acked.size).toBeGreaterThan(20);
  });
});

describe("caller-provided paths", () => {
  it("creates the file when missing, inside an existing directory", async () => {
    const directory = join(root, unique("fresh"));
    mkdirSync(directory);
    const file = join(directory, "new.db");
    const backend = open({ path: file });
    await backend.ping();
    expect(existsSync(file)).toBe(true);
  });
});

/** The rows of the concurrency keys table (migration 0005) of `namespace` in the file: key and task count. */
function keyRowsOf(path: string, namespace: string): unknown[] {
  const database = new Database(path, { readonly: true });
  try {
    return database.prepare(`SELECT key, tasks FROM ${renderSql("{{concurrency_keys}}", namespace)} ORDER BY key`).all();
  } finally {
    database.close();
  }
}

describe("fair claim (E20) on the keys table and its triggers", () => {
  /** A small seeded generator (mulberry32), so a failure replays. */
  function seeded(seed: number): () => number {
    let state = seed >>> 0;
    return () => {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  /** E20's order computed naively (see the memory backend's test of the same name). */
  function naiveFairOrder(inputs: readonly { priority: number; concurrencyKey?: string }[]): number[] {
    const lastGrant = new Map<string, number>();
    const left = inputs.map((input, index) => ({ ...input, index }));
    const order: number[] = [];
    let grants = 0;
    const grantOf = (task: { concurrencyKey?: string }): number => (task.concurrencyKey === undefined ? 0 : (lastGrant.get(task.concurrencyKey) ?? 0));
    while (left.length > 0) {
      let best = 0;
      for (let i = 1; i < left.length; i++) {
        const a = left[i]!;
        const b = left[best]!;
        if (a.priority !== b.priority ? a.priority > b.priority : grantOf(a) !== grantOf(b) ? grantOf(a) < grantOf(b) : a.index < b.index) best = i;
      }
      const [chosen] = left.splice(best, 1);
      order.push(chosen!.index);
      if (chosen!.concurrencyKey !== undefined) lastGrant.set(chosen!.concurrencyKey, ++grants);
    }
    return order;
  }

  it("claims 1,500 tasks over 300 keys and keyless ones in the naive fair order, in claims of any size", async () => {
    const backend = open({ path: newFile(), clock: new ManualClock() });
    const queue = unique("fair");
    const random = seeded(11);
    const inputs = Array.from({ length: 1_500 }, (_, index) => ({
      queue,
      payload: index,
      priority: random() < 0.8 ? 0 : 1,
      ...(random() < 0.1 ? {} : { concurrencyKey: `key-${Math.floor(random() * random() * 300)}` }),
    }));
    const ids = (await backend.engine.enqueueMany(inputs)).map((result) => result.id);
    const expected = naiveFairOrder(inputs).map((index) => ids[index]);
    const claimed: string[] = [];
    for (let round = 0; ; round++) {
      const leases = await backend.engine.claim({ workerId: "w", queues: [queue], leaseMs: 60_000, limit: 1 + (round % 17) });
      if (leases.length === 0) break;
      claimed.push(...leases.map((lease) => lease.taskId));
    }
    expect(claimed).toEqual(expected);
  });

  it("forgets a key with its last task and keeps no key row for a task born cancelled", async () => {
    const path = newFile();
    const backend = open({ path, clock: new ManualClock(), namespace: "keys" });
    const queue = unique("forget");
    const dead = await backend.engine.enqueue({ queue, maxAttempts: 1 });
    const [lease] = await backend.engine.claim({ workerId: "w", queues: [queue], leaseMs: 1_000 });
    await backend.engine.fail(lease!, { error: "x" });
    await backend.engine.enqueue({ queue, concurrencyKey: "orphan", dependsOn: [dead.id] });
    const task = await backend.engine.enqueue({ queue, concurrencyKey: "k" });
    const rows = (): unknown[] => keyRowsOf(path, "keys");
    expect(rows()).toEqual([{ key: "k", tasks: 1 }]);
    const [keyed] = await backend.engine.claim({ workerId: "w", queues: [queue], leaseMs: 1_000 });
    expect(keyed?.taskId).toBe(task.id);
    await backend.engine.complete(keyed!);
    expect(rows()).toEqual([]);
  });

  it("every statement that sets a task's state runs the key trigger, except the two that match keyless tasks only (migration 0008)", () => {
    const directory = new URL("../sql/", import.meta.url);
    const keylessOnly = { "claim-head.sql": "claim-branch.sql", "complete-held-keyless.sql": "complete-held-keyless.sql" };
    // A state in the SET list, not in the WHERE clause (rewait-dependents.sql only reads it there).
    const setsState = readdirSync(directory).filter((file) => /UPDATE \{\{tasks\}\} SET (?:(?!\bWHERE\b)[^;])*\bstate = /.test(readFileSync(new URL(file, directory), "utf8")));
    expect(setsState.length).toBeGreaterThan(10);
    for (const file of setsState) {
      const text = readFileSync(new URL(file, directory), "utf8");
      const filter = keylessOnly[file as keyof typeof keylessOnly];
      if (filter === undefined) expect(text, `${file} sets state without concurrency_key = concurrency_key`).toContain("concurrency_key = concurrency_key");
      else expect(readFileSync(new URL(filter, directory), "utf8"), `${filter} must match keyless tasks only`).toContain("concurrency_key IS NULL");
    }
  });

  it("a keyed task completed with a lease stripped of its concurrencyKey still frees its key", async () => {
    const path = newFile();
    const backend = open({ path, clock: new ManualClock(), namespace: "stripped" });
    const queue = unique("stripped");
    await backend.engine.setQueue(queue, { keyConcurrency: 1 });
    const first = await backend.engine.enqueue({ queue, concurrencyKey: "k" });
    const second = await backend.engine.enqueue({ queue, concurrencyKey: "k" });
    const [lease] = await backend.engine.claim({ workerId: "w", queues: [queue], leaseMs: 60_000 });
    expect(lease?.taskId).toBe(first.id);
    expect(await backend.engine.claim({ workerId: "w", queues: [queue], leaseMs: 60_000 })).toEqual([]);
    const { concurrencyKey, ...stripped } = lease!;
    expect(concurrencyKey).toBe("k");
    await backend.engine.complete(stripped);
    expect((await backend.engine.getTask(first.id))?.state).toBe("completed");
    const [next] = await backend.engine.claim({ workerId: "w", queues: [queue], leaseMs: 60_000 });
    expect(next?.taskId).toBe(second.id);
  });
});

describe("operator calls (SPEC E26) on the keys table, the claim indexes and the page statements", () => {
  it("E26, E20: changePriority of a keyed ready task reorders the fair claim at once, lowered or raised", async () => {
    const backend = open({ path: newFile(), clock: new ManualClock() });
    const queue = unique("priority");
    const a = await backend.engine.enqueue({ queue, concurrencyKey: "a", priority: 5 });
    const b = await backend.engine.enqueue({ queue, concurrencyKey: "b", priority: 3 });
    const keyless = await backend.engine.enqueue({ queue, priority: 4 });
    // Lowered: key a's head was the best of the queue; it now comes last.
    await backend.engine.changePriority(a.id, 1);
    // Raised: key b's head now goes before the keyless task.
    await backend.engine.changePriority(b.id, 9);
    const claimed: string[] = [];
    for (;;) {
      const [lease] = await backend.engine.claim({ workerId: "w", queues: [queue], leaseMs: 60_000 });
      if (!lease) break;
      claimed.push(lease.taskId);
    }
    expect(claimed).toEqual([b.id, keyless.id, a.id]);
    expect((await backend.engine.getTask(a.id))?.priority).toBe(1);
  });

  it("E26, E20: replay of a keyed task counts it in its key again, so keyConcurrency holds", async () => {
    const path = newFile();
    const clock = new ManualClock();
    const backend = open({ path, clock, namespace: "replayed" });
    const queue = unique("replay");
    await backend.engine.setQueue(queue, { keyConcurrency: 1 });
    const first = await backend.engine.enqueue({ queue, concurrencyKey: "k" });
    const [lease] = await backend.engine.claim({ workerId: "w", queues: [queue], leaseMs: 60_000 });
    await backend.engine.complete(lease!, { result: "done" });
    const keyRows = (): unknown[] => keyRowsOf(path, "replayed");
    expect(keyRows()).toEqual([]);
    await backend.engine.replay(first.id);
    expect(keyRows()).toEqual([{ key: "k", tasks: 1 }]);
    const second = await backend.engine.enqueue({ queue, concurrencyKey: "k" });
    const [again] = await backend.engine.claim({ workerId: "w", queues: [queue], leaseMs: 60_000, limit: 5 });
    expect(again?.taskId).toBe(first.id);
    expect(again?.attempt).toBe(2);
    expect(again?.epoch).toBe(lease!.epoch + 1);
    expect(await backend.engine.claim({ workerId: "w", queues: [queue], leaseMs: 60_000 })).toEqual([]);
    await rejection(backend.engine.complete(lease!), "STALE_LEASE");
    await backend.engine.complete(again!);
    const [next] = await backend.engine.claim({ workerId: "w", queues: [queue], leaseMs: 60_000 });
    expect(next?.taskId).toBe(second.id);
    const record = await backend.engine.getTask(first.id);
    expect(record).toMatchObject({ state: "completed", replays: 1, attempt: 2 });
  });

  it("E26: replay clears what the last run left, keeps the task's frames, and counts replays in a column of migration 0011", async () => {
    const clock = new ManualClock();
    const backend = open({ path: newFile(), clock });
    const queue = unique("cleared");
    const task = await backend.engine.enqueue({ queue, maxAttempts: 1 });
    const plain = await backend.engine.getTask(task.id);
    expect(plain && "replays" in plain).toBe(false);
    const [lease] = await backend.engine.claim({ workerId: "w", queues: [queue], leaseMs: 60_000 });
    await backend.engine.appendFrame(lease!, "frame");
    await backend.engine.progress(lease!, { percent: 50 });
    await backend.engine.fail(lease!, { error: "boom" });
    expect((await backend.engine.listDeadLetters({ limit: 10 })).items.map((item) => item.id)).toEqual([task.id]);
    clock.advance(10);
    await backend.engine.replay(task.id, { runAt: clock.now() + 1_000 });
    expect(await backend.engine.getTask(task.id)).toMatchObject({ state: "scheduled", runAt: clock.now() + 1_000, lastError: null, progress: null, replays: 1, updatedAt: clock.now() });
    expect((await backend.engine.listDeadLetters({ limit: 10 })).items).toEqual([]);
    expect((await backend.engine.readFrames(task.id, { attempt: 1 })).map((frame) => frame.data)).toEqual(["frame"]);
    await rejection(backend.engine.replay(task.id), "INVALID_STATE");
    await backend.engine.cancel(task.id, "stop");
    await backend.engine.replay(task.id, { resetAttempts: true });
    expect(await backend.engine.getTask(task.id)).toMatchObject({ state: "ready", cancelReason: null, replays: 2 });
    const [fresh] = await backend.engine.claim({ workerId: "w", queues: [queue], leaseMs: 60_000 });
    expect(fresh?.attempt).toBe(1);
  });

  it("E26, E16: replay of a completed dependency adds it back to the pending_deps counter of its still-blocked dependents only, so its next completion releases them once", async () => {
    const db = new Database(":memory:");
    const backend = open({ database: db, namespace: "rewait", clock: new ManualClock() });
    const pendingOf = (id: string): unknown => db.prepare(`SELECT pending_deps FROM ${renderSql("{{tasks}}", "rewait")} WHERE id = ?`).pluck().get(id);
    const complete = async (queue: string, taskId: string): Promise<void> => {
      const [lease] = await backend.engine.claim({ workerId: "w", queues: [queue], leaseMs: 60_000 });
      expect(lease?.taskId).toBe(taskId);
      await backend.engine.complete(lease!);
    };
    const [qa, qb, qd] = [unique("a"), unique("b"), unique("d")];
    const a = await backend.engine.enqueue({ queue: qa });
    const b = await backend.engine.enqueue({ queue: qb });
    const released = await backend.engine.enqueue({ queue: qd, dependsOn: [a.id] });
    const both = await backend.engine.enqueue({ queue: qd, dependsOn: [a.id, b.id] });
    await complete(qa, a.id);
    expect([pendingOf(released.id), pendingOf(both.id)]).toEqual([0, 1]);
    await backend.engine.replay(a.id);
    expect([pendingOf(released.id), pendingOf(both.id)]).toEqual([0, 2]);
    await complete(qb, b.id);
    expect(pendingOf(both.id)).toBe(1);
    expect((await backend.engine.getTask(both.id))?.state).toBe("blocked");
    await complete(qa, a.id);
    expect(pendingOf(both.id)).toBe(0);
    expect((await backend.engine.getTask(both.id))?.state).toBe("ready");
    await backend.engine.replay(a.id);
    expect([pendingOf(released.id), pendingOf(both.id)]).toEqual([0, 0]);
    db.close();
  });

  it("E26, C5: listTasks reads the tenant's tasks through tasks_by_tenant, never scanning the table; cursors keep their direction", async () => {
    const db = new Database(":memory:");
    const backend = open({ database: db, namespace: "plan", clock: new ManualClock() });
    for (const [statement, bound] of [[LIST_TASKS, { after: 0 }], [LIST_TASKS_DESC, { before: 9 }]] as const) {
      const text = renderSql(statement, "plan");
      const parameters = { tenant: "default", queue: null, state: null, run_id: null, concurrency_key: null, now: 0, limit: 2, ...bound };
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${text}`).all(parameters) as { detail: string }[]).map((row) => row.detail);
      expect(plan.join("; ")).toContain("tasks_by_tenant");
      expect(plan.some((detail) => detail.startsWith("SCAN"))).toBe(false);
    }
    const queue = unique("pages");
    await backend.engine.enqueueMany([{ queue }, { queue }, { queue }]);
    const asc = await backend.engine.listTasks({ queue, limit: 1 });
    const desc = await backend.engine.listTasks({ queue, limit: 1, order: "desc" });
    await rejection(backend.engine.listTasks({ queue, limit: 1, order: "desc", cursor: asc.cursor }), "VALIDATION");
    await rejection(backend.engine.listTasks({ queue, limit: 1, cursor: desc.cursor }), "VALIDATION");
    const dead = await backend.engine.listDeadLetters({ limit: 1 });
    expect(dead.cursor).toBeNull();
    db.close();
  });

  it("E26: listQueues orders names by code point, where UTF-16 order differs, with queues that only have settings", async () => {
    const backend = open({ path: newFile(), clock: new ManualClock() });
    const astral = "q-\u{1F600}";
    const bmp = "q-\uFF5E";
    await backend.engine.enqueue({ queue: astral });
    await backend.engine.setQueue(bmp, { paused: true });
    await backend.engine.enqueue({ queue: "q-a" });
    await backend.engine.enqueue({ queue: "q-a" });
    const names: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await backend.engine.listQueues({ limit: 1, cursor });
      names.push(...page.items.map((stats) => stats.queue));
      cursor = page.cursor;
    } while (cursor !== null);
    expect(names).toEqual(["q-a", bmp, astral]);
    const [first] = (await backend.engine.listQueues({ limit: 1 })).items;
    expect(first).toEqual(await backend.engine.queueStats("q-a"));
  });
});
