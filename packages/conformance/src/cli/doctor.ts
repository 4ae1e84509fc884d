/**
 * `mooring doctor --backend URL`: can the backend be reached, how fast does it answer, and are the
 * server's settings safe for durable work? Each finding has a verdict (ok / warning / problem)
 * and a one-line why. Reads only: it never creates a file, a schema or a key.
 *
 * Exit status: 0 without problems (warnings allowed), 1 with at least one problem (including an
 * unreachable backend or a missing package or driver), 2 for a usage error.
 */
import { accessSync, constants, statSync } from "node:fs";
import { dirname } from "node:path";
import { performance } from "node:perf_hooks";
import Table from "cli-table3";
import { type Backend, type CommonBackendOptions, openBackend, redact } from "@mooring/core";
import { exportOf, loadBackendPackage, loadPgDriver, loadSqliteDriver, type SqliteDatabase } from "./drivers.js";
import { type CliIo, type Colors, colorsFor, describeError, widthOf, writeLines } from "./io.js";
import { readSchemaState, type SchemaState } from "./schema-state.js";
import { type BackendKind, kindOfUrl } from "./targets.js";
import { postgresConnectionStringOf, queryOf, redisEndpointOf, sqlitePathOf } from "./urls.js";

export type Verdict = "ok" | "warning" | "problem";

export interface Finding {
  /** What was looked at: "reachable", "maxmemory-policy", "127.0.0.1:7001 version". */
  readonly subject: string;
  readonly verdict: Verdict;
  /** What was found: "allkeys-lru", "0.21 ms". */
  readonly value: string;
  /** Why the verdict, in one line. */
  readonly why: string;
}

/** Pings after the first (which may open the connection) timed for the latency figure. */
const PING_SAMPLES = 5;

/** Redis 7.0 added PEXPIRETIME, which backend-redis's scripts call. */
const MIN_REDIS_MAJOR = 7;

/** SQLite 3.35 added RETURNING, which backend-sqlite's claims use. */
const MIN_SQLITE: readonly [number, number] = [3, 35];

export async function doctorCommand(options: { readonly backend: string }, io: CliIo): Promise<number> {
  const env = io.env ?? process.env;
  const url = options.backend;
  const kind = kindOfUrl(url);
  const findings = await examine(kind, url);
  const colors = colorsFor(io.stdout, env);
  writeLines(io.stdout, `mooring doctor: ${redact(url)}`);
  io.stdout.write(renderFindings(findings, colors, widthOf(io.stdout)));
  const problems = findings.filter((finding) => finding.verdict === "problem").length;
  const warnings = findings.filter((finding) => finding.verdict === "warning").length;
  const summary = [problems === 1 ? "1 problem" : `${problems} problems`, warnings === 1 ? "1 warning" : `${warnings} warnings`].join(", ");
  writeLines(io.stdout, problems > 0 ? colors.bold(colors.red(summary)) : warnings > 0 ? colors.yellow(summary) : colors.green(summary));
  return problems > 0 ? 1 : 0;
}

/** Every finding about the backend `url` names. Never rejects: a failure is a finding. */
export async function examine(kind: BackendKind, url: string): Promise<Finding[]> {
  try {
    switch (kind) {
      case "memory":
        return [
          await pingThroughBackend(url, kind),
          { subject: "durability", verdict: "ok", value: "process memory", why: "the data lives as long as the process: nothing to configure, nothing survives a restart" },
        ];
      case "sqlite":
        return await examineSqlite(url);
      case "postgres":
        return await examinePostgres(url);
      case "redis":
      case "redis-cluster":
        return await examineRedis(url, kind);
    }
  } catch (error) {
    return [{ subject: "doctor", verdict: "problem", value: "could not finish", why: describeError(error) }];
  }
}

/** Opens the backend without migrating and pings it: reachability and latency as an application sees them. */
async function pingThroughBackend(url: string, kind: BackendKind): Promise<Finding> {
  let backend: Backend | undefined;
  const started = performance.now();
  try {
    // backend-redis reports settings through onWarning; the doctor reports them itself.
    const options: CommonBackendOptions & { readonly onWarning?: (message: string) => void } =
      kind === "redis" || kind === "redis-cluster" ? { migrate: false, onWarning: () => undefined } : { migrate: false };
    backend = await openBackend(url, options);
    await backend.ping();
    const first = performance.now() - started;
    const samples: number[] = [];
    for (let i = 0; i < PING_SAMPLES; i++) {
      const start = performance.now();
      await backend.ping();
      samples.push(performance.now() - start);
    }
    samples.sort((a, b) => a - b);
    const median = samples[Math.floor(samples.length / 2)] ?? 0;
    return { subject: "reachable", verdict: "ok", value: `ping ${milliseconds(median)}`, why: `median of ${PING_SAMPLES} pings; opening and the first ping took ${milliseconds(first)}` };
  } catch (error) {
    return { subject: "reachable", verdict: "problem", value: "no", why: describeError(error) };
  } finally {
    await backend?.close().catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------
// SQLite

async function examineSqlite(url: string): Promise<Finding[]> {
  const path = sqlitePathOf(url);
  if (path === ":memory:") {
    return [
      await pingThroughBackend(url, "sqlite"),
      { subject: "file", verdict: "ok", value: ":memory:", why: "a private in-memory database: nothing is kept after the connection closes" },
    ];
  }
  const findings: Finding[] = [];
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

  const Database = await loadSqliteDriver();
  const started = performance.now();
  let database: SqliteDatabase;
  try {
    database = new Database(path, { readonly: true, fileMustExist: true });
    database.prepare("SELECT 1").get();
  } catch (error) {
    findings.push({ subject: "reachable", verdict: "problem", value: "no", why: describeError(error) });
    return findings;
  }
  try {
    findings.push({ subject: "reachable", verdict: "ok", value: `opened in ${milliseconds(performance.now() - started)}`, why: "opened read-only and answered a query" });
    const { version } = database.prepare("SELECT sqlite_version() AS version").get() as { version: string };
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
  const given = queryOf(url).get("synchronous");
  findings.push(
    given === "full"
      ? { subject: "synchronous", verdict: "ok", value: "full (from the URL)", why: "every commit is synced to disk before it returns: a power loss loses nothing committed" }
      : {
          subject: "synchronous",
          verdict: "ok",
          value: given === null ? "normal (the backend's default)" : `${given} (from the URL)`,
          why: "a process crash loses nothing committed; a power loss or OS crash may lose the last commits (?synchronous=full closes that, at an fsync per commit)",
        },
  );
  findings.push(schemaFinding(await readSchemaState("sqlite", url)));
  return findings;
}

function writable(path: string, subject: string, why: string): Finding {
  try {
    accessSync(path, constants.W_OK);
    return { subject, verdict: "ok", value: path, why };
  } catch (error) {
    return { subject, verdict: "problem", value: path, why: `not writable (${describeError(error)}): ${why}` };
  }
}

// ---------------------------------------------------------------------------------------------
// Postgres

async function examinePostgres(url: string): Promise<Finding[]> {
  const reach = await pingThroughBackend(url, "postgres");
  if (reach.verdict === "problem") return [reach];
  const findings: Finding[] = [reach];
  const Client = await loadPgDriver();
  const client = new Client({ connectionString: postgresConnectionStringOf(url), connectionTimeoutMillis: 10_000, application_name: "mooring-doctor" });
  client.on("error", () => undefined);
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT current_setting('server_version') AS version,
              current_setting('server_version_num')::int AS version_num,
              current_setting('max_connections')::int AS max_connections,
              current_setting('superuser_reserved_connections')::int AS reserved,
              (SELECT count(*)::int FROM pg_stat_activity WHERE backend_type = 'client backend') AS in_use,
              current_setting('fsync') AS fsync,
              current_setting('synchronous_commit') AS synchronous_commit,
              current_setting('default_transaction_isolation') AS isolation`,
    );
    const row = rows[0] ?? {};
    const major = Math.floor(Number(row.version_num) / 10_000);
    findings.push({
      subject: "version",
      verdict: major < 10 ? "problem" : major < 13 ? "warning" : "ok",
      value: `PostgreSQL ${String(row.version)}`,
      why:
        major < 10
          ? "the schema uses identity columns, added in PostgreSQL 10: upgrade"
          : major < 13
            ? "past its end of life: upgrade to a supported major version (13 or later)"
            : "a supported major version",
    });
    const max = Number(row.max_connections);
    const reserved = Number(row.reserved);
    const inUse = Number(row.in_use);
    const free = max - reserved - inUse;
    // A backend opens a pool of poolSize (default 10) connections plus one for LISTEN.
    findings.push({
      subject: "max_connections",
      verdict: free < 11 ? "problem" : inUse / max >= 0.8 ? "warning" : "ok",
      value: `${max} (${inUse} in use, ${reserved} reserved)`,
      why:
        free < 11
          ? `only ${free} free: one backend opens up to poolSize (default 10) connections plus one for LISTEN; raise max_connections or lower ?poolSize=`
          : `${free} free; each backend opens up to poolSize (default 10) connections plus one for LISTEN`,
    });
    findings.push(
      row.fsync === "on"
        ? { subject: "fsync", verdict: "ok", value: "on", why: "commits reach the disk" }
        : { subject: "fsync", verdict: "problem", value: String(row.fsync), why: "a server or machine crash can corrupt the database: never turn fsync off for data you keep" },
    );
    findings.push(
      row.synchronous_commit === "off"
        ? { subject: "synchronous_commit", verdict: "warning", value: "off", why: "a server crash can lose the last acknowledged commits (no corruption): a completed task may run again" }
        : { subject: "synchronous_commit", verdict: "ok", value: String(row.synchronous_commit), why: "a commit is durable when it returns" },
    );
    findings.push(
      row.isolation === "read committed"
        ? { subject: "default_transaction_isolation", verdict: "ok", value: "read committed", why: "what the backend's statements are written for" }
        : {
            subject: "default_transaction_isolation",
            verdict: "warning",
            value: String(row.isolation),
            why: "the backend is written for read committed; stricter levels add serialization failures (retried) under contention",
          },
    );
  } finally {
    await client.end();
  }
  findings.push(schemaFinding(await readSchemaState("postgres", url)));
  return findings;
}

// ---------------------------------------------------------------------------------------------
// Redis

/** The subset of backend-redis's `RedisServerReport` the doctor reads. */
interface RedisNodeReport {
  readonly address: string;
  readonly version: string | null;
  readonly role: string | null;
  readonly maxmemoryPolicy: string | null;
  readonly maxmemory: number | null;
  readonly appendonly: boolean | null;
  readonly appendfsync: string | null;
  readonly save: string | null;
  readonly mayEvict: boolean;
  readonly durability: string;
}

async function examineRedis(url: string, kind: BackendKind): Promise<Finding[]> {
  const reach = await pingThroughBackend(url, kind);
  if (reach.verdict === "problem") return [reach];
  const packageName = "@mooring/backend-redis";
  const module = await loadBackendPackage(packageName);
  const doctor = exportOf(module, packageName, "doctor") as unknown as (target: object) => Promise<{ nodes: readonly RedisNodeReport[] }>;
  const endpoint = redisEndpointOf(url);
  const target =
    endpoint.kind === "standalone"
      ? { url: endpoint.url }
      : {
          cluster: {
            nodes: endpoint.nodes,
            options: {
              redisOptions: {
                ...(endpoint.username ? { username: endpoint.username } : {}),
                ...(endpoint.password ? { password: endpoint.password } : {}),
                ...(endpoint.tls ? { tls: {} } : {}),
              },
            },
          },
        };
  const report = await doctor(target);
  const findings: Finding[] = [reach];
  const several = report.nodes.length > 1 || kind === "redis-cluster";
  for (const node of report.nodes) findings.push(...redisNodeFindings(node, several ? `${node.address} ` : ""));
  findings.push(schemaFinding(await readSchemaState(kind, url)));
  return findings;
}

function redisNodeFindings(node: RedisNodeReport, prefix: string): Finding[] {
  const findings: Finding[] = [];
  const major = Number((node.version ?? "").split(".")[0]);
  findings.push(
    node.version === null
      ? { subject: `${prefix}version`, verdict: "warning", value: "unknown", why: "INFO did not report redis_version; the scripts need Redis 7.0 or later (or Valkey)" }
      : {
          subject: `${prefix}version`,
          verdict: major >= MIN_REDIS_MAJOR ? "ok" : "problem",
          value: node.version,
          why: major >= MIN_REDIS_MAJOR ? "7.0 or later: every script's commands exist (PEXPIRETIME)" : "the scripts call PEXPIRETIME, added in Redis 7.0: upgrade",
        },
  );
  if (node.role !== null && node.role !== "master") {
    findings.push({ subject: `${prefix}role`, verdict: "problem", value: node.role, why: "a replica refuses writes (READONLY): point the URL at the primary" });
  }
  const limit = node.maxmemory === null || node.maxmemory === 0 ? "no maxmemory limit" : `maxmemory ${node.maxmemory} bytes`;
  findings.push(
    node.maxmemoryPolicy === null
      ? { subject: `${prefix}maxmemory-policy`, verdict: "warning", value: "unknown", why: "CONFIG GET is not allowed here: make sure it is noeviction, or Redis may evict tasks, leases and events" }
      : node.mayEvict
        ? {
            subject: `${prefix}maxmemory-policy`,
            verdict: "problem",
            value: node.maxmemoryPolicy,
            why: `can evict keys (${limit}): evicted keys lose work (tasks, leases, event logs, tokens) without an error; set maxmemory-policy noeviction`,
          }
        : { subject: `${prefix}maxmemory-policy`, verdict: "ok", value: node.maxmemoryPolicy, why: `never evicts: when memory is full, writes fail with an error instead (${limit})` },
  );
  const persistence =
    node.appendonly === null ? "unknown" : node.appendonly ? `appendonly yes, appendfsync ${node.appendfsync ?? "?"}` : node.save ? `appendonly no, save "${node.save}"` : "appendonly no, save \"\"";
  const safe = node.appendonly === true && (node.appendfsync === "always" || node.appendfsync === "everysec");
  findings.push({ subject: `${prefix}persistence`, verdict: safe ? "ok" : "warning", value: persistence, why: node.durability });
  return findings;
}

// ---------------------------------------------------------------------------------------------

function schemaFinding(state: SchemaState | null): Finding {
  if (state === null) return { subject: "schema", verdict: "ok", value: "none", why: "this backend keeps no schema" };
  const latest = state.applied.at(-1);
  return latest === undefined
    ? { subject: "schema", verdict: "warning", value: "not migrated", why: `${state.location}: no migration applied yet; the backend migrates when it opens (or run mooring migrate)` }
    : { subject: "schema", verdict: "ok", value: `version ${latest.version}`, why: `${state.location}: last migration ${latest.name}` };
}

function renderFindings(findings: readonly Finding[], colors: Colors, width: number): string {
  const subjectWidth = Math.max(...findings.map((finding) => finding.subject.length)) + 2;
  const valueWidth = Math.min(32, Math.max("value".length, ...findings.map((finding) => finding.value.length)) + 2);
  const whyWidth = Math.max(30, width - subjectWidth - valueWidth - 11 - 5);
  const table = new Table({
    head: ["verdict", "setting", "value", "why"].map((text) => colors.bold(text)),
    colWidths: [11, subjectWidth, valueWidth, whyWidth],
    wordWrap: true,
    style: { head: [], border: [], "padding-left": 1, "padding-right": 1, compact: true },
  });
  for (const finding of findings) table.push([verdictText(finding.verdict, colors), finding.subject, finding.value, finding.why]);
  return `${table.toString()}\n`;
}

function verdictText(verdict: Verdict, colors: Colors): string {
  switch (verdict) {
    case "ok":
      return colors.green("ok");
    case "warning":
      return colors.yellow("warning");
    case "problem":
      return colors.bold(colors.red("PROBLEM"));
  }
}

function milliseconds(ms: number): string {
  return ms < 10 ? `${ms.toFixed(2)} ms` : `${Math.round(ms)} ms`;
}
