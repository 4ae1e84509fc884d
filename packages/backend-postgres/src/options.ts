/**
 * The options of `createPostgresBackend` and the ones a `postgres://` URL carries, apart from the
 * factory so that the CLI's operations (operations.ts) read URLs without importing the backend.
 */
import type pg from "pg";
import { type Clock, type CommonBackendOptions, MooringError, parseBackendUrl, redact } from "@mooring/core";

export interface PostgresBackendOptions extends CommonBackendOptions {
  /**
   * Where to connect: `postgres://user:password@host:port/database`. Exactly one of
   * `connectionString` and `pool` is given.
   */
  readonly connectionString?: string;
  /**
   * A pool the application owns and configures (size, timeouts, TLS); the backend uses it and
   * never ends it. `poolSize`, `connectionTimeoutMs` and `statementTimeoutMs` do not apply to it.
   * The backend adds a listener for the pool's `error` events, since a connection the server ends
   * while idle would otherwise end the process.
   */
  readonly pool?: pg.Pool;
  /** The schema every object lives in, created by `migrate()`; default "mooring". At most 63 bytes. */
  readonly schema?: string;
  /** Same as `schema` (the name every Mooring factory takes); give one of the two. */
  readonly namespace?: string;
  /**
   * The time source of every decision (SPEC C3). Absent or `undefined`: the server's `clock_timestamp()`,
   * so that clients with skewed clocks agree.
   */
  readonly clock?: Clock | undefined;
  /** Run `migrate()` while opening; default true. */
  readonly migrate?: boolean;
  /** Connections of the pool the backend creates; default 10. The LISTEN connection is extra. */
  readonly poolSize?: number;
  /**
   * How long a call waits for a pool connection (or for a new connection to open) before it fails
   * with TIMEOUT, instead of hanging; default 10 000 ms.
   */
  readonly connectionTimeoutMs?: number;
  /** Server-side limit of one statement (`statement_timeout`); a statement past it fails with TIMEOUT. Default none. */
  readonly statementTimeoutMs?: number;
  /** How often `waitForWork` checks for work when no notification came (its floor); default 1 000 ms. */
  readonly pollIntervalMs?: number;
  /** How long an enqueue or signal idempotency key deduplicates (SPEC E2, E15); default 24 h. */
  readonly dedupTtlMs?: number;
  /** How long an undelivered signal stays buffered (SPEC E15); default 24 h. */
  readonly signalTtlMs?: number;
  /** `application_name` of the connections, as `pg_stat_activity` shows it; default "mooring". */
  readonly applicationName?: string;
}

/** The query parameters `openFromUrl` reads (and removes before connecting). */
const URL_OPTIONS = ["schema", "poolSize", "connectionTimeoutMs", "statementTimeoutMs", "pollIntervalMs"] as const;

/**
 * The factory options a `postgres://` or `postgresql://` URL names: the connection string without
 * the backend's own parameters, and `schema`, `poolSize`, `connectionTimeoutMs`,
 * `statementTimeoutMs` and `pollIntervalMs` from the query.
 * @throws VALIDATION for another scheme or a parameter that is not a positive integer
 */
export function postgresOptionsFromUrl(text: string): PostgresBackendOptions & { readonly connectionString: string } {
  const url = parseBackendUrl(text);
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
    throw new MooringError("VALIDATION", `@mooring/backend-postgres opens postgres:// and postgresql:// URLs, not ${redact(url.toString())}`, {
      backend: "postgres",
      operation: "openBackend",
    });
  }
  const connection = new URL(url.toString());
  const numbers: Partial<Record<Exclude<(typeof URL_OPTIONS)[number], "schema">, number>> = {};
  let schema: string | undefined;
  for (const name of URL_OPTIONS) {
    const value = connection.searchParams.get(name);
    connection.searchParams.delete(name);
    if (value === null) continue;
    if (name === "schema") {
      schema = value;
      continue;
    }
    const number = Number(value);
    if (!Number.isSafeInteger(number) || number <= 0) {
      throw new MooringError("VALIDATION", `?${name}= must be a positive integer in ${redact(url.toString())}`, { backend: "postgres", operation: "openBackend" });
    }
    numbers[name as Exclude<typeof name, "schema">] = number;
  }
  return { ...numbers, connectionString: connection.toString(), ...(schema === undefined ? {} : { schema }) };
}
