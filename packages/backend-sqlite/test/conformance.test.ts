/**
 * The whole conformance kit on SQLite (SPEC K1), twice: on database files, where every `create`
 * opens its own connection (so `connect()` is a real second connection and the race checks
 * contend for the file's write lock), and on `:memory:`, where the backends of one namespace
 * share one in-memory database (and one notifier) so that `connect()` reaches the same store.
 * Nothing is skipped.
 *
 * Each namespace gets its own file: one file holding the schemas of hundreds of checks would make
 * every new connection parse all of them, which measures schema size, not the backend.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describeConformance } from "@mooring/conformance";
import { afterAll } from "vitest";
import { createSqliteBackend, SqliteNotifier } from "../src/index.js";

const directory = mkdtempSync(join(tmpdir(), "mooring-sqlite-conformance-"));
const memory = new Map<string, { database: Database.Database; notifier: SqliteNotifier }>();

afterAll(() => {
  for (const { database } of memory.values()) database.close();
  memory.clear();
  rmSync(directory, { recursive: true, force: true });
});

describeConformance({
  name: "sqlite (file)",
  create: async ({ clock, namespace }) => createSqliteBackend({ path: join(directory, `${namespace}.db`), clock, namespace }),
});

describeConformance({
  name: "sqlite (:memory:)",
  create: async ({ clock, namespace }) => {
    let shared = memory.get(namespace);
    if (!shared) {
      shared = { database: new Database(":memory:"), notifier: new SqliteNotifier() };
      memory.set(namespace, shared);
    }
    return createSqliteBackend({ database: shared.database, notifier: shared.notifier, clock, namespace });
  },
});
