/**
 * One better-sqlite3 connection as the backend uses it: opened only after the file has been
 * checked (so a directory, a foreign file or a read-only file is refused before SQLite touches
 * it), configured (WAL, synchronous, busy timeout, the lease-id function), with the two
 * transaction shapes every call uses and the statement cache.
 */
import { closeSync, constants, openSync, readSync, statSync, accessSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";
import { type Clock, newLeaseId } from "@mooring/core";
import { mapSqliteError, sqliteError } from "./errors.js";
import { StatementCache } from "./statements.js";
import { sql } from "./sql/text.js";

/**
 * The SQL function the claim statement grants lease ids with (sql/claim-head.sql): SQLite's own
 * `randomblob` is not documented as a CSPRNG, so each granted row calls into Node's (SPEC T4).
 */
const LEASE_ID_FUNCTION = "mooring_lease_id";

/** The 16 bytes every SQLite 3 database file starts with. */
const SQLITE_HEADER = Buffer.from("SQLite format 3\u0000", "latin1");

/** How many change-feed rows are kept; older rows are pruned by the writer that passes a multiple of PRUNE_EVERY. */
const FEED_RETENTION = 50_000;
const PRUNE_EVERY = 1024;

export type SynchronousMode = "normal" | "full";

export interface ConnectionOptions {
  readonly path?: string;
  readonly database?: Database.Database;
  readonly namespace: string;
  readonly synchronous: SynchronousMode;
  readonly busyTimeoutMs: number;
  readonly clock: Clock;
}

/**
 * Insert one change-feed row.
 * Parameters: tenant, kind, task id, queue, at. Returns: the row's seq (lastInsertRowid).
 */
const INSERT_NOTIFICATION = sql`
  INSERT INTO {{notifications}} (tenant, kind, task_id, queue, at) VALUES (?, ?, ?, ?, ?)`;

/**
 * Prune the change feed below a seq.
 * Parameters: the highest seq to delete. Returns: nothing.
 */
const PRUNE_NOTIFICATIONS = sql`
  DELETE FROM {{notifications}} WHERE seq <= ?`;

/** A write waiting in the current batch (see `SqliteConnection.writeBatched`). */
interface PendingWrite {
  readonly work: (now: number) => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

export class SqliteConnection {
  readonly db: Database.Database;
  /** How messages name the database: its absolute path or ":memory:". */
  readonly file: string;
  readonly namespace: string;
  readonly statements: StatementCache;
  readonly clock: Clock;
  readonly #ownsDatabase: boolean;
  #closed = false;
  readonly #transaction: Database.Transaction<(work: () => unknown) => unknown>;
  readonly #afterCommit = new Set<() => void>();
  /** Batched writes issued in this turn of the event loop, applied by the next `#flushBatch`. */
  #pending: PendingWrite[] = [];
  #flushQueued = false;
  #changed = false;

  constructor(options: ConnectionOptions) {
    const opened = openDatabase(options);
    this.db = opened.db;
    this.file = opened.file;
    this.#ownsDatabase = opened.owns;
    this.namespace = options.namespace;
    this.clock = options.clock;
    this.statements = new StatementCache(this.db, options.namespace);
    this.#transaction = this.db.transaction((work: () => unknown) => work());
  }

  /**
   * Runs `work` in a `BEGIN IMMEDIATE` transaction: the write lock is taken up front, so a
   * read-then-write never fails half way with SQLITE_BUSY (a deferred transaction that upgrades
   * to a write gets BUSY at once, whatever the busy timeout). `now` is read once the lock is held.
   * Change-feed listeners run after the commit, never for a rolled-back transaction.
   */
  write<T>(work: (now: number) => T): T {
    this.#flushBatch();
    return this.#commit(() => work(this.clock.now()));
  }

  /**
   * Like `write`, for the holder calls that commonly arrive many at once (a worker settling a
   * claimed batch): writes issued in the same turn of the event loop are applied together, in
   * the order they were issued, in ONE `BEGIN IMMEDIATE` transaction, each but the first inside
   * its own SAVEPOINT. A write that throws is rolled back (to its savepoint, or the whole
   * transaction when it is the first, the others then applied in a new one), so it writes nothing
   * and only its promise rejects (with its own error); the others commit. Each write reads `now`
   * when its turn comes, with the lock held, as `write` does. A failure of the transaction itself (the lock not
   * obtained within the busy timeout, an I/O error) rejects every write of the batch, and none of
   * them wrote anything.
   *
   * Issue order is kept across kinds of call: `write` and `read` first apply the writes still
   * waiting here, so a call sees every batched write issued before it.
   *
   * The point is the commit: a commit writes each page it changed to the WAL once, so fifty
   * completions of tasks claimed together (their rows, index entries and feed rows on the same few
   * pages) cost a handful of page writes instead of two hundred.
   */
  writeBatched<T>(work: (now: number) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.#flushQueued) {
        this.#flushQueued = true;
        queueMicrotask(() => {
          this.#flushQueued = false;
          this.#flushBatch();
        });
      }
    });
  }

  /** Runs `work` in a deferred (read) transaction: every statement in it sees one snapshot. */
  read<T>(work: (now: number) => T): T {
    this.#flushBatch();
    return this.#transaction.deferred(() => work(this.clock.now())) as T;
  }

  /** `BEGIN IMMEDIATE`, `work`, `COMMIT`; then the change-feed listeners, only after a commit that wrote to the feed. */
  #commit<T>(work: () => T): T {
    let result: T;
    try {
      result = this.#transaction.immediate(work) as T;
    } catch (error) {
      this.#changed = false;
      throw error;
    }
    if (this.#changed) {
      this.#changed = false;
      for (const listener of this.#afterCommit) listener();
    }
    return result;
  }

  /** Applies the batched writes waiting (see `writeBatched`) and settles their promises. */
  #flushBatch(): void {
    let batch: readonly PendingWrite[] = this.#pending;
    this.#pending = [];
    while (batch.length > 0) batch = this.#applyBatch(batch);
  }

  /**
   * Applies `batch` in one transaction and settles the promises of the writes it applied. The
   * first write runs without a savepoint: until it ends, the transaction holds nothing else, so
   * when it throws, rolling the transaction back undoes exactly its writes; the writes after it
   * are returned, to be applied in a transaction of their own. Every later write gets a SAVEPOINT.
   * Returns the writes still to apply.
   */
  #applyBatch(batch: readonly PendingWrite[]): readonly PendingWrite[] {
    const [first, ...rest] = batch as [PendingWrite, ...PendingWrite[]];
    let firstStarted = false;
    // Each write's outcome is settled only once the transaction has committed.
    const settlements: (() => void)[] = [];
    try {
      this.#commit(() => {
        firstStarted = true;
        const value = first.work(this.clock.now());
        settlements.push(() => first.resolve(value));
        for (const call of rest) {
          try {
            // A transaction function called inside a transaction runs in a SAVEPOINT (better-sqlite3).
            const result = this.#transaction(() => call.work(this.clock.now()));
            settlements.push(() => call.resolve(result));
          } catch (error) {
            // SQLite itself rolled the whole transaction back (disk full, I/O error): nothing of the
            // batch stands, so every write of it fails.
            if (!this.db.inTransaction) throw error;
            settlements.push(() => call.reject(error));
          }
        }
      });
    } catch (error) {
      // The first write threw: the rollback undid only its writes, and the others are still to apply.
      if (firstStarted && settlements.length === 0) {
        first.reject(error);
        return rest;
      }
      // The transaction did not start (the lock not obtained) or did not commit: no write of it stands.
      for (const call of batch) call.reject(error);
      return [];
    }
    for (const settle of settlements) settle();
    return [];
  }

  /**
   * Records a task event in the change feed, inside the current write transaction (so it is
   * committed with the change it describes, or not at all).
   */
  notify(tenant: string, kind: string, taskId: string, queue: string, at: number): void {
    const seq = Number(this.statements.get(INSERT_NOTIFICATION).run(tenant, kind, taskId, queue, at).lastInsertRowid);
    if (seq % PRUNE_EVERY === 0 && seq > FEED_RETENTION) this.statements.run(PRUNE_NOTIFICATIONS, seq - FEED_RETENTION);
    this.#changed = true;
  }

  /** Calls `listener` after every committed transaction that wrote to the change feed. */
  onCommit(listener: () => void): () => void {
    this.#afterCommit.add(listener);
    return () => this.#afterCommit.delete(listener);
  }

  /** Whether `close()` was called: a tail it ended answers `[]` instead of reading on a closed database. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Closes the connection if this backend opened it; a caller-provided database stays open. */
  close(): void {
    this.#closed = true;
    if (this.db.open) this.#flushBatch();
    this.#afterCommit.clear();
    if (this.#ownsDatabase && this.db.open) this.db.close();
  }
}

interface OpenedDatabase {
  readonly db: Database.Database;
  readonly file: string;
  readonly owns: boolean;
}

function openDatabase(options: ConnectionOptions): OpenedDatabase {
  if (options.database !== undefined) {
    if (!options.database.open) throw sqliteError("INVALID_STATE", "the database passed as options.database is closed");
    const file = options.database.memory ? ":memory:" : options.database.name;
    configure(options.database, file, options);
    return { db: options.database, file, owns: false };
  }
  const path = options.path ?? ":memory:";
  if (path === ":memory:") {
    const db = new Database(":memory:");
    configure(db, ":memory:", options);
    return { db, file: ":memory:", owns: true };
  }
  const file = resolve(path);
  inspectDatabaseFile(file);
  let db: Database.Database;
  try {
    db = new Database(file, { timeout: options.busyTimeoutMs });
  } catch (error) {
    throw mapSqliteError(error, "open", file) ?? sqliteError("UNAVAILABLE", `cannot open ${file}: ${String(error)}`, { file }, error);
  }
  try {
    configure(db, file, options);
  } catch (error) {
    db.close();
    throw error;
  }
  return { db, file, owns: true };
}

/**
 * Refuses, before SQLite opens it, a path SQLite would fail on late or silently misuse: a
 * directory, something that is not a regular file, a file that is not a SQLite database, a
 * read-only file, or a missing directory. Each refusal is a MooringError saying what is wrong;
 * nothing is created or written.
 */
export function inspectDatabaseFile(file: string): void {
  let stats;
  try {
    stats = statSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
      throw sqliteError("UNAVAILABLE", `cannot inspect ${file}: ${(error as Error).message}`, { file }, error);
    }
    const directory = dirname(file);
    let directoryStats;
    try {
      directoryStats = statSync(directory);
    } catch (cause) {
      throw sqliteError("VALIDATION", `cannot create the database ${file}: the directory ${directory} does not exist: create it, or give a path in an existing directory`, { file }, cause);
    }
    if (!directoryStats.isDirectory()) {
      throw sqliteError("VALIDATION", `cannot create the database ${file}: ${directory} is not a directory: give a path inside a directory`, { file });
    }
    return;
  }
  if (stats.isDirectory()) {
    throw sqliteError("VALIDATION", `${file} is a directory, not a database file: give the path of a file (it is created if missing)`, { file });
  }
  if (!stats.isFile()) {
    throw sqliteError("VALIDATION", `${file} is not a regular file (a device, socket or pipe): give the path of a database file`, { file });
  }
  if (stats.size > 0 && !startsWithSqliteHeader(file)) {
    throw sqliteError("INVALID_STATE", `${file} is not a SQLite database (it does not start with the SQLite header); it was left untouched: point the backend at a database file or a new path`, { file });
  }
  // The write bits are checked as well as access(): a process running as root may write anything,
  // but a file someone marked read-only is a statement that it must not change.
  let writable = (stats.mode & 0o222) !== 0;
  if (writable) {
    try {
      accessSync(file, constants.W_OK);
    } catch {
      writable = false;
    }
  }
  if (!writable) {
    throw sqliteError("INVALID_STATE", `${file} is read-only (mode ${(stats.mode & 0o777).toString(8)}); the backend writes to its database: make it writable (chmod u+w) or copy it`, { file });
  }
}

function startsWithSqliteHeader(file: string): boolean {
  const header = Buffer.alloc(SQLITE_HEADER.length);
  const fd = openSync(file, "r");
  try {
    const read = readSync(fd, header, 0, header.length, 0);
    return read === header.length && header.equals(SQLITE_HEADER);
  } finally {
    closeSync(fd);
  }
}

/**
 * Connection settings: WAL for files (readers never block the writer, and a process crash loses
 * nothing committed), `synchronous` NORMAL or FULL, and the busy timeout. A first read makes
 * SQLite parse the file, so a damaged or foreign file fails here with nothing written. Registers
 * `mooring_lease_id()` (not deterministic: SQLite calls it once per granted row).
 */
function configure(db: Database.Database, file: string, options: ConnectionOptions): void {
  try {
    db.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs)}`);
    db.pragma("schema_version", { simple: true });
    if (!db.memory) {
      const mode = db.pragma("journal_mode = WAL", { simple: true });
      if (String(mode).toLowerCase() !== "wal") {
        throw sqliteError("INVALID_STATE", `${file} could not be switched to WAL mode (journal_mode is ${String(mode)})`, { file });
      }
    }
    db.pragma(`synchronous = ${options.synchronous === "full" ? "FULL" : "NORMAL"}`);
    db.function(LEASE_ID_FUNCTION, { deterministic: false }, newLeaseId);
  } catch (error) {
    if (error instanceof Error && "code" in error && typeof error.code === "string" && error.code.startsWith("SQLITE_")) {
      throw mapSqliteError(error, "open", file) ?? error;
    }
    throw error;
  }
}
