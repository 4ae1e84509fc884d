/**
 * What operators ask of a SQLite deployment (core's `BackendOperations`): whether the file can be
 * used (exists, writable, its directory writable for the WAL files), the library's version and the
 * journal and sync modes, which migrations a namespace has had (its ledger table), and removing a
 * namespace's tables from a file. Reads open the file read-only and never create it.
 */
import { accessSync, constants, existsSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { performance } from "node:perf_hooks";
import Database from "better-sqlite3";
import type { DoctorFinding, DoctorProbes, NamespaceRemover, SchemaState } from "@mooring/core";
import { DEFAULT_NAMESPACE, quoteIdentifier, renderSql } from "./identifiers.js";
import { sqliteOptionsFromUrl } from "./options.js";
import { sql } from "./sql/text.js";

/** The query parameters that name the namespace (the table prefix). */
export const NAMESPACE_URL_PARAMETERS: readonly string[] = ["namespace"];

/** SQLite 3.35 added RETURNING, which claims use. */
const MIN_SQLITE: readonly [number, number] = [3, 35];

/** How long a cleanup waits for another connection's write lock. */
const CLEANUP_BUSY_TIMEOUT_MS = 10_000;

/**
 * Whether the ledger table exists.
 * Parameters: the ledger's unquoted name. Returns: { found } or no row.
 */
const LEDGER_EXISTS = sql`
  SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = ?`;

/**
 * The applied migrations, oldest first.
 * Parameters: none. Returns: { version, name } per migration.
 */
const SELECT_APPLIED = sql`
  SELECT version, name FROM {{migrations}} ORDER BY version`;

/**
 * The tables whose name starts with a prefix (every table of a namespace is `"<namespace>.<table>"`).
 * Parameters: the prefix's length, the prefix. Returns: { name } per table.
 */
const TABLES_STARTING_WITH = sql`
  SELECT name FROM sqlite_master WHERE type = 'table' AND substr(name, 1, ?) = ?`;

/**
 * Answers with the library's version.
 * Parameters: none. Returns: { version }.
 */
const LIBRARY_VERSION = sql`
  SELECT sqlite_version() AS version`;

/** A private in-memory database, for backends that share one (`createSqliteBackend({ database })`). */
export function openMemoryDatabase(): Database.Database {
  return new Database(":memory:");
}

/** The file's state, the library's version, the journal and sync modes, and the namespace's migrations. */
export async function inspectServer(url: string, probes: DoctorProbes): Promise<DoctorFinding[]> {
  const { path, synchronous } = sqliteOptionsFromUrl(url);
  if (path === ":memory:") {
    return [
      await probes.reachability(),
      { subject: "file", verdict: "ok", value: ":memory:", why: "a private in-memory database: nothing is kept after the connection closes" },
    ];
  }
  const findings: DoctorFinding[] = [];
  const directory = dirname(path);
  let exists = true;
  try {
    if (statSync(path).isDirectory()) return [{ subject: "file", verdict: "problem", value: path, why: "is a directory, not a database file" }];
  } catch {
    exists = false;
  }
  if (!exists) {
    findings.push({ subject: "file", verdict: "warning", value: path, why: "does not exist yet: the backend creates it when it first opens it (mooring migrate does)" });
    findings.push(writable(directory, "directory", "the backend creates the file and its -wal and -shm files here"));
    return findings;
  }
  findings.push({ subject: "file", verdict: "ok", value: path, why: "exists" });
  findings.push(writable(path, "file writable", "the backend writes the database"));
  findings.push(writable(directory, "directory writable", "WAL keeps its -wal and -shm files beside the database"));

  // Opened here, read-only, rather than through the backend: opening a backend creates what is missing.
  const started = performance.now();
  let database: Database.Database;
  try {
    database = new Database(path, { readonly: true, fileMustExist: true });
    database.prepare("SELECT 1").get();
  } catch (error) {
    findings.push({ subject: "reachable", verdict: "problem", value: "no", why: error instanceof Error ? error.message : String(error) });
    return findings;
  }
  try {
    findings.push({ subject: "reachable", verdict: "ok", value: `opened in ${milliseconds(performance.now() - started)}`, why: "opened read-only and answered a query" });
    const { version } = database.prepare(LIBRARY_VERSION).get() as { version: string };
    const [major = 0, minor = 0] = version.split(".").map(Number);
    const recent = major > MIN_SQLITE[0] || (major === MIN_SQLITE[0] && minor >= MIN_SQLITE[1]);
    findings.push({
      subject: "version",
      verdict: recent ? "ok" : "problem",
      value: `SQLite ${version}`,
      why: recent ? "the library better-sqlite3 bundles; 3.35 or later has RETURNING, which claims use" : "claims use RETURNING, added in SQLite 3.35: upgrade better-sqlite3",
    });
    const journal = String(database.pragma("journal_mode", { simple: true }));
    findings.push(
      journal === "wal"
        ? { subject: "journal_mode", verdict: "ok", value: "wal", why: "readers never block the writer, and a crash loses nothing committed" }
        : {
            subject: "journal_mode",
            verdict: "warning",
            value: journal,
            why: "not WAL: the backend switches the file to WAL when it opens it; if it stays out of WAL (a filesystem without shared memory), readers block the writer",
          },
    );
  } finally {
    database.close();
  }
  findings.push(
    synchronous === "full"
      ? { subject: "synchronous", verdict: "ok", value: "full (from the URL)", why: "every commit is synced to disk before it returns: a power loss loses nothing committed" }
      : {
          subject: "synchronous",
          verdict: "ok",
          value: synchronous === undefined ? "normal (the backend's default)" : `${synchronous} (from the URL)`,
          why: "a process crash loses nothing committed; a power loss or OS crash may lose the last commits (?synchronous=full closes that, at an fsync per commit)",
        },
  );
  findings.push(probes.schema(await readSchemaState(url)));
  return findings;
}

/** The namespace's migration ledger, oldest first; null for `:memory:`, which keeps nothing to read. */
export async function readSchemaState(url: string): Promise<SchemaState | null> {
  const { path, namespace: given } = sqliteOptionsFromUrl(url);
  if (path === ":memory:") return null;
  const namespace = given || DEFAULT_NAMESPACE;
  const location = `namespace "${namespace}" of ${path}`;
  if (!existsSync(path)) return { location, applied: [] };
  const database = new Database(path, { readonly: true, fileMustExist: true });
  try {
    if (database.prepare(LEDGER_EXISTS).get(`${namespace}.migrations`) === undefined) return { location, applied: [] };
    const rows = database.prepare(renderSql(SELECT_APPLIED, namespace)).all() as { version: number; name: string }[];
    return { location, applied: rows.map(({ version, name }) => ({ version: Number(version), name: String(name) })) };
  } finally {
    database.close();
  }
}

/**
 * Drops namespaces' tables (their indexes go with them) in one `BEGIN IMMEDIATE` each, through
 * one connection to the file opened on first use.
 */
export function openNamespaceRemover(url: string): NamespaceRemover {
  const { path } = sqliteOptionsFromUrl(url);
  let database: Database.Database | null = null;
  const dropTablesStartingWith = async (prefix: string): Promise<void> => {
    database ??= new Database(path, { timeout: CLEANUP_BUSY_TIMEOUT_MS });
    const tables = database.prepare(TABLES_STARTING_WITH).all(prefix.length, prefix) as { name: string }[];
    if (tables.length > 0) database.exec(["BEGIN IMMEDIATE", ...tables.map(({ name }) => `DROP TABLE IF EXISTS ${quoteIdentifier(name)}`), "COMMIT"].join(";\n"));
  };
  return {
    // Object names hold no dot, so `<namespace>.` is no other namespace's prefix.
    remove: (namespace) => dropTablesStartingWith(`${namespace}.`),
    removeEveryStartingWith: (start) => dropTablesStartingWith(start),
    close: () => {
      database?.close();
      database = null;
      return Promise.resolve();
    },
  };
}

function writable(path: string, subject: string, why: string): DoctorFinding {
  try {
    accessSync(path, constants.W_OK);
    return { subject, verdict: "ok", value: path, why };
  } catch (error) {
    return { subject, verdict: "problem", value: path, why: `not writable (${error instanceof Error ? error.message : String(error)}): ${why}` };
  }
}

function milliseconds(ms: number): string {
  return ms < 10 ? `${ms.toFixed(2)} ms` : `${Math.round(ms)} ms`;
}
