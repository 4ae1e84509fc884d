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
  defineCapabilities,
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
  resolveLimits,
} from "@mooring/core";
import { Connection } from "./connection.js";
import { RedisContext } from "./context.js";
import { RedisEngine } from "./engine.js";
import { mapRedisError } from "./errors.js";
import { inspectRedisServer, type RedisServerReport } from "./inspect.js";
import { DEFAULT_PREFIX, KeySpace, SCHEMA_VERSION, UPGRADABLE_SCHEMA_VERSION } from "./keys.js";
import { indexLayout2 } from "./layout.js";
import { NotificationHub } from "./notifications.js";
import { optionError, type RedisBackendOptions, redisOptionsFromUrl } from "./options.js";
import { ScriptRunner } from "./statements.js";
import { RedisStateStore } from "./state.js";
import { RedisTenantStore } from "./tenants.js";
import { RedisTokenStore } from "./tokens.js";
import { RedisWorkflowStore } from "./workflows.js";

/**
 * Every capability of versions 1 and 2 (docs/decisions.md, issue 16): `binary` (W13) stores a value
 * with bytes raw in its string, a tag byte first, read back through Buffer replies; concurrency
 * keys (E20) are the fair claim of lua/claim.lua.
 */
const CAPABILITIES = defineCapabilities(ALL_CAPABILITIES);

export { describeDurability, inspectRedisServer, type RedisNodeReport, type RedisServerReport } from "./inspect.js";
export type { RedisTarget } from "./connection.js";
export { type RedisBackendOptions, redisOptionsFromUrl } from "./options.js";
// The key design stays internal: tools outside reach a prefix's keys through these operations
// (core's BackendOperations, and `dumpNamespace` for audits of what is at rest).
export { doctor, dumpNamespace, inspectServer, NAMESPACE_URL_PARAMETERS, openNamespaceRemover, readSchemaState, type StoredKey } from "./operations.js";

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

class RedisDriver implements BackendDriver {
  readonly name = "redis";
  readonly capabilities = CAPABILITIES;
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
   * Records the key layout version (idempotent; concurrent runs agree: SET NX), upgrading layout 2
   * in place first (layout.ts: it indexes the tasks and queues written before layout 3; concurrent
   * upgrades agree too). The commands need no loading here: the function library is loaded on
   * first use by every node that lacks it.
   * @throws INVALID_STATE when the prefix holds another layout than this package writes: a newer
   * one (upgrade the package), or layout 1 of the pre-releases, which has no in-place upgrade
   * (drain it with the release that wrote it, or use a new prefix).
   */
  async migrate(): Promise<void> {
    const key = this.#context.keys.schema;
    await this.#connection.track(this.#connection.client.set(key, String(SCHEMA_VERSION), "NX"));
    let stored = Number(await this.#connection.track(this.#connection.client.get(key)));
    if (stored === UPGRADABLE_SCHEMA_VERSION) {
      await indexLayout2(this.#connection, this.#context.keys);
      await this.#connection.track(this.#connection.client.set(key, String(SCHEMA_VERSION)));
      stored = SCHEMA_VERSION;
    }
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
    this.#context.closed = true;
    for (const end of [...this.#context.waits]) end();
    await this.#context.hub.close();
    await this.#connection.close();
  }

  mapError(error: unknown, operation: string): MooringError {
    return mapRedisError(error, operation, this.#connection.lastError, this.#connection.secrets);
  }
}

/**
 * `openBackend`'s entry (core's BackendModule): the URLs of `redisOptionsFromUrl`. Options passed
 * in `options` win over the URL's, except where to connect.
 */
export const openFromUrl: BackendModule["openFromUrl"] = async (text: string, options: CommonBackendOptions): Promise<Backend> => {
  const { cluster, url: connectionUrl, ...rest } = redisOptionsFromUrl(text);
  return createRedisBackend(cluster ? { ...rest, ...options, cluster } : { ...rest, ...options, url: connectionUrl ?? "" });
};
