/**
 * Schema migrations: numbered, append-only SQL files in `migrations/` (`0001_initial.sql`, …),
 * applied in one `BEGIN IMMEDIATE` transaction with a ledger row per migration holding the
 * SHA-256 of the file. The ledger is read again inside that transaction, so several processes
 * migrating one file at once serialize on the write lock (waiting up to the busy timeout) and
 * every migration is applied exactly once.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { sqliteError } from "./errors.js";
import type { SqliteConnection } from "./connection.js";
import { renderSql } from "./identifiers.js";
import { sql } from "./sql/text.js";

/** One migration file. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  /** The file's text, with `{{object}}` placeholders. */
  readonly text: string;
  /** SHA-256 of `text`, hex: what the ledger records and compares. */
  readonly sha256: string;
}

interface LedgerRow {
  readonly version: number;
  readonly name: string;
  readonly sha256: string;
}

const MIGRATION_FILE = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/**
 * Create the ledger when missing.
 * Parameters: none. Returns: nothing.
 */
const CREATE_LEDGER = sql`
  CREATE TABLE IF NOT EXISTS {{migrations}} (
    version     INTEGER NOT NULL PRIMARY KEY,
    name        TEXT    NOT NULL,
    sha256      TEXT    NOT NULL,
    applied_at  INTEGER NOT NULL
  )`;

/**
 * The applied migrations.
 * Parameters: none. Returns: rows { version, name, sha256 } by version.
 */
const SELECT_LEDGER = sql`
  SELECT version, name, sha256 FROM {{migrations}} ORDER BY version`;

/**
 * Record an applied migration.
 * Parameters: version, name, sha256, applied_at. Returns: nothing.
 */
const INSERT_LEDGER = sql`
  INSERT INTO {{migrations}} (version, name, sha256, applied_at) VALUES (?, ?, ?, ?)`;

/**
 * Whether the ledger table exists.
 * Parameters: the ledger's unquoted name. Returns: { found } or no row.
 */
const LEDGER_EXISTS = sql`
  SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = ?`;

/** The migrations shipped with this package, in version order (`migrations/` beside `src/`). */
export function loadMigrations(directory: URL = new URL("../migrations/", import.meta.url)): Migration[] {
  const migrations = readdirSync(directory)
    .map((file) => ({ file, match: MIGRATION_FILE.exec(file) }))
    .filter((entry): entry is { file: string; match: RegExpExecArray } => entry.match !== null)
    .map(({ file, match }) => {
      const text = readFileSync(new URL(file, directory), "utf8");
      return {
        version: Number(match[1]),
        name: `${match[1]}_${match[2]}`,
        text,
        sha256: createHash("sha256").update(text, "utf8").digest("hex"),
      };
    })
    .sort((a, b) => a.version - b.version);
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(`migrations must be numbered 0001, 0002, … without gaps; found ${migration.name} at position ${index + 1}`);
    }
  });
  return migrations;
}

/**
 * Applies every migration the ledger does not hold, in one transaction. Idempotent.
 * @throws INVALID_STATE when an applied migration's file changed, or the database was migrated by
 * a newer version of this package (as Postgres). Nothing is written in either case.
 */
export function migrate(connection: SqliteConnection, migrations: readonly Migration[]): void {
  connection.write((now) => {
    connection.db.exec(renderSql(CREATE_LEDGER, connection.namespace));
    const applied = connection.statements.all<LedgerRow>(SELECT_LEDGER);
    verifyLedger(connection, applied, migrations);
    for (const migration of migrations.slice(applied.length)) {
      connection.db.exec(renderSql(migration.text, connection.namespace));
      connection.statements.run(INSERT_LEDGER, migration.version, migration.name, migration.sha256, now);
    }
  });
}

/**
 * Checks, without writing, that the schema is the one this code expects (for `migrate: false`).
 * A database never migrated passes: its first call reports the missing schema.
 * @throws as `migrate`, and INVALID_STATE when migrations are pending.
 */
export function checkSchema(connection: SqliteConnection, migrations: readonly Migration[]): void {
  connection.read(() => {
    const ledgerName = `${connection.namespace}.migrations`;
    if (!connection.statements.one(LEDGER_EXISTS, ledgerName)) return;
    const applied = connection.statements.all<LedgerRow>(SELECT_LEDGER);
    verifyLedger(connection, applied, migrations);
    if (applied.length < migrations.length) {
      throw sqliteError(
        "INVALID_STATE",
        `the schema of ${where(connection)} is at version ${applied.length}, this package needs ${migrations.length}: run migrate() (or open with migrate: true)`,
        { schemaVersion: applied.length, codeVersion: migrations.length },
      );
    }
  });
}

function verifyLedger(connection: SqliteConnection, applied: readonly LedgerRow[], migrations: readonly Migration[]): void {
  const latest = migrations.length;
  const newest = applied.at(-1);
  if (newest !== undefined && newest.version > latest) {
    throw sqliteError(
      "INVALID_STATE",
      `the schema of ${where(connection)} is at version ${newest.version} (${newest.name}), newer than this @mooring/backend-sqlite knows (${latest}): upgrade the package; nothing was changed`,
      { schemaVersion: newest.version, codeVersion: latest },
    );
  }
  applied.forEach((row, index) => {
    if (row.version !== index + 1) {
      throw sqliteError("INVALID_STATE", `the migration ledger of ${where(connection)} has a gap before version ${row.version}; it was edited by hand: restore it from a backup`, {
        schemaVersion: row.version,
      });
    }
    const migration = migrations[index];
    if (migration && migration.sha256 !== row.sha256) {
      throw sqliteError(
        "INVALID_STATE",
        `migration ${migration.name} applied to ${where(connection)} differs from the one in this package (recorded sha256 ${row.sha256.slice(0, 12)}…, package ${migration.sha256.slice(0, 12)}…): migrations are append-only: restore the original file and put the change in a new numbered migration`,
        { version: row.version, recorded: row.sha256, expected: migration.sha256 },
      );
    }
  });
}

function where(connection: SqliteConnection): string {
  return `${connection.file} (namespace "${connection.namespace}")`;
}
