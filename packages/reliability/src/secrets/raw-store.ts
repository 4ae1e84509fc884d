/**
 * Everything a deployment holds at rest, read beside the backend's contract: every row of every
 * table of the schema (SQLite, Postgres) and, for SQLite, the raw bytes of the database, WAL and
 * shared-memory files; for Redis, every key of the prefix with its value as stored, through the
 * backend's own `dumpNamespace` (every primary; the key design stays in the backend); for memory,
 * a walk of the store's object graph (own properties including non-enumerable ones, Map keys and
 * values, Set members, array elements, byte arrays).
 *
 * The memory walk sees what reflection sees: `#private` fields and closures are out of its reach.
 * The store keeps its data in public members below `partition(namespace)` and `space(tenantId)`,
 * which is where the walk starts; the secrets test adds a V8 heap snapshot of the whole process
 * for what reflection cannot reach.
 */
import { readFile } from "node:fs/promises";
import Database from "better-sqlite3";
import { quoteIdentifier } from "@mooring/testing/identifiers";
import pg from "pg";
import { redisTargetUrl, type Target, type TargetConfig } from "../targets.js";

/** One stored thing, as bytes, with where it was found. */
export interface RawPart {
  readonly where: string;
  readonly bytes: Buffer;
}

export interface RawDump {
  readonly parts: readonly RawPart[];
  /** How many values (cells, keys and members, graph nodes, files) were read. */
  readonly values: number;
}

/** Reads the whole deployment. `tenants`: the tenants whose data a memory walk must reach. */
export async function dumpRawStore(target: Target, tenants: readonly string[]): Promise<RawDump> {
  const config = target.config;
  switch (config.kind) {
    case "memory": {
      if (!target.memoryStore) throw new Error("a memory target without its store");
      const partition = target.memoryStore.partition(config.namespace);
      return walkObjectGraph([partition, ...tenants.map((tenant) => partition.space(tenant))]);
    }
    case "sqlite":
      return dumpSqlite(config.path);
    case "postgres":
      return dumpPostgres(config.url, config.schema);
    case "redis":
    case "redis-cluster":
      return dumpRedis(config);
  }
}

function cellBytes(cell: unknown): Buffer | null {
  if (cell === null || cell === undefined) return null;
  if (Buffer.isBuffer(cell)) return cell;
  if (cell instanceof Uint8Array) return Buffer.from(cell);
  return Buffer.from(String(cell), "utf8");
}

async function dumpSqlite(path: string): Promise<RawDump> {
  const parts: RawPart[] = [];
  let values = 0;
  const database = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const tables = database.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all() as string[];
    for (const table of tables) {
      const rows = database.prepare(`SELECT * FROM ${quoteIdentifier(table)}`).raw().all() as unknown[][];
      rows.forEach((row, i) => {
        for (const cell of row) {
          values++;
          const bytes = cellBytes(cell);
          if (bytes) parts.push({ where: `table ${table} row ${i}`, bytes });
        }
      });
    }
  } finally {
    database.close();
  }
  // The files themselves: a page the rows no longer show (a deleted row, an old page image in the
  // WAL) would still be at rest on disk.
  for (const suffix of ["", "-wal", "-shm"]) {
    const bytes = await readFile(`${path}${suffix}`).catch(() => null);
    if (bytes) {
      values++;
      parts.push({ where: `file ${path}${suffix}`, bytes });
    }
  }
  return { parts, values };
}

async function dumpPostgres(url: string, schema: string): Promise<RawDump> {
  const parts: RawPart[] = [];
  let values = 0;
  const client = new pg.Client({ connectionString: url });
  client.on("error", () => undefined);
  await client.connect();
  try {
    const tables = await client.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY table_name",
      [schema],
    );
    for (const { table_name: table } of tables.rows) {
      // A row's text form holds every column: text as is, jsonb as JSON, bytea as \x hex.
      const rows = await client.query<{ row: string }>(`SELECT t::text AS row FROM ${quoteIdentifier(schema)}.${quoteIdentifier(table)} t`);
      rows.rows.forEach((row, i) => {
        values++;
        parts.push({ where: `table ${schema}.${table} row ${i}`, bytes: Buffer.from(row.row, "utf8") });
      });
    }
  } finally {
    await client.end();
  }
  return { parts, values };
}

async function dumpRedis(config: Extract<TargetConfig, { kind: "redis" | "redis-cluster" }>): Promise<RawDump> {
  const { dumpNamespace } = await import("@mooring/backend-redis");
  const parts: RawPart[] = [];
  let values = 0;
  for await (const { key, type, values: stored } of dumpNamespace(redisTargetUrl(config))) {
    values++;
    parts.push({ where: `key name ${key}`, bytes: Buffer.from(key, "utf8") });
    for (const bytes of stored) {
      values++;
      parts.push({ where: `${type} ${key}`, bytes });
    }
  }
  return { parts, values };
}

/** Every string and byte array reachable from `roots` by reflection. */
export function walkObjectGraph(roots: readonly unknown[]): RawDump {
  const parts: RawPart[] = [];
  const seen = new Set<object>();
  let values = 0;
  const stack: { readonly value: unknown; readonly path: string }[] = roots.map((value, i) => ({ value, path: `root${i}` }));
  const push = (value: unknown, path: string): void => {
    stack.push({ value, path });
  };
  while (stack.length > 0) {
    const { value, path } = stack.pop() as { value: unknown; path: string };
    values++;
    if (typeof value === "string") {
      parts.push({ where: path, bytes: Buffer.from(value, "utf8") });
      continue;
    }
    if (typeof value !== "object" || value === null) continue;
    if (seen.has(value)) continue;
    seen.add(value);
    if (value instanceof Uint8Array) {
      parts.push({ where: path, bytes: Buffer.from(value) });
      continue;
    }
    if (value instanceof Map) {
      for (const [key, member] of value) {
        push(key, `${path}<key>`);
        push(member, `${path}[${typeof key === "string" ? JSON.stringify(key) : "?"}]`);
      }
    } else if (value instanceof Set) {
      for (const member of value) push(member, `${path}<member>`);
    }
    for (const key of Reflect.ownKeys(value)) {
      const descriptor = Object.getOwnPropertyDescriptor(value, key);
      if (typeof key === "string") push(key, `${path}<property name>`);
      // Accessors are not data at rest; running them could change the store.
      if (descriptor && "value" in descriptor) push(descriptor.value, `${path}.${String(key)}`);
    }
  }
  return { parts, values };
}
