/**
 * What operators ask of a Redis deployment (core's `BackendOperations`): each primary's version
 * and the settings that decide whether data survives (eviction, persistence), the key-layout
 * version a prefix has (its `{<prefix>}:schema` marker), removing a prefix's keys with SCAN +
 * UNLINK on every primary (never FLUSH: the server may be shared), and, beyond core's surface,
 * reading every key of a prefix as stored (`dumpNamespace`), for audits of what is at rest.
 */
import type { DoctorFinding, DoctorProbes, NamespaceRemover, SchemaState } from "@mooring/core";
import { Cluster, type Redis } from "ioredis";
import { Connection, type RedisTarget } from "./connection.js";
import { inspectRedisServer, type RedisNodeReport, type RedisServerReport } from "./inspect.js";
import { DEFAULT_PREFIX, KeySpace } from "./keys.js";
import { redisOptionsFromUrl } from "./options.js";

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

/** The query parameters that name the key prefix. */
export const NAMESPACE_URL_PARAMETERS: readonly string[] = ["prefix", "namespace"];

/** Redis 7.0 added PEXPIRETIME, which the scripts call. */
const MIN_REDIS_MAJOR = 7;

/** Reachability, then each primary's version, role, eviction policy and persistence, then the prefix's layout. */
export async function inspectServer(url: string, probes: DoctorProbes): Promise<DoctorFinding[]> {
  const reach = await probes.reachability();
  if (reach.verdict === "problem") return [reach];
  const report = await doctor(targetOf(url));
  const findings: DoctorFinding[] = [reach];
  const several = report.nodes.length > 1 || url.startsWith("redis+cluster:");
  for (const node of report.nodes) findings.push(...nodeFindings(node, several ? `${node.address} ` : ""));
  findings.push(probes.schema(await readSchemaState(url)));
  return findings;
}

/** The key-layout version the prefix `url` names has, as migrations 1…n; empty when it has none. */
export async function readSchemaState(url: string): Promise<SchemaState> {
  const key = new KeySpace(prefixOf(url)).schema;
  const connection = await Connection.open(failFast(targetOf(url)));
  let stored: string | null;
  try {
    stored = await connection.client.get(key);
  } finally {
    await connection.close();
  }
  const version = stored === null ? 0 : Number(stored);
  return {
    location: `prefix "${prefixOf(url)}" (${key})`,
    applied: Number.isSafeInteger(version) && version > 0 ? Array.from({ length: version }, (_, index) => ({ version: index + 1, name: `key layout ${index + 1}` })) : [],
  };
}

/** Removes prefixes' keys (SCAN + UNLINK on every primary) through one connection opened on first use. */
export function openNamespaceRemover(url: string): NamespaceRemover {
  let connection: Promise<Connection> | null = null;
  const unlink = async (pattern: string): Promise<void> => {
    for (const node of primariesOf(await (connection ??= Connection.open(failFast(targetOf(url)))))) await unlinkMatching(node, pattern);
  };
  return {
    remove: (namespace) => unlink(new KeySpace(namespace).pattern),
    // Every key of a prefix starts with `{<prefix>` (keys.ts).
    removeEveryStartingWith: (start) => unlink(`{${escapeGlob(start)}*`),
    close: async () => {
      const opened = await connection?.catch(() => null);
      connection = null;
      await opened?.close();
    },
  };
}

/** One key of a prefix as stored: its name, its Redis type and every byte string its value holds. */
export interface StoredKey {
  readonly key: string;
  /** `string`, `hash`, `list`, `set`, `zset` or `stream`. */
  readonly type: string;
  /**
   * The value's byte strings: a string's bytes; a hash's fields and values; a list's, set's or
   * sorted set's members (a sorted set's scores too, as text); a stream's entry ids, fields and values.
   */
  readonly values: readonly Buffer[];
}

/**
 * Every key the prefix `url` names holds, with its value as stored, read on every primary (SCAN,
 * TYPE, then GET, HGETALL, LRANGE, SMEMBERS, ZRANGE or XRANGE, one pipeline per SCAN batch): what
 * the deployment keeps at rest, for audits (no secret in plaintext) without knowing the key
 * design. Reads only; a key that expires between SCAN and TYPE is left out. Not a snapshot: keys
 * written meanwhile may or may not appear.
 * @throws Error for a key of a type this reader does not know (it could not show the value)
 */
export async function* dumpNamespace(url: string): AsyncGenerator<StoredKey> {
  const pattern = new KeySpace(prefixOf(url)).pattern;
  const connection = await Connection.open(failFast(targetOf(url)));
  try {
    for (const node of primariesOf(connection)) {
      for await (const keys of scanBatches(node, pattern)) yield* await readKeys(node, keys);
    }
  } finally {
    await connection.close();
  }
}

/** Each key's type, then each value, in two pipelined round trips. */
async function readKeys(node: Redis, keys: readonly string[]): Promise<StoredKey[]> {
  const types = repliesOf(await node.pipeline(keys.map((key) => ["type", key])).exec(), keys).map(String);
  const reads = node.pipeline();
  keys.forEach((key, i) => {
    const type = types[i] as string;
    switch (type) {
      case "string":
        reads.getBuffer(key);
        break;
      case "hash":
        reads.hgetallBuffer(key);
        break;
      case "list":
        reads.lrangeBuffer(key, 0, -1);
        break;
      case "set":
        reads.smembersBuffer(key);
        break;
      case "zset":
        reads.zrangeBuffer(key, 0, -1, "WITHSCORES");
        break;
      case "stream":
        reads.xrangeBuffer(key, "-", "+");
        break;
      case "none":
        // Gone between SCAN and TYPE: read nothing, but keep the replies aligned with the keys.
        reads.exists(key);
        break;
      default:
        throw new Error(`key ${key} has type ${type}, which dumpNamespace cannot read`);
    }
  });
  const values = repliesOf(await reads.exec(), keys);
  return keys.flatMap((key, i) => (types[i] === "none" ? [] : [{ key, type: types[i] as string, values: byteStrings(values[i]) }]));
}

/** The replies of a pipeline, one per key; the first error rethrown. */
function repliesOf(results: [Error | null, unknown][] | null, keys: readonly string[]): unknown[] {
  return keys.map((key, i) => {
    const [error, reply] = results?.[i] ?? [new Error(`no reply for ${key}`), null];
    if (error) throw error;
    return reply;
  });
}

/** Every string or byte string inside a reply (nested arrays, a hash's object). */
function byteStrings(reply: unknown): Buffer[] {
  if (reply === null || reply === undefined || typeof reply === "number") return [];
  if (Buffer.isBuffer(reply)) return [reply];
  if (typeof reply === "string") return [Buffer.from(reply, "utf8")];
  if (Array.isArray(reply)) return reply.flatMap(byteStrings);
  if (typeof reply === "object") return Object.entries(reply).flatMap(([field, value]) => [Buffer.from(field, "utf8"), ...byteStrings(value)]);
  return [Buffer.from(String(reply), "utf8")];
}

/** The primaries that hold keys: every master of a cluster, or the one server. */
export function primariesOf(connection: Connection): Redis[] {
  return connection.client instanceof Cluster ? connection.client.nodes("master") : [connection.client];
}

function targetOf(url: string): RedisTarget {
  const { url: connectionUrl, cluster } = redisOptionsFromUrl(url);
  return cluster ? { cluster } : { url: connectionUrl ?? "" };
}

function prefixOf(url: string): string {
  const { prefix, namespace } = redisOptionsFromUrl(url);
  return prefix || namespace || DEFAULT_PREFIX;
}

/** The target without reconnection: an operator's read or cleanup fails at once when the server does not answer. */
function failFast(target: RedisTarget): RedisTarget {
  const redisOptions = { maxRetriesPerRequest: 1, retryStrategy: () => null };
  if (!target.cluster) return { ...target, redisOptions };
  const options = target.cluster.options ?? {};
  return { cluster: { ...target.cluster, options: { ...options, clusterRetryStrategy: () => null, redisOptions: { ...options.redisOptions, ...redisOptions } } } };
}

/** The keys of one node that match `pattern`, a SCAN batch at a time (empty batches left out). */
export async function* scanBatches(node: Redis, pattern: string): AsyncGenerator<string[]> {
  let cursor = "0";
  do {
    const [next, keys] = await node.scan(cursor, "MATCH", pattern, "COUNT", 1000);
    cursor = next;
    if (keys.length > 0) yield keys;
  } while (cursor !== "0");
}

/** SCAN + UNLINK one key per command (a cluster node refuses a multi-key command across slots). */
async function unlinkMatching(node: Redis, pattern: string): Promise<void> {
  for await (const keys of scanBatches(node, pattern)) await Promise.all(keys.map((key) => node.unlink(key)));
}

/** `text` as a SCAN pattern that matches only itself. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, "\\$&");
}

function nodeFindings(node: RedisNodeReport, prefix: string): DoctorFinding[] {
  const findings: DoctorFinding[] = [];
  const major = Number((node.version ?? "").split(".")[0]);
  findings.push(
    node.version === null
      ? { subject: `${prefix}version`, verdict: "warning", value: "unknown", why: "INFO did not report redis_version; the scripts need Redis 7.0 or later (or Valkey)" }
      : {
          subject: `${prefix}version`,
          verdict: major >= MIN_REDIS_MAJOR ? "ok" : "problem",
          value: node.version,
          why: major >= MIN_REDIS_MAJOR ? "7.0 or later: every script's commands exist (PEXPIRETIME)" : "the scripts call PEXPIRETIME, added in Redis 7.0: upgrade",
        },
  );
  if (node.role !== null && node.role !== "master") {
    findings.push({ subject: `${prefix}role`, verdict: "problem", value: node.role, why: "a replica refuses writes (READONLY): point the URL at the primary" });
  }
  const limit = node.maxmemory === null || node.maxmemory === 0 ? "no maxmemory limit" : `maxmemory ${node.maxmemory} bytes`;
  findings.push(
    node.maxmemoryPolicy === null
      ? { subject: `${prefix}maxmemory-policy`, verdict: "warning", value: "unknown", why: "CONFIG GET is not allowed here: make sure it is noeviction, or Redis may evict tasks, leases and events" }
      : node.mayEvict
        ? {
            subject: `${prefix}maxmemory-policy`,
            verdict: "problem",
            value: node.maxmemoryPolicy,
            why: `can evict keys (${limit}): evicted keys lose work (tasks, leases, event logs, tokens) without an error; set maxmemory-policy noeviction`,
          }
        : { subject: `${prefix}maxmemory-policy`, verdict: "ok", value: node.maxmemoryPolicy, why: `never evicts: when memory is full, writes fail with an error instead (${limit})` },
  );
  const persistence =
    node.appendonly === null ? "unknown" : node.appendonly ? `appendonly yes, appendfsync ${node.appendfsync ?? "?"}` : node.save ? `appendonly no, save "${node.save}"` : 'appendonly no, save ""';
  const safe = node.appendonly === true && (node.appendfsync === "always" || node.appendfsync === "everysec");
  findings.push({ subject: `${prefix}persistence`, verdict: safe ? "ok" : "warning", value: persistence, why: node.durability });
  return findings;
}
