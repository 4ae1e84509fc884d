/**
 * `@mooring/backend-redis`: the Mooring contract on Redis or Valkey through ioredis, standalone or
 * Redis Cluster. Every state transition is one Lua command (lua/, one file per command), run as a
 * Redis function (scripts where functions are refused; src/statements.ts); every key a command touches
 * shares its tenant's hash tag, so the whole contract runs on a cluster and tenants spread across
 * its shards. See README.md for the key design and what each Redis
 * persistence setting gives.
 */
import {
  ALL_CAPABILITIES,
  type Backend,
  type BackendDriver,
  type BackendFacets,
  type BackendModule,
  type Clock,
  type CommonBackendOptions,
  defineBackend,
  migrateOnOpen,
  type Limits,
  MooringError,
  parseBackendUrl,
  resolveLimits,
} from "@mooring/core";
import { Connection, type RedisTarget } from "./connection.js";
import { RedisContext } from "./context.js";
import { RedisEngine } from "./engine.js";
import { mapRedisError } from "./errors.js";
import { inspectRedisServer, type RedisServerReport } from "./inspect.js";
import { DEFAULT_PREFIX, KeySpace, SCHEMA_VERSION } from "./keys.js";
import { NotificationHub } from "./notifications.js";
import { ScriptRunner } from "./statements.js";
import { RedisStateStore } from "./state.js";
import { RedisTenantStore } from "./tenants.js";
import { RedisTokenStore } from "./tokens.js";
import { RedisWorkflowStore } from "./workflows.js";

export { describeDurability, inspectRedisServer, type RedisNodeReport, type RedisServerReport } from "./inspect.js";
export type { RedisTarget } from "./connection.js";
// The key design stays internal: tools outside reach a prefix's keys through these operations
// (core's BackendOperations, and `dumpNamespace` for audits of what is at rest).
export { dumpNamespace, inspectServer, NAMESPACE_URL_PARAMETERS, openNamespaceRemover, readSchemaState, type StoredKey } from "./operations.js";

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

function optionError(field: string, problem: string): MooringError {
  return new MooringError("VALIDATION", `${field} ${problem}`, { backend: "redis", operation: "createRedisBackend", details: { field } });
}

function positiveOption(value: number | undefined, field: string): void {
  if (value !== undefined && (!Number.isSafeInteger(value) || value <= 0)) throw optionError(field, "must be a positive integer");
}

/**
 * Opens a backend on a Redis server or cluster. Connects (an unreachable server gives UNAVAILABLE
 * with the cause within `connectTimeoutMs`), reports an evicting `maxmemory-policy` through
 * `onWarning`, and runs `migrate()` unless `migrate: false`.
 * @throws VALIDATION for bad options; UNAVAILABLE when the server cannot be reached
 */
export async function createRedisBackend(options: RedisBackendOptions): Promise<Backend> {
  if (options.prefix !== undefined && options.namespace !== undefined && options.prefix !== options.namespace) {
    throw optionError("prefix", "and namespace are aliases: give one of them");
  }
  positiveOption(options.maxPayloadBytes, "maxPayloadBytes");
  positiveOption(options.dedupTtlMs, "dedupTtlMs");
  positiveOption(options.signalTtlMs, "signalTtlMs");
  const keys = new KeySpace(options.prefix ?? options.namespace ?? DEFAULT_PREFIX);
  const limits = resolveLimits({
    ...(options.maxPayloadBytes === undefined ? {} : { maxPayloadBytes: options.maxPayloadBytes }),
    ...(options.dedupTtlMs === undefined ? {} : { dedupTtlMs: options.dedupTtlMs }),
    ...(options.signalTtlMs === undefined ? {} : { signalTtlMs: options.signalTtlMs }),
  });
  const onWarning = options.onWarning ?? ((message: string) => console.warn(message));

  const connection = await Connection.open(options);
  let report: RedisServerReport | null = null;
  try {
    report = await inspectRedisServer(connection.client);
  } catch (error) {
    onWarning(`[mooring/redis] could not inspect ${connection.address}: ${error instanceof Error ? error.message : String(error)}`);
  }
  for (const warning of report?.warnings ?? []) onWarning(warning);

  const driver = new RedisDriver(connection, keys, limits, options.clock ?? null, onWarning);
  return migrateOnOpen(defineBackend(driver), options);
}

/**
 * Opens a connection, reports what the server's settings mean for Mooring's data (eviction,
 * durability; README "Durability"), and closes it.
 */
export async function doctor(target: RedisTarget): Promise<RedisServerReport> {
  const connection = await Connection.open(target);
  try {
    return await inspectRedisServer(connection.client);
  } finally {
    await connection.close();
  }
}

class RedisDriver implements BackendDriver {
  readonly name = "redis";
  readonly capabilities = ALL_CAPABILITIES;
  readonly limits: Limits;
  readonly #context: RedisContext;
  readonly #connection: Connection;

  constructor(connection: Connection, keys: KeySpace, limits: Limits, clock: Clock | null, onWarning: (message: string) => void) {
    this.limits = limits;
    this.#connection = connection;
    this.#context = new RedisContext({
      connection,
      scripts: new ScriptRunner(connection, onWarning),
      keys,
      limits,
      hub: new NotificationHub(() => connection.duplicate()),
      clock,
      onWarning,
    });
  }

  facets(tenantId: string): BackendFacets {
    const base = this.#context.keys.tenant(tenantId);
    return {
      workflows: new RedisWorkflowStore(this.#context, base),
      state: new RedisStateStore(this.#context, base),
      engine: new RedisEngine(this.#context, base, tenantId),
      tenants: new RedisTenantStore(this.#context),
      tokens: new RedisTokenStore(this.#context, tenantId),
    };
  }

  /**
   * Records the key layout version (idempotent; concurrent runs agree: SET NX). The commands need
   * no loading here: the function library is loaded on first use by every node that lacks it.
   * @throws INVALID_STATE when the prefix holds another layout than this package writes: a newer
   * one (upgrade the package), or layout 1 of the pre-releases, which has no in-place upgrade
   * (drain it with the release that wrote it, or use a new prefix).
   */
  async migrate(): Promise<void> {
    const key = this.#context.keys.schema;
    await this.#connection.track(this.#connection.client.set(key, String(SCHEMA_VERSION), "NX"));
    const stored = Number(await this.#connection.track(this.#connection.client.get(key)));
    if (stored > SCHEMA_VERSION) {
      throw new MooringError("INVALID_STATE", `prefix ${this.#context.keys.prefix} holds key layout ${stored}; this package writes ${SCHEMA_VERSION}: upgrade @mooring/backend-redis`);
    }
    if (stored < SCHEMA_VERSION) {
      throw new MooringError(
        "INVALID_STATE",
        `prefix ${this.#context.keys.prefix} holds key layout ${stored} of a pre-release, which this package (layout ${SCHEMA_VERSION}) cannot upgrade in place: drain it with the release that wrote it, or use a new prefix`,
      );
    }
  }

  async ping(): Promise<void> {
    await this.#connection.track(this.#connection.client.ping());
  }

  async close(): Promise<void> {
    for (const end of [...this.#context.waits]) end();
    await this.#context.hub.close();
    await this.#connection.close();
  }

  mapError(error: unknown, operation: string): MooringError {
    return mapRedisError(error, operation, this.#connection.lastError, this.#connection.secrets);
  }
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

/**
 * `openBackend`'s entry (core's BackendModule): the URLs of `redisOptionsFromUrl`. Options passed
 * in `options` win over the URL's, except where to connect.
 */
export const openFromUrl: BackendModule["openFromUrl"] = async (text: string, options: CommonBackendOptions): Promise<Backend> => {
  const { cluster, url: connectionUrl, ...rest } = redisOptionsFromUrl(text);
  return createRedisBackend(cluster ? { ...rest, ...options, cluster } : { ...rest, ...options, url: connectionUrl ?? "" });
};
