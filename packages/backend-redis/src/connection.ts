/**
 * Connections: the command connection (standalone or Cluster), opened with bounded retries so that
 * an unreachable server is reported quickly as UNAVAILABLE with its cause, and duplicated for the
 * pub/sub subscriber.
 *
 * Commands are never re-sent after a reconnect (`autoResendUnfulfilledCommands: false`): a script
 * whose reply was lost may have run, and running it again could, say, enqueue twice. The caller
 * sees UNAVAILABLE instead and decides (every holder call is safe to retry: a repeated `complete`
 * succeeds, other repeats are fenced; an enqueue with an idempotency key is safe to repeat).
 *
 * ioredis drops the commands that were in flight when a connection closes without settling their
 * promises (when it does not re-send them), so `track` settles them itself: a command sent on a
 * standalone connection that then closes rejects at once. `commandTimeout` is the backstop for
 * every other path (Cluster node connections).
 *
 * Commands issued in one turn of the event loop are written together, a few at a time
 * (`coalesceWrites`): what ioredis' `enableAutoPipelining` aims at, without its wait for the
 * batch in flight (which measured slower here, at 1 and at 50 concurrent calls).
 */
import type { Duplex } from "node:stream";
import { Cluster, type ClusterOptions, Redis, type RedisOptions } from "ioredis";
import { credentialsOf, MooringError, secretForms } from "@mooring/core";

/** Where the backend connects. Exactly one of `url`, `client` and `cluster`. */
export interface RedisTarget {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…` (TLS). */
  readonly url?: string;
  /**
   * An ioredis client (standalone or Cluster) owned by the caller: the backend uses it and
   * duplicates it for pub/sub, and `close()` leaves it open.
   */
  readonly client?: Redis | Cluster;
  /** A Redis Cluster: seed nodes (`"host:port"` or `{ host, port }`) and ioredis Cluster options. */
  readonly cluster?: {
    readonly nodes: readonly (string | { readonly host: string; readonly port: number })[];
    readonly options?: ClusterOptions;
  };
  /** ioredis options merged over the backend's defaults for every connection it opens. */
  readonly redisOptions?: RedisOptions;
  /** How long one connection attempt may take; default 5000 ms. */
  readonly connectTimeoutMs?: number;
  /**
   * How long a command may wait for its reply before it fails (UNAVAILABLE; it may still have
   * run); default 30 000 ms. Large enough for the largest batch a call may carry.
   */
  readonly commandTimeoutMs?: number;
}

export type RedisClient = Redis | Cluster;

const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
/** Commands held back at most before their writes are flushed (Connection.coalesceWrites). */
const COALESCE_LIMIT = 16;
const DEFAULT_COMMAND_TIMEOUT_MS = 30_000;

/** Backoff between reconnection attempts: 200 ms doubling to 2 s; never gives up on its own. */
const reconnectDelay = (times: number): number => Math.min(100 * 2 ** Math.min(times, 5), 2000);

function redisDefaults(target: RedisTarget): RedisOptions {
  return {
    lazyConnect: true,
    connectTimeout: target.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    commandTimeout: target.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
    // A command waiting for a connection fails after two reconnection attempts (UNAVAILABLE)
    // instead of waiting forever.
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    autoResendUnfulfilledCommands: false,
    retryStrategy: reconnectDelay,
    // After a failover the old primary answers READONLY without running the command: reconnect
    // (to the new primary, behind a proxy or DNS name) and send it again.
    reconnectOnError: (error: Error) => (error.message.startsWith("READONLY") ? 2 : false),
    ...target.redisOptions,
  };
}

function clusterNodes(nodes: NonNullable<RedisTarget["cluster"]>["nodes"]): { host: string; port: number }[] {
  return nodes.map((node) => {
    if (typeof node !== "string") return { host: node.host, port: node.port };
    const colon = node.lastIndexOf(":");
    const host = colon > 0 ? node.slice(0, colon) : node;
    const port = colon > 0 ? Number(node.slice(colon + 1)) : 6379;
    if (!Number.isInteger(port) || port <= 0 || port > 65535) {
      throw new MooringError("VALIDATION", `cluster node ${JSON.stringify(node)} is not host:port`, {
        backend: "redis",
        operation: "createRedisBackend",
        details: { field: "cluster.nodes" },
      });
    }
    return { host: host.replace(/^\[(.*)\]$/, "$1"), port };
  });
}

/** The command connection and what the backend knows about it. */
export class Connection {
  readonly client: RedisClient;
  /** Whether the backend opened the client (and so closes it). */
  readonly owned: boolean;
  /** host:port or the cluster's seed nodes, for messages. */
  readonly address: string;
  /** The client's password as the driver holds it: masked in every error the backend throws. */
  readonly secrets: readonly string[];
  #lastError: Error | null = null;
  /** The sockets whose writes are held in this turn of the event loop, and how many commands. */
  #held: { readonly streams: readonly Duplex[]; count: number } | null = null;
  /** Commands not yet settled: `sent` once written to a socket, so lost if that socket closes. */
  readonly #pending = new Map<(error: Error) => void, { sent: boolean }>();
  readonly #onError = (error: Error): void => {
    this.#lastError = error;
  };
  readonly #onReady = (): void => {
    // ioredis writes its offline queue when the connection becomes ready.
    for (const entry of this.#pending.values()) entry.sent = true;
  };
  readonly #onClose = (): void => {
    const lost = new Error(`the connection to ${this.address} was lost while the command was in flight; it may or may not have run`);
    for (const [abort, entry] of [...this.#pending]) if (entry.sent) abort(lost);
  };

  private constructor(client: RedisClient, owned: boolean, address: string) {
    this.client = client;
    this.owned = owned;
    this.address = address;
    this.secrets = secretForms((client instanceof Cluster ? client.options.redisOptions : client.options)?.password);
    client.on("error", this.#onError);
    client.on("ready", this.#onReady);
    client.on("close", this.#onClose);
  }

  /**
   * `command`, settled even when ioredis drops it: a command in flight on a standalone connection
   * that closes rejects at once (see the module comment).
   */
  track<T>(command: Promise<T>): Promise<T> {
    if (this.client instanceof Cluster) return command;
    const entry = { sent: this.client.status === "ready" };
    return new Promise<T>((resolve, reject) => {
      const abort = (error: Error): void => {
        this.#pending.delete(abort);
        reject(error);
      };
      this.#pending.set(abort, entry);
      command.then(
        (value) => {
          this.#pending.delete(abort);
          resolve(value);
        },
        (error: unknown) => {
          this.#pending.delete(abort);
          reject(error);
        },
      );
    });
  }

  /**
   * Holds back what is written to the connection's sockets until the current turn of the event
   * loop ends, or until COALESCE_LIMIT commands are held, so that the commands of concurrent calls
   * leave in few writes (one system call per command otherwise, the largest cost of a loaded
   * client) and reach the server in few reads. The limit lets the server start on the first
   * commands while the rest are being written, instead of client and server taking turns on whole
   * batches. Order is kept: a socket writes what it was given, in order.
   */
  coalesceWrites(): void {
    const held = this.#held;
    if (held !== null) {
      held.count++;
      if (held.count % COALESCE_LIMIT === 0) {
        for (const stream of held.streams) {
          stream.uncork();
          stream.cork();
        }
      }
      return;
    }
    const streams = (this.client instanceof Cluster ? this.client.nodes() : [this.client]).flatMap((node) => (node.status === "ready" ? [node.stream] : []));
    if (streams.length === 0) return;
    this.#held = { streams, count: 1 };
    for (const stream of streams) stream.cork();
    process.nextTick(() => {
      this.#held = null;
      for (const stream of streams) stream.uncork();
    });
  }

  /** The latest error the connection reported (a refused connection, a reset, …), or null. */
  get lastError(): Error | null {
    return this.#lastError;
  }

  /**
   * Opens the connection described by `target`.
   * @throws VALIDATION for a target that is not exactly one of url, client, cluster;
   * UNAVAILABLE with the cause when the server cannot be reached.
   */
  static async open(target: RedisTarget): Promise<Connection> {
    const given = [target.url, target.client, target.cluster].filter((value) => value !== undefined).length;
    if (given !== 1) {
      throw new MooringError("VALIDATION", "createRedisBackend needs exactly one of url, client, cluster", {
        backend: "redis",
        operation: "createRedisBackend",
        details: { field: "url" },
      });
    }
    let connection: Connection;
    if (target.client) {
      connection = new Connection(target.client, false, describeClient(target.client));
    } else if (target.cluster) {
      const nodes = clusterNodes(target.cluster.nodes);
      const defaults = redisDefaults(target);
      const client = new Cluster(nodes, {
        lazyConnect: true,
        enableOfflineQueue: true,
        maxRedirections: 16,
        retryDelayOnFailover: 100,
        retryDelayOnClusterDown: 100,
        retryDelayOnTryAgain: 100,
        slotsRefreshTimeout: defaults.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT_MS,
        clusterRetryStrategy: reconnectDelay,
        ...target.cluster.options,
        redisOptions: { ...defaults, ...target.cluster.options?.redisOptions },
      });
      connection = new Connection(client, true, nodes.map((node) => `${node.host}:${node.port}`).join(","));
    } else {
      const url = target.url ?? "";
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch (error) {
        throw new MooringError("VALIDATION", "url is not a redis:// or rediss:// URL", {
          backend: "redis",
          operation: "createRedisBackend",
          cause: error,
          details: { field: "url" },
          secrets: credentialsOf(url),
        });
      }
      const client = new Redis(url, redisDefaults(target));
      connection = new Connection(client, true, `${parsed.hostname}:${parsed.port || "6379"}`);
    }
    await connection.#connect();
    return connection;
  }

  async #connect(): Promise<void> {
    try {
      if (this.client.status === "wait") await this.client.connect();
      await this.client.ping();
    } catch (error) {
      const cause = this.#lastError ?? error;
      if (this.owned) this.client.disconnect();
      const reason = describeFailure(cause);
      const advice = AUTH_REFUSED.test(reason) ? "it refused the credentials: check the user name and password" : "is the server running, and are the host and port right?";
      throw new MooringError("UNAVAILABLE", `redis at ${this.address} is unreachable: ${reason}: ${advice}`, {
        backend: "redis",
        operation: "createRedisBackend",
        cause,
        secrets: this.secrets,
      });
    }
  }

  /** A new connection to the same server(s), for pub/sub; the backend owns it. */
  duplicate(): RedisClient {
    const duplicate = this.client instanceof Cluster ? this.client.duplicate() : this.client.duplicate();
    duplicate.on("error", this.#onError);
    return duplicate;
  }

  /** Closes the connection when the backend opened it; a caller's client is left open. */
  async close(): Promise<void> {
    this.client.off("error", this.#onError);
    this.client.off("ready", this.#onReady);
    this.client.off("close", this.#onClose);
    if (!this.owned) return;
    await quit(this.client);
  }
}

/** QUIT, or a hard disconnect when the connection is already down. */
export async function quit(client: RedisClient): Promise<void> {
  if (client.status === "end") return;
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}

/** The message of a connection failure, with the last node's error for a cluster's "all failed". */
/** Replies of a server that refused AUTH (wrong password, unknown user, or AUTH it does not need). */
const AUTH_REFUSED = /\b(WRONGPASS|NOAUTH)\b|\bAUTH\b.*\bwithout any password configured\b/;

function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const lastNodeError: unknown = (error as { lastNodeError?: unknown }).lastNodeError;
  return lastNodeError instanceof Error ? `${error.message} (${lastNodeError.message})` : error.message;
}

function describeClient(client: RedisClient): string {
  if (client instanceof Cluster) {
    return client
      .nodes()
      .map((node) => `${node.options.host ?? "?"}:${node.options.port ?? "?"}`)
      .join(",");
  }
  return `${client.options.host ?? "?"}:${client.options.port ?? "?"}`;
}
