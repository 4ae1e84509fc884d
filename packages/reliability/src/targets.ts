/**
 * A target is one backend deployment a scenario works in: a fresh namespace (a temporary SQLite
 * file, a Postgres schema, a Redis key prefix, a memory store) that the scenario removes
 * afterwards. Its `TargetConfig` is plain JSON, so worker processes open the same deployment.
 *
 * Backend packages are imported when a target of theirs is opened, not before: a worker process
 * loads its own backend only, and a scenario on one backend does not depend on the others.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MemoryStore } from "@mooring/backend-memory";
import type { Backend, Clock } from "@mooring/core";
import type { Available, BackendKind } from "./servers.js";

export type TargetConfig =
  | { readonly kind: "memory"; readonly namespace: string }
  | { readonly kind: "sqlite"; readonly path: string; readonly namespace: string }
  | { readonly kind: "postgres"; readonly url: string; readonly schema: string }
  | { readonly kind: "redis"; readonly url: string; readonly prefix: string }
  | { readonly kind: "redis-cluster"; readonly nodes: readonly string[]; readonly prefix: string };

export interface OpenOptions {
  /** Default: no clock, so server backends use the server's clock (SPEC C3). */
  readonly clock?: Clock;
  /** Postgres pool size; default the backend's (10). */
  readonly poolSize?: number;
}

/** A deployment made for one scenario run. */
export interface Target {
  readonly kind: BackendKind;
  readonly config: TargetConfig;
  /** Where it lives, for messages: the file, schema or prefix and the server. */
  readonly description: string;
  /** A new client of the deployment (a backend object with its own connections). */
  open(options?: OpenOptions): Promise<Backend>;
  /** Removes the deployment's data: the file, the schema, the prefix's keys. */
  remove(): Promise<void>;
  /** The store of a memory deployment (its raw data, for the secrets scenario); null for the others. */
  readonly memoryStore: MemoryStore | null;
}

/** A fresh deployment on `available`, named after `label` (lowercase letters, digits) and a random suffix. */
export async function makeTarget(available: Available, label: string): Promise<Target> {
  const suffix = randomBytes(4).toString("hex");
  const address = available.address;
  switch (available.kind) {
    case "memory": {
      // Several backend objects on one store act as several clients of one deployment.
      const { createMemoryBackend, MemoryStore } = await import("@mooring/backend-memory");
      const store = new MemoryStore();
      const config: TargetConfig = { kind: "memory", namespace: `${label}-${suffix}` };
      return {
        kind: "memory",
        config,
        description: `memory store, namespace ${config.namespace}`,
        open: async (options = {}) => createMemoryBackend({ store, namespace: config.namespace, ...(options.clock ? { clock: options.clock } : {}) }),
        remove: async () => undefined,
        memoryStore: store,
      };
    }
    case "sqlite": {
      const dir = await mkdtemp(join(tmpdir(), `mooring-reliability-${label}-`));
      const config: TargetConfig = { kind: "sqlite", path: join(dir, "mooring.db"), namespace: `${label}_${suffix}` };
      return {
        kind: "sqlite",
        config,
        description: `SQLite file ${config.path}`,
        open: (options = {}) => openTarget(config, options),
        remove: () => rm(dir, { recursive: true, force: true }),
        memoryStore: null,
      };
    }
    case "postgres": {
      if (address?.kind !== "postgres") throw new Error("a postgres target needs a postgres server");
      const config: TargetConfig = { kind: "postgres", url: address.url, schema: `rel_${label}_${suffix}` };
      return {
        kind: "postgres",
        config,
        description: `Postgres schema ${config.schema} (${available.source})`,
        open: (options = {}) => openTarget(config, options),
        remove: () => removeNamespace("postgres", config.url, config.schema),
        memoryStore: null,
      };
    }
    case "redis":
    case "redis-cluster": {
      const prefix = `rel-${label}-${suffix}`;
      let config: TargetConfig;
      if (address?.kind === "redis") config = { kind: "redis", url: address.url, prefix };
      else if (address?.kind === "redis-cluster") config = { kind: "redis-cluster", nodes: address.nodes, prefix };
      else throw new Error(`a ${available.kind} target needs a ${available.kind} server`);
      return {
        kind: available.kind,
        config,
        description: `Redis prefix ${prefix} (${available.source})`,
        open: (options = {}) => openTarget(config, options),
        remove: () => removeNamespace("redis", redisServerUrl(config), prefix),
        memoryStore: null,
      };
    }
  }
}

/**
 * Opens a client of the deployment `config` names. Worker processes call this; for memory, whose
 * store lives in one process only, use `Target.open`.
 */
export async function openTarget(config: TargetConfig, options: OpenOptions = {}): Promise<Backend> {
  const clock = options.clock ? { clock: options.clock } : {};
  switch (config.kind) {
    case "memory":
      throw new Error("a memory deployment lives in one process: open it through its Target");
    case "sqlite": {
      const { createSqliteBackend } = await import("@mooring/backend-sqlite");
      return createSqliteBackend({ path: config.path, namespace: config.namespace, ...clock });
    }
    case "postgres": {
      const { createPostgresBackend } = await import("@mooring/backend-postgres");
      return createPostgresBackend({ connectionString: config.url, schema: config.schema, ...clock, ...(options.poolSize ? { poolSize: options.poolSize } : {}) });
    }
    case "redis": {
      const { createRedisBackend } = await import("@mooring/backend-redis");
      return createRedisBackend({ url: config.url, prefix: config.prefix, ...clock });
    }
    case "redis-cluster": {
      const { createRedisBackend } = await import("@mooring/backend-redis");
      return createRedisBackend({ cluster: { nodes: config.nodes }, prefix: config.prefix, ...clock });
    }
  }
}

/** Removes a schema or key prefix through its backend package's own remover (SCAN + UNLINK on Redis: never FLUSH a shared server). */
async function removeNamespace(backend: "postgres" | "redis", url: string, namespace: string): Promise<void> {
  const { openNamespaceRemover } = backend === "postgres" ? await import("@mooring/backend-postgres") : await import("@mooring/backend-redis");
  const remover = openNamespaceRemover(url);
  try {
    await remover.remove(namespace);
  } finally {
    await remover.close();
  }
}

/**
 * The URL `openFromUrl` takes for a Redis target's deployment (its server or cluster, and its
 * prefix), for the backend's operations.
 */
export function redisTargetUrl(config: Extract<TargetConfig, { kind: "redis" | "redis-cluster" }>): string {
  const server = redisServerUrl(config);
  return `${server}${server.includes("?") ? "&" : "?"}${new URLSearchParams({ prefix: config.prefix }).toString()}`;
}

function redisServerUrl(config: Extract<TargetConfig, { kind: "redis" | "redis-cluster" }>): string {
  return config.kind === "redis" ? config.url : `redis+cluster://${config.nodes.join(",")}`;
}
