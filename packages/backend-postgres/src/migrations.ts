/**
 * Schema migrations: numbered, append-only SQL files in `migrations/`, applied in one transaction
 * under `pg_advisory_xact_lock` (one lock per schema), each recorded in a ledger with its SHA-256.
 *
 * - Idempotent and safe when several processes migrate at once: the lock serializes them, and
 *   each reads the ledger after taking it, so every migration is applied exactly once.
 * - A migration whose file changed after it was applied is refused (its hash no longer matches),
 *   and so is a schema that a newer version of this package migrated (a ledger version this
 *   package does not know): neither is something to paper over.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { MooringError } from "@mooring/core";
import type { Database } from "./database.js";
import { migrationLockKey, quoteIdentifier } from "./identifiers.js";
import { SCHEMA_PLACEHOLDER } from "./statements.js";

export interface Migration {
  /** The number the file name starts with. */
  readonly version: number;
  /** The file name without `.sql`, e.g. `0001_initial`. */
  readonly name: string;
  /** The file's text, with `{schema}` placeholders. */
  readonly source: string;
  /** SHA-256 of `source`, hex. */
  readonly sha256: string;
}

/** The ledger's name inside the schema. */
export const LEDGER_TABLE = "mooring_migrations";

const MIGRATIONS_DIRECTORY = new URL("../migrations/", import.meta.url);
const FILE_PATTERN = /^(\d{4})_([a-z0-9_]+)\.sql$/;

function readMigrations(): readonly Migration[] {
  const migrations = readdirSync(MIGRATIONS_DIRECTORY)
    .filter((file) => file.endsWith(".sql"))
    .map((file): Migration => {
      const match = FILE_PATTERN.exec(file);
      if (!match) throw new Error(`migrations/${file}: a migration file is named NNNN_name.sql`);
      // Line endings are normalized so that a checkout with CRLF hashes like the original.
      const source = readFileSync(new URL(file, MIGRATIONS_DIRECTORY), "utf8").replaceAll("\r\n", "\n");
      return { version: Number(match[1]), name: file.slice(0, -4), source, sha256: createHash("sha256").update(source, "utf8").digest("hex") };
    })
    .sort((a, b) => a.version - b.version);
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) throw new Error(`migrations/: expected version ${index + 1}, found ${migration.name} (numbers are consecutive from 0001)`);
  });
  return Object.freeze(migrations);
}

/** Every migration this package ships, in order. Read once per process. */
export const MIGRATIONS: readonly Migration[] = readMigrations();

interface LedgerRow {
  version: number;
  name: string;
  sha256: string;
}

function refused(message: string, details: Record<string, unknown>): MooringError {
  return new MooringError("INVALID_STATE", message, { backend: "postgres", operation: "migrate", details });
}

/**
 * Brings `schema` up to the latest migration. Returns the names of the migrations it applied
 * (empty when the schema was current).
 * @throws INVALID_STATE when a recorded migration was edited, or the schema is newer than this package.
 */
export async function migrateSchema(db: Database, schema: string, migrations: readonly Migration[] = MIGRATIONS): Promise<string[]> {
  const quoted = quoteIdentifier(schema);
  const ledger = `${quoted}.${quoteIdentifier(LEDGER_TABLE)}`;
  return db.transaction(async (tx) => {
    await tx.script("SELECT pg_advisory_xact_lock($1::bigint)", [migrationLockKey(schema).toString()]);
    await tx.script(`CREATE SCHEMA IF NOT EXISTS ${quoted}`);
    await tx.script(
      `CREATE TABLE IF NOT EXISTS ${ledger} (version integer PRIMARY KEY, name text NOT NULL, sha256 text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const applied = await tx.script<LedgerRow>(`SELECT version, name, sha256 FROM ${ledger} ORDER BY version`);
    const latest = migrations.at(-1);
    for (const row of applied) {
      const known = migrations.find((migration) => migration.version === row.version);
      if (!known) {
        throw refused(
          `schema "${schema}" is at migration ${row.name}, newer than this @mooring/backend-postgres knows (up to ${latest?.name ?? "none"}): upgrade the package`,
          { schema, version: row.version, known: latest?.version ?? 0 },
        );
      }
      if (known.sha256 !== row.sha256 || known.name !== row.name) {
        throw refused(
          `migration ${known.name} changed after it was applied to schema "${schema}" (applied sha256 ${row.sha256.slice(0, 12)}…, file ${known.sha256.slice(0, 12)}…): migrations are append-only; restore the file and add a new migration`,
          { schema, version: row.version, applied: row.sha256, file: known.sha256 },
        );
      }
    }
    const done = new Set(applied.map((row) => row.version));
    const names: string[] = [];
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      await tx.script(migration.source.replaceAll(SCHEMA_PLACEHOLDER, quoted));
      await tx.script(`INSERT INTO ${ledger} (version, name, sha256) VALUES ($1, $2, $3)`, [migration.version, migration.name, migration.sha256]);
      names.push(migration.name);
    }
    return names;
    // Migrating is idempotent: after a lost COMMIT, running it again is always right.
  }, "safe");
}
