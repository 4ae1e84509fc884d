/**
 * The options of `createRedisBackend` and the ones a `redis://`, `rediss://` or `redis+cluster://`
 * URL carries, apart from the factory so that the CLI's operations (operations.ts) read URLs
 * without importing the backend.
 */
import { type CommonBackendOptions, MooringError, parseBackendUrl } from "@mooring/core";
import type { RedisTarget } from "./connection.js";

export interface RedisBackendOptions extends RedisTarget, CommonBackendOptions {
  /**
   * The namespace, so that independent deployments share one server; default "mooring".
   * `namespace` is an alias. Any namespace of core's rule (1 to 63 UTF-8 bytes of well-formed
   * text); one that holds characters other than `A-Za-z0-9_.-` appears in keys as `~` and its
   * base64url.
   */
  readonly prefix?: string;
  /** How long an idempotency key deduplicates (SPEC E2); default 24 h. */
  readonly dedupTtlMs?: number;
  /** How long an undelivered signal stays buffered (SPEC E15); default 24 h. */
  readonly signalTtlMs?: number;
  /**
   * Where loud warnings go: an evicting `maxmemory-policy` at start, settings that could not be
   * read, a subscribe listener that threw. Default `console.warn`.
   */
  readonly onWarning?: (message: string) => void;
}

/** VALIDATION for a bad option of `createRedisBackend` or a URL, naming the field. */
export function optionError(field: string, problem: string): MooringError {
  return new MooringError("VALIDATION", `${field} ${problem}`, { backend: "redis", operation: "createRedisBackend", details: { field } });
}

const URL_OPTIONS = ["prefix", "namespace", "maxPayloadBytes", "dedupTtlMs", "signalTtlMs", "migrate", "connectTimeoutMs", "nodes", "tls"] as const;

function integerParam(params: URLSearchParams, name: string): number | undefined {
  const value = params.get(name);
  if (value === null) return undefined;
  if (!/^\d+$/.test(value)) throw optionError(name, `in the URL must be a positive integer, got ${JSON.stringify(value)}`);
  return Number(value);
}

/** Backend options from a URL's query string: prefix, namespace, maxPayloadBytes, dedupTtlMs, signalTtlMs, migrate, connectTimeoutMs. */
function queryOptions(params: URLSearchParams): Partial<RedisBackendOptions> {
  for (const name of params.keys()) {
    if (!(URL_OPTIONS as readonly string[]).includes(name)) throw optionError(name, `is not a Redis URL option; known: ${URL_OPTIONS.join(", ")}`);
  }
  const options: Record<string, unknown> = {};
  for (const name of ["prefix", "namespace"] as const) {
    const value = params.get(name);
    if (value !== null) options[name] = value;
  }
  for (const name of ["maxPayloadBytes", "dedupTtlMs", "signalTtlMs", "connectTimeoutMs"] as const) {
    const value = integerParam(params, name);
    if (value !== undefined) options[name] = value;
  }
  const migrate = params.get("migrate");
  if (migrate !== null) options.migrate = !(migrate === "false" || migrate === "0");
  return options as Partial<RedisBackendOptions>;
}

// The host list may not hold "@": "redis+cluster://:secret@" has user info and no host, and must
// not be read as a host named ":secret@" (and sent to DNS).
const CLUSTER_URL = /^redis\+cluster:\/\/(?:([^@/?#]*)@)?([^@/?#]+)(?:\/[^?#]*)?(?:\?([^#]*))?$/;

/**
 * The factory options a `redis://`, `rediss://` (TLS) or `redis+cluster://[user:password@]host:port,host:port`
 * URL names (more seed nodes may also be given as `?nodes=host:port,host:port`, for URL parsers
 * that reject a host list): where to connect, and backend options from the query string
 * (`?prefix=app&dedupTtlMs=60000`).
 * @throws VALIDATION for another scheme, a malformed cluster URL or an unknown or malformed parameter
 */
export function redisOptionsFromUrl(text: string): RedisBackendOptions {
  if (text.startsWith("redis+cluster:")) {
    const match = CLUSTER_URL.exec(text);
    if (!match) throw optionError("url", "must look like redis+cluster://[user:password@]host:port,host:port");
    const [, auth, hosts = "", query = ""] = match;
    const params = new URLSearchParams(query);
    const nodes = [...hosts.split(","), ...(params.get("nodes")?.split(",") ?? [])].filter((node) => node !== "");
    const [username, password] = auth === undefined ? [] : auth.split(":").map((part) => decodeURIComponent(part));
    const tls = params.get("tls");
    return {
      ...queryOptions(params),
      cluster: {
        nodes,
        options: {
          redisOptions: {
            ...(username ? { username } : {}),
            ...(password ? { password } : {}),
            ...(tls === "1" || tls === "true" ? { tls: {} } : {}),
          },
        },
      },
    };
  }
  const parsed = parseBackendUrl(text);
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:") {
    throw optionError("url", `scheme ${parsed.protocol} is not redis:, rediss: or redis+cluster:`);
  }
  const fromQuery = queryOptions(parsed.searchParams);
  const connectionUrl = new URL(parsed.href);
  connectionUrl.search = "";
  return { ...fromQuery, url: connectionUrl.href };
}
