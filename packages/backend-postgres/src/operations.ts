/**
 * What operators ask of a Postgres deployment (core's `BackendOperations`): the server's version
 * and settings that matter for durable work, which migrations a schema has had (its ledger), and
 * removing schemas. Reads never create anything; the ledger's name is known here and in
 * migrations.ts only.
 */
import pg from "pg";
import type { DoctorFinding, DoctorProbes, NamespaceRemover, SchemaState } from "@mooring/core";
import { DEFAULT_SCHEMA, quoteIdentifier } from "./identifiers.js";
import { postgresOptionsFromUrl } from "./options.js";
import { LEDGER_TABLE } from "./migrations.js";

/** The query parameters that name the schema. */
export const NAMESPACE_URL_PARAMETERS: readonly string[] = ["schema"];

/** How long an operator's connection may take to open. */
const CONNECT_TIMEOUT_MS = 10_000;

/** A backend opens a pool of poolSize (default 10) connections plus one for LISTEN. */
const CONNECTIONS_PER_BACKEND = 11;

async function connect(url: string, applicationName: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: postgresOptionsFromUrl(url).connectionString, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, application_name: applicationName });
  // A server that ends the connection while it is idle would otherwise end the process.
  client.on("error", () => undefined);
  await client.connect();
  return client;
}

/** The schema `url` names (`?schema=`, else "mooring"). */
function schemaOf(url: string): string {
  const schema = postgresOptionsFromUrl(url).schema;
  return schema === undefined || schema === "" ? DEFAULT_SCHEMA : schema;
}

/** Reachability, version, connections, fsync, synchronous_commit, isolation, then the schema. */
export async function inspectServer(url: string, probes: DoctorProbes): Promise<DoctorFinding[]> {
  const reach = await probes.reachability();
  if (reach.verdict === "problem") return [reach];
  const findings: DoctorFinding[] = [reach];
  const client = await connect(url, "mooring-doctor");
  try {
    const { rows } = await client.query<Record<string, unknown>>(
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
    findings.push({
      subject: "max_connections",
      verdict: free < CONNECTIONS_PER_BACKEND ? "problem" : inUse / max >= 0.8 ? "warning" : "ok",
      value: `${max} (${inUse} in use, ${reserved} reserved)`,
      why:
        free < CONNECTIONS_PER_BACKEND
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
  findings.push(probes.schema(await readSchemaState(url)));
  return findings;
}

/** The schema's migration ledger, oldest first; empty when the schema or its ledger does not exist yet. */
export async function readSchemaState(url: string): Promise<SchemaState> {
  const schema = schemaOf(url);
  const location = `schema "${schema}"`;
  const client = await connect(url, "mooring-cli");
  try {
    const ledger = `${quoteIdentifier(schema)}.${quoteIdentifier(LEDGER_TABLE)}`;
    const { rows } = await client.query<{ present: boolean }>("SELECT to_regclass($1) IS NOT NULL AS present", [ledger]);
    if (rows[0]?.present !== true) return { location, applied: [] };
    const applied = await client.query<{ version: number; name: string }>(`SELECT version, name FROM ${ledger} ORDER BY version`);
    return { location, applied: applied.rows.map((row) => ({ version: Number(row.version), name: String(row.name) })) };
  } finally {
    await client.end();
  }
}

/**
 * Drops schemas (CASCADE) through one connection opened on first use. Drops run one at a time (a
 * pg client runs one query at a time), each after the one before it settled, whether it failed
 * or not; a schema still locked by a straggling connection fails after 10 s instead of waiting forever.
 */
export function openNamespaceRemover(url: string): NamespaceRemover {
  let connection: Promise<pg.Client> | null = null;
  const client = (): Promise<pg.Client> =>
    (connection ??= connect(url, "mooring-namespace-cleanup").then(async (opened) => {
      await opened.query("SET lock_timeout = '10s'");
      return opened;
    }));
  let previous: Promise<void> = Promise.resolve();
  const serially = (work: (client: pg.Client) => Promise<void>): Promise<void> => {
    const next = previous.catch(() => undefined).then(async () => work(await client()));
    previous = next;
    return next;
  };
  const drop = async (opened: pg.Client, schema: string): Promise<void> => {
    await opened.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`);
  };
  return {
    remove: (namespace) => serially((opened) => drop(opened, namespace)),
    removeEveryStartingWith: (start) =>
      serially(async (opened) => {
        const { rows } = await opened.query<{ name: string }>("SELECT nspname AS name FROM pg_namespace WHERE left(nspname, length($1)) = $1", [start]);
        for (const { name } of rows) await drop(opened, name);
      }),
    close: async () => {
      const opened = await connection?.catch(() => null);
      connection = null;
      await opened?.end();
    },
  };
}
