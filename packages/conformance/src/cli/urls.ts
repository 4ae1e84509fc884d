/**
 * What the command reads from a backend URL to reach the same database with a driver: the SQLite
 * file, the Postgres connection string, the Redis server or cluster nodes, and the namespace
 * (schema, key prefix, table prefix) the backend would use. The query parameters follow each
 * backend package's `openFromUrl`.
 */
import { UsageError } from "./io.js";
import type { BackendKind } from "./targets.js";

/** The namespace every backend uses when the URL names none. */
export const DEFAULT_NAMESPACE = "mooring";

/** The query parameters each backend reads as its namespace (the first one present wins). */
const NAMESPACE_PARAMETERS: Readonly<Record<BackendKind, readonly string[]>> = {
  memory: ["namespace"],
  sqlite: ["namespace"],
  postgres: ["schema"],
  redis: ["prefix", "namespace"],
  "redis-cluster": ["prefix", "namespace"],
};

/** Postgres parameters the backend consumes before connecting; the rest go to the server. */
const POSTGRES_BACKEND_PARAMETERS = ["schema", "poolSize", "connectionTimeoutMs", "statementTimeoutMs", "pollIntervalMs"];

/** Redis parameters the backend consumes; the connection URL never carries them. */
const REDIS_BACKEND_PARAMETERS = ["prefix", "namespace", "maxPayloadBytes", "dedupTtlMs", "signalTtlMs", "migrate", "connectTimeoutMs", "nodes", "tls"];

/** The URL's query parameters (a cluster URL is not a WHATWG URL, so this splits by hand). */
export function queryOf(url: string): URLSearchParams {
  const question = url.indexOf("?");
  if (question === -1) return new URLSearchParams();
  const hash = url.indexOf("#", question);
  return new URLSearchParams(url.slice(question + 1, hash === -1 ? undefined : hash));
}

/** `url` without the query parameters in `names`. */
export function withoutParameters(url: string, names: readonly string[]): string {
  const question = url.indexOf("?");
  if (question === -1) return url;
  const query = queryOf(url);
  for (const name of names) query.delete(name);
  const rest = query.toString();
  return rest === "" ? url.slice(0, question) : `${url.slice(0, question)}?${rest}`;
}

/** The parameters the kit replaces with its own namespaces: present ones are ignored by the kit. */
export function namespaceParameters(kind: BackendKind): readonly string[] {
  return NAMESPACE_PARAMETERS[kind];
}

/** The namespace the backend opened on `url` would use. */
export function namespaceOf(kind: BackendKind, url: string): string {
  const query = queryOf(url);
  for (const name of NAMESPACE_PARAMETERS[kind]) {
    const value = query.get(name);
    if (value !== null && value !== "") return value;
  }
  return DEFAULT_NAMESPACE;
}

/** The file of a `sqlite:` URL (relative paths resolve against the working directory), or ":memory:". */
export function sqlitePathOf(url: string): string {
  const parsed = new URL(url);
  const path = decodeURIComponent(parsed.pathname);
  if (parsed.host !== "" || path === "") throw new UsageError(`${url} names no SQLite file: write sqlite:./file.db, sqlite:/absolute/file.db or sqlite::memory:`);
  return path;
}

/** The connection string `pg` takes for a `postgres://` URL: the backend's own parameters removed. */
export function postgresConnectionStringOf(url: string): string {
  return withoutParameters(url, POSTGRES_BACKEND_PARAMETERS);
}

/** Where a `redis://`, `rediss://` or `redis+cluster://` URL points. */
export type RedisEndpoint =
  | { readonly kind: "standalone"; readonly url: string }
  | {
      readonly kind: "cluster";
      readonly nodes: readonly { readonly host: string; readonly port: number }[];
      readonly username?: string;
      readonly password?: string;
      readonly tls: boolean;
    };

/** @throws UsageError for a cluster URL whose nodes are not host:port */
export function redisEndpointOf(url: string): RedisEndpoint {
  if (!url.startsWith("redis+cluster:")) return { kind: "standalone", url: withoutParameters(url, REDIS_BACKEND_PARAMETERS) };
  const match = /^redis\+cluster:\/\/(?:([^@/?#]*)@)?([^/?#]+)/.exec(url);
  if (!match) throw new UsageError(`${url} is not a cluster URL: write redis+cluster://host:port,host:port`);
  const [, auth, hosts = ""] = match;
  const query = queryOf(url);
  const nodes = [...hosts.split(","), ...(query.get("nodes")?.split(",") ?? [])]
    .filter((node) => node !== "")
    .map((node) => {
      const colon = node.lastIndexOf(":");
      const port = colon > 0 ? Number(node.slice(colon + 1)) : 6379;
      if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new UsageError(`cluster node "${node}" is not host:port`);
      return { host: colon > 0 ? node.slice(0, colon) : node, port };
    });
  const [username, password] = auth === undefined ? [] : auth.split(":").map((part) => decodeURIComponent(part));
  const tls = query.get("tls");
  return {
    kind: "cluster",
    nodes,
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    tls: tls === "1" || tls === "true",
  };
}

