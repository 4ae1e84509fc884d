/**
 * What the server targets share: where the servers are, a check that they answer, names that are
 * unique per session, the removal of exactly what a session created (its schema, its keys), and
 * the server-side counters the drains read.
 *
 * The servers are shared with other users (tests of other packages run against them at the same
 * time), so nothing here touches anything it did not create: no FLUSHALL/FLUSHDB/CONFIG SET on
 * Redis, no DROP of a schema whose name was not generated here.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { DEFAULT_POSTGRES, DEFAULT_REDIS, URL_VARIABLES } from "@mooring/testing/defaults";
import { dropSchema } from "@mooring/testing/postgres";
import type { Redis, RedisOptions } from "ioredis";
import type pg from "pg";
import type { ServerCounters } from "./target.js";

/**
 * The Postgres server of the run: `MOORING_POSTGRES_URL` (SPEC section 9), else the local one.
 * Never an ephemeral or container server: a benchmark measures the server it is pointed at.
 */
export function postgresUrl(): string {
  return process.env[URL_VARIABLES.postgres] || DEFAULT_POSTGRES.url;
}

/** The Redis server of the run: `MOORING_REDIS_URL` (SPEC section 9), else the local one. */
export function redisUrl(): string {
  return process.env[URL_VARIABLES.redis] || DEFAULT_REDIS.url;
}

/** A URL without its password, for the report. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparsable URL)";
  }
}

/** 8 random hex characters: a session's schema, prefix or application name suffix. */
export function randomTag(): string {
  return randomBytes(4).toString("hex");
}

/** Schemas this harness creates look like this, and it drops no other. */
const OWN_SCHEMA = /^bench_[a-z_]*[0-9a-f]{8}$/;

/** A fresh schema name, e.g. `bench_mooring_1a2b3c4d`. */
export function benchSchemaName(kind: string): string {
  const name = `bench_${kind}_${randomTag()}`;
  if (!OWN_SCHEMA.test(name)) throw new Error(`bench schema name ${name} does not match ${OWN_SCHEMA}`);
  return name;
}

/** The installed version of a dependency of this package, for the report. */
export function packageVersion(name: string): string {
  try {
    const version: unknown = (createRequire(import.meta.url)(`${name}/package.json`) as { version?: unknown }).version;
    return typeof version === "string" ? version : "unknown";
  } catch {
    return "unknown";
  }
}

function describe(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return error.errors.map(describe).join("; ");
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/**
 * Runs every clean-up step even when an earlier one fails (a failed `close` of a client must not
 * leave a schema or keys behind), then rethrows the first failure.
 */
export async function releaseAll(steps: readonly (() => Promise<unknown>)[]): Promise<void> {
  let failure: { readonly error: unknown } | null = null;
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      failure ??= { error };
    }
  }
  if (failure !== null) throw failure.error;
}

/** Opens a pg client on `url`; the caller ends it. */
export async function connectPostgres(url: string, applicationName = "mooring-bench-admin"): Promise<pg.Client> {
  const { default: pgModule } = await import("pg");
  const client = new pgModule.Client({ connectionString: url, connectionTimeoutMillis: 5_000, application_name: applicationName });
  // A server that ends the connection while it is idle would otherwise crash the process.
  client.on("error", () => {});
  await client.connect();
  return client;
}

/** Null when the Postgres server at `url` answers a query, else why not. */
export async function postgresUnavailable(url: string): Promise<string | null> {
  let client: pg.Client | null = null;
  try {
    client = await connectPostgres(url);
    await client.query("SELECT 1");
    return null;
  } catch (error) {
    return `${redactUrl(url)}: ${describe(error)}`;
  } finally {
    await client?.end().catch(() => {});
  }
}

/** Drops a schema this harness created (and only such a schema), with everything in it. */
export async function dropBenchSchema(url: string, schema: string): Promise<void> {
  if (!OWN_SCHEMA.test(schema)) throw new Error(`refusing to drop schema ${schema}: not a bench schema`);
  await dropSchema(url, schema);
}

/** ioredis options for `url` (host, port, credentials, database, TLS). */
export function redisOptionsFromUrl(url: string): RedisOptions {
  const parsed = new URL(url);
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") throw new Error(`not a redis:// URL: ${redactUrl(url)}`);
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0;
  return {
    host: parsed.hostname || "127.0.0.1",
    port: parsed.port === "" ? 6379 : Number(parsed.port),
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(Number.isInteger(db) && db > 0 ? { db } : {}),
    ...(parsed.protocol === "rediss:" ? { tls: {} } : {}),
  };
}

/** Opens an ioredis client on `url` that fails fast instead of reconnecting forever; the caller quits it. */
export async function connectRedis(url: string): Promise<Redis> {
  const { Redis: RedisClient } = await import("ioredis");
  const client = new RedisClient({
    ...redisOptionsFromUrl(url),
    lazyConnect: true,
    connectTimeout: 5_000,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  // ioredis rejects a failed connect with "Connection is closed."; the cause is in its error event.
  let cause: unknown = null;
  client.on("error", (error) => {
    cause = error;
  });
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw cause ?? error;
  }
  return client;
}

/** Null when the Redis server at `url` answers PING, else why not. */
export async function redisUnavailable(url: string): Promise<string | null> {
  let client: Redis | null = null;
  try {
    client = await connectRedis(url);
    await client.ping();
    return null;
  } catch (error) {
    return `${redactUrl(url)}: ${describe(error)}`;
  } finally {
    client?.disconnect();
  }
}

/**
 * Removes every key matching `pattern` with SCAN and UNLINK, batch by batch: the whole of a
 * session's prefix, and nothing else (never FLUSHALL/FLUSHDB on a shared server).
 * @returns the number of keys removed
 */
export async function unlinkMatching(client: Redis, pattern: string): Promise<number> {
  let cursor = "0";
  let removed = 0;
  do {
    const [next, keys] = await client.scan(cursor, "MATCH", pattern, "COUNT", 10_000);
    cursor = next;
    if (keys.length > 0) removed += await client.unlink(...keys);
  } while (cursor !== "0");
  return removed;
}

/** The Redis server's CPU (whole process) and commands processed (scripts' inner commands included). */
export async function redisCounters(client: Redis): Promise<ServerCounters> {
  const info = parseInfo(await client.info("all"));
  const user = Number(info.get("used_cpu_user"));
  const system = Number(info.get("used_cpu_sys"));
  const commands = Number(info.get("total_commands_processed"));
  return {
    cpuMs: Number.isFinite(user) && Number.isFinite(system) ? (user + system) * 1000 : null,
    cpuScope: "redis-server (whole server)",
    operations: Number.isFinite(commands) ? commands : null,
    operationsUnit: "commands",
  };
}

function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0 && !line.startsWith("#")) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

function isLocalPostgres(url: string): boolean {
  try {
    const { hostname, searchParams } = new URL(url);
    const host = searchParams.get("host") ?? hostname;
    return host === "" || host.startsWith("/") || host === "localhost" || host === "127.0.0.1" || host === "[::1]" || host === "::1";
  } catch {
    return false;
  }
}

/** Clock ticks per second of /proc times (`getconf CLK_TCK`; 100 on every common Linux). */
function clockTicks(): number {
  try {
    const ticks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
    return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}

/**
 * Counters of the Postgres backends serving one application name: their CPU from /proc (when the
 * server runs on this machine and /proc is readable) and the server's WAL position. CPU is summed
 * per process, so `postgresCounters` returns per-pid values and `postgresShare` subtracts them.
 */
export class PostgresCounterReader {
  readonly #client: pg.Client;
  readonly #applicationName: string;
  readonly #local: boolean;
  readonly #ticks = clockTicks();
  #baseline = new Map<number, number>();
  #baselineCpuMs = 0;

  /** `url` tells whether the server's processes are this machine's (loopback or a socket). */
  constructor(client: pg.Client, applicationName: string, url: string) {
    this.#client = client;
    this.#applicationName = applicationName;
    this.#local = isLocalPostgres(url);
  }

  /**
   * CPU of the backends serving the application name, accumulated so that a backend that appears
   * between two reads counts from its start (all of its CPU is this application's), plus the WAL
   * bytes the whole server wrote (other clients' included).
   */
  async read(): Promise<ServerCounters> {
    const { rows } = await this.#client.query<{ pid: number; wal: string }>(
      "SELECT a.pid, pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::text AS wal FROM pg_stat_activity a WHERE a.application_name = $1 " +
        "UNION ALL SELECT NULL, pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::text",
      [this.#applicationName],
    );
    let cpuMs: number | null = this.#baselineCpuMs;
    const seen = new Map<number, number>();
    for (const row of rows) {
      if (row.pid === null) continue;
      const ms = await this.#processCpuMs(row.pid);
      if (ms === null) {
        cpuMs = null;
        break;
      }
      seen.set(row.pid, ms);
      cpuMs += ms - (this.#baseline.get(row.pid) ?? 0);
    }
    if (cpuMs !== null) {
      this.#baseline = seen;
      this.#baselineCpuMs = cpuMs;
    }
    const wal = Number(rows.at(-1)?.wal);
    return {
      cpuMs,
      cpuScope: "the Postgres server processes serving the session's connections (from /proc)",
      operations: Number.isFinite(wal) ? wal : null,
      operationsUnit: "WAL bytes",
    };
  }

  async #processCpuMs(pid: number): Promise<number | null> {
    if (!this.#local) return null;
    try {
      // A pid of this machine that is not a Postgres process would be someone else's CPU.
      if ((await readFile(`/proc/${pid}/comm`, "utf8")).trim() !== "postgres") return null;
      const stat = await readFile(`/proc/${pid}/stat`, "utf8");
      // Fields after the command name (which may hold spaces) in parentheses; utime and stime are
      // fields 14 and 15 of the line, i.e. 12th and 13th after the name.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const ticks = Number(fields[11]) + Number(fields[12]);
      return Number.isFinite(ticks) ? (ticks * 1000) / this.#ticks : null;
    } catch {
      // Not on this machine, or not readable: the CPU share is unknown, not zero.
      return null;
    }
  }
}
