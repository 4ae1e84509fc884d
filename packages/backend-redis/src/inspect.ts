/**
 * What the server's settings mean for Mooring's data (README "Durability"): whether Redis may evict
 * keys (losing tasks, leases and events without a trace) and what a crash or restart can lose.
 * The factory reports an evicting policy loudly at start; `inspectRedisServer` gives the whole
 * picture, node by node, for a `doctor` command or a health page.
 */
import { Cluster, type Redis } from "ioredis";
import type { RedisClient } from "./connection.js";

export interface RedisNodeReport {
  /** host:port */
  readonly address: string;
  readonly version: string | null;
  /** "master" or "slave", from INFO replication. */
  readonly role: string | null;
  /** null when CONFIG GET is not allowed (managed services often rename or forbid it). */
  readonly maxmemoryPolicy: string | null;
  readonly maxmemory: number | null;
  readonly appendonly: boolean | null;
  readonly appendfsync: string | null;
  /** RDB snapshot rules ("" when none). */
  readonly save: string | null;
  /** True when the policy lets Redis delete keys under memory pressure. */
  readonly mayEvict: boolean;
  /** What a crash of this node can lose, in one sentence. */
  readonly durability: string;
}

export interface RedisServerReport {
  /** Every primary (for a cluster, every master). */
  readonly nodes: readonly RedisNodeReport[];
  /** Loud, actionable problems: an evicting policy, settings that could not be read. */
  readonly warnings: readonly string[];
}

/** What each persistence setting gives, stated plainly (the README's durability table). */
export function describeDurability(appendonly: boolean | null, appendfsync: string | null, save: string | null): string {
  if (appendonly === null) return "unknown: CONFIG GET is not allowed on this server";
  if (appendonly) {
    if (appendfsync === "always") return "AOF with appendfsync always: every acknowledged write is on disk before the reply; a crash loses nothing acknowledged";
    if (appendfsync === "everysec") return "AOF with appendfsync everysec: a crash of the server or machine can lose about the last second of acknowledged writes";
    return "AOF with appendfsync no: the OS decides when to flush; a machine crash can lose tens of seconds of acknowledged writes";
  }
  if (save !== null && save.trim() !== "") return `RDB snapshots only (save ${save}): a crash loses every write since the last snapshot`;
  return "no persistence: a restart or crash loses everything";
}

function parseInfo(info: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of info.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0 && !line.startsWith("#")) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

async function configGet(node: Redis, name: string): Promise<string | null> {
  const reply = (await node.config("GET", name)) as unknown;
  if (!Array.isArray(reply) || reply.length < 2) return null;
  const value: unknown = reply[1];
  return typeof value === "string" ? value : null;
}

async function inspectNode(node: Redis): Promise<{ report: RedisNodeReport; warnings: string[] }> {
  const address = `${node.options.host ?? "?"}:${node.options.port ?? "?"}`;
  const warnings: string[] = [];
  const info = parseInfo(`${await node.info("server")}\r\n${await node.info("replication")}`);
  let policy: string | null = null;
  let maxmemory: number | null = null;
  let appendonly: boolean | null = null;
  let appendfsync: string | null = null;
  let save: string | null = null;
  try {
    policy = await configGet(node, "maxmemory-policy");
    const memory = await configGet(node, "maxmemory");
    maxmemory = memory === null ? null : Number(memory);
    const aof = await configGet(node, "appendonly");
    appendonly = aof === null ? null : aof === "yes";
    appendfsync = await configGet(node, "appendfsync");
    save = await configGet(node, "save");
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    warnings.push(
      `[mooring/redis] could not read the settings of ${address} (${reason}): make sure maxmemory-policy is noeviction, or Redis may evict tasks, leases and events`,
    );
  }
  const mayEvict = policy !== null && policy !== "noeviction";
  if (mayEvict) {
    warnings.push(
      `[mooring/redis] WARNING: ${address} has maxmemory-policy ${policy}: when memory runs out Redis will evict keys, silently losing tasks, leases, event logs and tokens. Set maxmemory-policy noeviction (writes then fail with an error instead).`,
    );
  }
  return {
    report: {
      address,
      version: info.get("redis_version") ?? info.get("valkey_version") ?? null,
      role: info.get("role") ?? null,
      maxmemoryPolicy: policy,
      maxmemory,
      appendonly,
      appendfsync,
      save,
      mayEvict,
      durability: describeDurability(appendonly, appendfsync, save),
    },
    warnings,
  };
}

/** Inspects every primary the client reaches (each master of a cluster). Reads only. */
export async function inspectRedisServer(client: RedisClient): Promise<RedisServerReport> {
  const nodes = client instanceof Cluster ? client.nodes("master") : [client];
  const results = await Promise.all(nodes.map((node) => inspectNode(node)));
  return {
    nodes: results.map((result) => result.report),
    warnings: results.flatMap((result) => result.warnings),
  };
}
