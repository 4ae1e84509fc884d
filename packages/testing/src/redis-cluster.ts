/**
 * Redis Cluster for tests and the `mooring conformance` command (SPEC section 9): the cluster of
 * `MOORING_REDIS_CLUSTER_URL`, else three ephemeral `--cluster-enabled yes` masters joined with
 * `redis-cli --cluster create … --cluster-replicas 0`, ready when every node reports
 * `cluster_state:ok`. A cluster in containers announces container-internal addresses the host
 * cannot reach, so there is no testcontainers step.
 */
import { rmSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { MooringError } from "@mooring/core";
import { EphemeralRedis, type EphemeralOptions, missingCommands, POLL_MS, REDIS_BINARIES, run } from "./ephemeral-redis.js";
import { skipLoudly } from "./require.js";

const CLUSTER_OK_TIMEOUT_MS = 20_000;
const CLUSTER_MASTERS = 3;
const CLUSTER_NODE_ARGS = ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "5000"];

/**
 * A Redis Cluster of three masters this process started: `--cluster-enabled yes` servers joined
 * with `redis-cli --cluster create … --cluster-replicas 0`, each in its own directory inside one
 * temporary directory. It is ready when every node reports `cluster_state:ok`.
 */
export class EphemeralRedisCluster {
  /** The temporary directory holding the nodes' directories. */
  readonly dir: string;
  readonly nodes: readonly EphemeralRedis[];
  /** Removes the directory when the process exits before `stop()` (each node's own hook ends the node). */
  readonly #onProcessExit = (): void => {
    rmSync(this.dir, { recursive: true, force: true });
  };

  private constructor(dir: string, nodes: readonly EphemeralRedis[]) {
    this.dir = dir;
    this.nodes = nodes;
  }

  /** The nodes as "host:port". */
  get addresses(): string[] {
    return this.nodes.map((node) => node.address);
  }

  /** `redis+cluster://host:port,host:port,host:port`, the URL `openBackend` opens. */
  get url(): string {
    return `redis+cluster://${this.addresses.join(",")}`;
  }

  /**
   * Starts the nodes, joins them and waits until every node reports `cluster_state:ok`.
   * Whatever fails, what was started is stopped and the directory removed before it rejects.
   * @throws MooringError UNAVAILABLE when a node does not start, the join fails, or the cluster is not ok within 20 s
   */
  static async start(options: EphemeralOptions = {}): Promise<EphemeralRedisCluster> {
    const env = options.env ?? process.env;
    const dir = await mkdtemp(join(options.parent ?? tmpdir(), "mooring-redis-cluster-"));
    const nodes: EphemeralRedis[] = [];
    const cluster = new EphemeralRedisCluster(dir, nodes);
    process.once("exit", cluster.#onProcessExit);
    try {
      for (let i = 0; i < CLUSTER_MASTERS; i++) nodes.push(await EphemeralRedis.start(CLUSTER_NODE_ARGS, { env, parent: dir }));
      await joinCluster(cluster.addresses, env);
      await Promise.all(nodes.map((node) => waitForClusterOk(node)));
      return cluster;
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  }

  /** Stops every node and removes the directory. */
  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.stop()));
    process.off("exit", this.#onProcessExit);
    await rm(this.dir, { recursive: true, force: true });
  }
}

async function joinCluster(addresses: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  try {
    await run("redis-cli", ["--cluster", "create", ...addresses, "--cluster-replicas", "0", "--cluster-yes"], { env, timeout: CLUSTER_OK_TIMEOUT_MS });
  } catch (error) {
    throw new MooringError("UNAVAILABLE", `redis-cli --cluster create ${addresses.join(" ")} failed`, { backend: "redis-cluster", cause: error });
  }
}

/** @throws MooringError UNAVAILABLE when `node` does not report `cluster_state:ok` within 20 s */
async function waitForClusterOk(node: EphemeralRedis): Promise<void> {
  const deadline = Date.now() + CLUSTER_OK_TIMEOUT_MS;
  while (!(await node.command("CLUSTER", "INFO")).includes("cluster_state:ok")) {
    if (Date.now() > deadline) {
      throw new MooringError("UNAVAILABLE", `cluster node ${node.address} is not ok after ${CLUSTER_OK_TIMEOUT_MS / 1000} s`, { backend: "redis-cluster" });
    }
    await sleep(POLL_MS);
  }
}


/** A Redis Cluster for a test file. */
export interface ClusterTarget {
  /** Seed nodes, "host:port". */
  readonly nodes: readonly string[];
  /** `redis+cluster://host:port,…`, the URL `openBackend` opens. */
  readonly url: string;
  readonly source: string;
  stop(): Promise<void>;
}

/** The seed nodes of a `redis+cluster://[user:password@]host:port,host:port` URL, or null when it is not one. */
export function clusterNodesOf(url: string): string[] | null {
  const hosts = /^redis\+cluster:\/\/(?:[^@/]*@)?([^/?#]+)/.exec(url)?.[1];
  return hosts ? hosts.split(",") : null;
}

/** Why no cluster can be had, or null when one can: decided without starting one. */
export async function clusterUnavailable(): Promise<string | null> {
  const explicit = process.env.MOORING_REDIS_CLUSTER_URL;
  if (explicit) return clusterNodesOf(explicit) ? null : `MOORING_REDIS_CLUSTER_URL is not redis+cluster://host:port,…: ${explicit}`;
  const missing = await missingCommands(REDIS_BINARIES);
  return missing.length === 0 ? null : `no MOORING_REDIS_CLUSTER_URL and no ${missing.join(" / ")} to start one`;
}

/**
 * Whether a test file can have a cluster, decided while it is collected (it starts the cluster in
 * `beforeAll`); a skip is reported loudly, and is a failure under `MOORING_REQUIRE`.
 */
export async function clusterAvailability(): Promise<{ readonly available: true } | { readonly skip: string }> {
  const reason = await clusterUnavailable();
  return reason === null ? { available: true } : { skip: skipLoudly("redis-cluster", "redis-cluster tests", reason) };
}

/**
 * The cluster of `MOORING_REDIS_CLUSTER_URL`, else an `EphemeralRedisCluster` (stopped by `stop`).
 * @throws Error for a variable that is not a cluster URL; MooringError UNAVAILABLE when the ephemeral cluster does not start
 */
export async function clusterServer(): Promise<ClusterTarget> {
  const explicit = process.env.MOORING_REDIS_CLUSTER_URL;
  if (explicit) {
    const nodes = clusterNodesOf(explicit);
    if (!nodes) throw new Error(`MOORING_REDIS_CLUSTER_URL is not redis+cluster://host:port,…: ${explicit}`);
    return { nodes, url: explicit, source: "MOORING_REDIS_CLUSTER_URL", stop: async () => undefined };
  }
  const cluster = await EphemeralRedisCluster.start();
  return { nodes: cluster.addresses, url: cluster.url, source: "ephemeral", stop: () => cluster.stop() };
}
