/**
 * The one small loader of the Lua scripts in `lua/` (one file per command, each opening with a
 * header of its KEYS, ARGV and replies), in the manner of BullMQ's commands: a line
 * `--- @include "name"` is replaced by `lua/includes/name.lua`, once per script. Scripts are read
 * once, when this module loads, and run by EVALSHA, falling back to EVAL when the server answers
 * NOSCRIPT (a restarted server, a failover, SCRIPT FLUSH). Nothing user-supplied ever reaches a
 * script's source: user values travel only as KEYS and ARGV.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Cluster, Redis } from "ioredis";

export const SCRIPT_NAMES = [
  "append-events",
  "append-frame",
  "cache-delete",
  "cache-list",
  "cache-load",
  "cache-save",
  "cancel",
  "claim",
  "commit",
  "complete",
  "create-run",
  "delete-execution-state",
  "delete-run",
  "enqueue",
  "fail",
  "get-task",
  "has-work",
  "kv-compare-and-set",
  "kv-delete",
  "kv-exists",
  "kv-get",
  "kv-set",
  "kv-set-if-absent",
  "latest-snapshot",
  "list-dead-letters",
  "list-definitions",
  "list-runs",
  "list-steps",
  "move-to-dead-letter",
  "progress",
  "put-definition",
  "queue-stats",
  "read-frames",
  "reclaim-expired",
  "release",
  "renew",
  "retry-dead-letter",
  "revoke-lease",
  "set-context",
  "set-queue",
  "set-run-status",
  "signal",
  "suspend",
  "tenant-create",
  "tenant-update",
  "token-create",
  "token-list",
  "token-revoke",
  "token-validate",
  "upsert-step",
  "write-snapshot",
] as const;

export type ScriptName = (typeof SCRIPT_NAMES)[number];

export interface LoadedScript {
  readonly name: ScriptName;
  /** The source with its includes inlined: what EVAL runs. */
  readonly source: string;
  readonly sha: string;
}

/** A script argument: strings and numbers as text, bytes as they are. */
export type ScriptArg = string | number | Buffer;

const LUA_DIRECTORY = new URL("../lua/", import.meta.url);
const INCLUDE_LINE = '^--- @include "([a-z-]+)"$';

function readLua(relativePath: string): string {
  return readFileSync(new URL(relativePath, LUA_DIRECTORY), "utf8");
}

/** Inlines the includes of `source` (each at most once, includes of includes first). */
function inline(source: string, seen: Set<string>): string {
  return source.replace(new RegExp(INCLUDE_LINE, "gm"), (_line, name: string) => {
    if (seen.has(name)) return `-- (${name} already included)`;
    seen.add(name);
    return inline(readLua(`includes/${name}.lua`), seen);
  });
}

function loadScript(name: ScriptName): LoadedScript {
  const source = inline(readLua(`${name}.lua`), new Set());
  return Object.freeze({ name, source, sha: createHash("sha1").update(source).digest("hex") });
}

/** Every script, loaded once. */
export const SCRIPTS: Readonly<Record<ScriptName, LoadedScript>> = Object.freeze(
  Object.fromEntries(SCRIPT_NAMES.map((name) => [name, loadScript(name)])) as Record<ScriptName, LoadedScript>,
);

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith("NOSCRIPT");
}

/**
 * Runs scripts on one connection (a standalone client or a Cluster client; the Cluster client
 * routes each call by its first key, the base key whose hash tag every other key shares).
 */
export class ScriptRunner {
  readonly #client: Redis | Cluster;
  readonly #track: <T>(command: Promise<T>) => Promise<T>;

  /** @param track settles a command the client might leave pending (Connection.track) */
  constructor(client: Redis | Cluster, track: <T>(command: Promise<T>) => Promise<T>) {
    this.#client = client;
    this.#track = track;
  }

  /**
   * Runs `name` with `keys` and `args`; replies decode bulk strings as UTF-8. Arguments travel as
   * one array (a batch of 10,000 tasks has 160,000 of them: too many to spread into a call).
   */
  async run(name: ScriptName, keys: readonly string[], args: readonly ScriptArg[]): Promise<unknown> {
    const script = SCRIPTS[name];
    try {
      return await this.#track(this.#client.call("EVALSHA", [script.sha, keys.length, ...keys, ...args]));
    } catch (error) {
      if (!isNoScript(error)) throw error;
      return await this.#track(this.#client.call("EVAL", [script.source, keys.length, ...keys, ...args]));
    }
  }

  /** Like `run`, with bulk strings as Buffers (for byte values). */
  async runBuffer(name: ScriptName, keys: readonly string[], args: readonly ScriptArg[]): Promise<unknown> {
    const script = SCRIPTS[name];
    try {
      return await this.#track(this.#client.callBuffer("EVALSHA", [script.sha, keys.length, ...keys, ...args]));
    } catch (error) {
      if (!isNoScript(error)) throw error;
      return await this.#track(this.#client.callBuffer("EVAL", [script.source, keys.length, ...keys, ...args]));
    }
  }
}
