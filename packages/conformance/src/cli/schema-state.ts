/**
 * Reads, without changing anything, which migrations a backend's namespace has had: the SQLite
 * ledger table `"<namespace>.migrations"`, the Postgres ledger `"<schema>".mooring_migrations`,
 * the Redis key-layout marker `{<prefix>}:schema`. `mooring migrate` compares it before and after;
 * `mooring doctor` reports it.
 */
import { existsSync } from "node:fs";
import { connectRedis, exportOf, loadBackendPackage, loadPgDriver, loadSqliteDriver } from "./drivers.js";
import type { BackendKind } from "./targets.js";
import { namespaceOf, postgresConnectionStringOf, redisEndpointOf, sqlitePathOf } from "./urls.js";

export interface AppliedMigration {
  readonly version: number;
  readonly name: string;
}

export interface SchemaState {
  /** Where the schema lives, for messages: `namespace "mooring" of ./app.db`, `schema "mooring"`. */
  readonly location: string;
  /** Applied migrations, oldest first; empty when the namespace has none yet. */
  readonly applied: readonly AppliedMigration[];
}

/** Postgres: the ledger's table name inside the schema (backend-postgres migrations.ts). */
const POSTGRES_LEDGER = "mooring_migrations";

/** The state of the namespace `url` names, or null for a backend that keeps no schema (memory, `sqlite::memory:`). */
export async function readSchemaState(kind: BackendKind, url: string): Promise<SchemaState | null> {
  const namespace = namespaceOf(kind, url);
  switch (kind) {
    case "memory":
      return null;
    case "sqlite":
      return readSqliteState(sqlitePathOf(url), namespace);
    case "postgres":
      return readPostgresState(url, namespace);
    case "redis":
    case "redis-cluster":
      return readRedisState(url, namespace);
  }
}

async function readSqliteState(path: string, namespace: string): Promise<SchemaState | null> {
  if (path === ":memory:") return null;
  const location = `namespace "${namespace}" of ${path}`;
  if (!existsSync(path)) return { location, applied: [] };
  const Database = await loadSqliteDriver();
  const database = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const ledger = `${namespace}.migrations`;
    const found = database.prepare("SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = ?").get(ledger);
    if (found === undefined) return { location, applied: [] };
    const rows = database.prepare(`SELECT version, name FROM ${quote(ledger)} ORDER BY version`).all() as { version: number; name: string }[];
    return { location, applied: rows.map(({ version, name }) => ({ version: Number(version), name: String(name) })) };
  } finally {
    database.close();
  }
}

async function readPostgresState(url: string, schema: string): Promise<SchemaState> {
  const Client = await loadPgDriver();
  const client = new Client({ connectionString: postgresConnectionStringOf(url), connectionTimeoutMillis: 10_000, application_name: "mooring-cli" });
  client.on("error", () => undefined);
  await client.connect();
  try {
    const ledger = `${quote(schema)}.${quote(POSTGRES_LEDGER)}`;
    const { rows } = await client.query("SELECT to_regclass($1) IS NOT NULL AS present", [ledger]);
    if (rows[0]?.present !== true) return { location: `schema "${schema}"`, applied: [] };
    const applied = await client.query(`SELECT version, name FROM ${ledger} ORDER BY version`);
    return { location: `schema "${schema}"`, applied: applied.rows.map((row) => ({ version: Number(row.version), name: String(row.name) })) };
  } finally {
    await client.end();
  }
}

async function readRedisState(url: string, prefix: string): Promise<SchemaState> {
  const packageName = "@mooring/backend-redis";
  const module = await loadBackendPackage(packageName);
  const KeySpace = exportOf(module, packageName, "KeySpace") as unknown as new (prefix: string) => { readonly schema: string };
  const key = new KeySpace(prefix).schema;
  const connection = await connectRedis(redisEndpointOf(url));
  let stored: string | null;
  try {
    stored = await connection.get(key);
  } finally {
    connection.disconnect();
  }
  const version = stored === null ? 0 : Number(stored);
  return {
    location: `prefix "${prefix}" (${key})`,
    applied: Number.isSafeInteger(version) && version > 0 ? Array.from({ length: version }, (_, index) => ({ version: index + 1, name: `key layout ${index + 1}` })) : [],
  };
}

/** One SQL identifier, double-quoted (the rule SQLite and Postgres share). */
function quote(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
