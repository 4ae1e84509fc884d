/**
 * Loads, on demand, the backend packages and the database drivers (better-sqlite3, pg, ioredis)
 * the command uses directly, so that the command runs with only the backends a user installed and
 * a missing one is one clear message naming what to install.
 *
 * A driver is looked up first from this package, then from the backend package that uses it (the
 * backends declare their driver as a peer dependency, so wherever the backend resolves, its driver
 * does too). Only the few members the command calls are typed here, as Kysely's SQLite dialect
 * types only the subset of better-sqlite3 it uses.
 */
import { existsSync, realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { RedisEndpoint } from "./urls.js";

/** A package or driver the command needs is not installed. */
export class MissingModuleError extends Error {
  override readonly name = "MissingModuleError";
}

export type BackendPackage = "@mooring/backend-memory" | "@mooring/backend-sqlite" | "@mooring/backend-postgres" | "@mooring/backend-redis";

// ---------------------------------------------------------------------------------------------
// The subsets of the drivers the command uses

export interface SqliteStatement {
  get(...parameters: unknown[]): unknown;
  all(...parameters: unknown[]): unknown[];
  run(...parameters: unknown[]): unknown;
}

export interface SqliteDatabase {
  prepare(source: string): SqliteStatement;
  pragma(source: string, options: { simple: true }): unknown;
  exec(source: string): unknown;
  close(): unknown;
}

export type SqliteDatabaseConstructor = new (
  path: string,
  options?: { readonly readonly?: boolean; readonly fileMustExist?: boolean; readonly timeout?: number },
) => SqliteDatabase;

export interface PgClient {
  connect(): Promise<unknown>;
  query(text: string, values?: readonly unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  end(): Promise<void>;
  on(event: "error", listener: (error: Error) => void): unknown;
}

export type PgClientConstructor = new (config: {
  readonly connectionString: string;
  readonly connectionTimeoutMillis?: number;
  readonly application_name?: string;
}) => PgClient;

/** The commands used on one Redis node (a standalone server or a cluster's master). */
export interface RedisNode {
  scan(cursor: string, match: "MATCH", pattern: string, count: "COUNT", amount: number): Promise<[string, string[]]>;
  unlink(...keys: string[]): Promise<number>;
  get(key: string): Promise<string | null>;
  disconnect(): void;
}

export interface RedisStandalone extends RedisNode {
  connect(): Promise<void>;
  on(event: "error", listener: (error: Error) => void): unknown;
}

export interface RedisClusterClient {
  get(key: string): Promise<string | null>;
  nodes(role: "master"): RedisNode[];
  on(event: "error" | "ready", listener: (error: Error) => void): unknown;
  disconnect(): void;
}

export interface RedisConnectOptions {
  readonly lazyConnect?: boolean;
  readonly connectTimeout?: number;
  readonly maxRetriesPerRequest?: number;
  readonly retryStrategy?: () => null;
  readonly username?: string;
  readonly password?: string;
  readonly tls?: Record<string, never>;
}

export interface IoRedisModule {
  readonly Redis: new (url: string, options: RedisConnectOptions) => RedisStandalone;
  readonly Cluster: new (
    nodes: readonly { readonly host: string; readonly port: number }[],
    options: { readonly redisOptions: RedisConnectOptions; readonly clusterRetryStrategy: () => null },
  ) => RedisClusterClient;
}

/** A connected Redis server or cluster: keyed reads are routed, `masters()` lists the primaries. */
export interface RedisConnection {
  get(key: string): Promise<string | null>;
  masters(): RedisNode[];
  disconnect(): void;
}

/** How long connecting to Redis for a read or a cleanup may take. */
const REDIS_CONNECT_TIMEOUT_MS = 5000;

/**
 * Connects to the server or cluster `endpoint` names, failing fast (no retries) when it does not
 * answer. The caller disconnects.
 */
export async function connectRedis(endpoint: RedisEndpoint): Promise<RedisConnection> {
  const driver = await loadRedisDriver();
  const options: RedisConnectOptions = { lazyConnect: true, connectTimeout: REDIS_CONNECT_TIMEOUT_MS, maxRetriesPerRequest: 1, retryStrategy: () => null };
  if (endpoint.kind === "standalone") {
    const client = new driver.Redis(endpoint.url, options);
    client.on("error", () => undefined);
    try {
      await client.connect();
    } catch (error) {
      client.disconnect();
      throw error;
    }
    return { get: (key) => client.get(key), masters: () => [client], disconnect: () => client.disconnect() };
  }
  const cluster = new driver.Cluster(endpoint.nodes, {
    redisOptions: {
      ...options,
      lazyConnect: false,
      ...(endpoint.username ? { username: endpoint.username } : {}),
      ...(endpoint.password ? { password: endpoint.password } : {}),
      ...(endpoint.tls ? { tls: {} } : {}),
    },
    clusterRetryStrategy: () => null,
  });
  try {
    await new Promise<void>((resolve, reject) => {
      cluster.on("ready", () => resolve());
      cluster.on("error", reject);
    });
  } catch (error) {
    cluster.disconnect();
    throw error;
  }
  cluster.on("error", () => undefined);
  return { get: (key) => cluster.get(key), masters: () => cluster.nodes("master"), disconnect: () => cluster.disconnect() };
}

// ---------------------------------------------------------------------------------------------
// Loading

/** `better-sqlite3`'s Database class, as `@mooring/backend-sqlite` would load it. */
export async function loadSqliteDriver(): Promise<SqliteDatabaseConstructor> {
  const module = await loadDriver("better-sqlite3", "@mooring/backend-sqlite");
  const Database = defaultExport(module);
  if (typeof Database !== "function") throw new MissingModuleError("better-sqlite3 did not export its Database class");
  return Database as SqliteDatabaseConstructor;
}

/** `pg`'s Client class, as `@mooring/backend-postgres` would load it. */
export async function loadPgDriver(): Promise<PgClientConstructor> {
  const module = await loadDriver("pg", "@mooring/backend-postgres");
  const Client = memberOf(defaultExport(module), "Client") ?? memberOf(module, "Client");
  if (typeof Client !== "function") throw new MissingModuleError("pg did not export its Client class");
  return Client as PgClientConstructor;
}

/** `ioredis`'s Redis and Cluster classes, as `@mooring/backend-redis` would load them. */
export async function loadRedisDriver(): Promise<IoRedisModule> {
  const module = await loadDriver("ioredis", "@mooring/backend-redis");
  const Redis = memberOf(module, "Redis") ?? memberOf(defaultExport(module), "Redis");
  const Cluster = memberOf(module, "Cluster") ?? memberOf(defaultExport(module), "Cluster");
  if (typeof Redis !== "function" || typeof Cluster !== "function") throw new MissingModuleError("ioredis did not export its Redis and Cluster classes");
  return { Redis, Cluster } as unknown as IoRedisModule;
}

/**
 * Imports a backend package.
 * @throws MissingModuleError naming the package to install
 */
export async function loadBackendPackage(name: BackendPackage): Promise<Record<string, unknown>> {
  try {
    const module: unknown = await import(name as string);
    return module as Record<string, unknown>;
  } catch (error) {
    if (isModuleNotFound(error, name)) throw new MissingModuleError(`${name} is not installed: install it (pnpm add ${name})`, { cause: error });
    throw error;
  }
}

/** A function exported by a backend package, or a MissingModuleError naming the export. */
export function exportOf(module: Record<string, unknown>, packageName: BackendPackage, name: string): (...args: never[]) => unknown {
  const member = module[name];
  if (typeof member !== "function") throw new MissingModuleError(`${packageName} does not export ${name}: upgrade it`);
  return member as (...args: never[]) => unknown;
}

async function loadDriver(driver: string, backendPackage: BackendPackage): Promise<unknown> {
  try {
    const module: unknown = await import(driver);
    return module;
  } catch (error) {
    if (!isModuleNotFound(error, driver)) throw error;
  }
  const packageDirectory = findPackageDirectory(backendPackage);
  if (packageDirectory !== null) {
    try {
      const resolved = createRequire(join(packageDirectory, "package.json")).resolve(driver);
      const module: unknown = await import(pathToFileURL(resolved).href);
      return module;
    } catch (error) {
      if (!isModuleNotFound(error, driver)) throw error;
    }
  }
  throw new MissingModuleError(`the ${driver} driver is not installed (${backendPackage} needs it too): install it (pnpm add ${driver})`);
}

/** The directory of an installed package, found along Node's own lookup paths from here. */
function findPackageDirectory(name: string): string | null {
  const lookup = createRequire(import.meta.url).resolve.paths(name) ?? [];
  for (const directory of lookup) {
    const candidate = join(directory, name);
    if (existsSync(join(candidate, "package.json"))) return realpathSync(candidate);
  }
  return null;
}

function isModuleNotFound(error: unknown, name: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : "";
  return (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND" || message.startsWith("Cannot find") || message.startsWith("Failed to load url")) && message.includes(name);
}

function defaultExport(module: unknown): unknown {
  return memberOf(module, "default") ?? module;
}

function memberOf(value: unknown, name: string): unknown {
  if ((typeof value !== "object" && typeof value !== "function") || value === null) return undefined;
  return (value as Record<string, unknown>)[name];
}
